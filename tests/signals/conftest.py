"""The notification tests' fixtures (a real local push service, VAPID keys of the test's own)."""

from tests.notifications.conftest import push_service, vapid

__all__ = ["push_service", "vapid"]
