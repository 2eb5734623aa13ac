"""Print a fresh VAPID key pair for Web Push, as environment lines."""

from typing import Any

from django.core.management.base import BaseCommand

from notifications.vapid import generate_key_pair


class Command(BaseCommand):
    help = "Generate a VAPID key pair: set VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY from its output."

    def handle(self, *args: Any, **options: Any) -> None:
        private, public = generate_key_pair()
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
