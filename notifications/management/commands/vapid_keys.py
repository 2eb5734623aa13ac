"""Print a fresh VAPID key pair for Web Push, as environment lines."""

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management.base import BaseCommand
from py_vapid import Vapid02, b64urlencode


class Command(BaseCommand):
    help = "Generate a VAPID key pair: set VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY from its output."

    def handle(self, *args, **options) -> None:
        vapid = Vapid02()
        vapid.generate_keys()
        private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
        public = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        self.stdout.write(f"VAPID_PRIVATE_KEY={b64urlencode(private)}")
        self.stdout.write(f"VAPID_PUBLIC_KEY={b64urlencode(public)}")
