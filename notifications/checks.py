"""System checks of the notifications domain: `manage.py check --deploy` refuses a production
server whose push messages could not be signed, rather than letting every push fail quietly."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Error, register

from notifications.vapid import key_pair_problem


@register(deploy=True)
def vapid_keys_check(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[Error]:
    problem = key_pair_problem(settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY)
    if problem is None:
        return []
    return [
        Error(
            f"Web Push cannot be sent: {problem}.",
            hint="Run `python manage.py vapid_keys` once and set both lines it prints in the environment.",
            id="notifications.E001",
        )
    ]
