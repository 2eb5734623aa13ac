"""Fixtures of the notification tests: a real local push service and VAPID keys of the test's own."""

import pytest

from tests.notifications.fake_push import running_push_service, vapid_key_pair


@pytest.fixture
def push_service():
    """A Web Push service on 127.0.0.1 (see tests/notifications/fake_push.py), stopped afterwards."""
    with running_push_service() as service:
        yield service


@pytest.fixture
def vapid(settings) -> tuple[str, str]:
    """A fresh VAPID key pair, set as the server's own for this test."""
    private, public = vapid_key_pair()
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = private, public
    return private, public
