"""Create the demo couple that `make run` shows; running it again changes nothing."""

from django.core.management.base import BaseCommand
from django.db import transaction

from couples import selectors, services
from couples.models import User

DEMO_PASSWORD = "tandem-demo-2026"
DEMO_PEOPLE = [
    ("sam@demo.tandem.app", "Sam", "Europe/Riga"),
    ("alex@demo.tandem.app", "Alex", "Europe/Riga"),
]


class Command(BaseCommand):
    help = "Seed an idempotent demo couple with known logins."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        people = []
        for email, name, zone in DEMO_PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = services.user_register(email=email, password=DEMO_PASSWORD, display_name=name, timezone_name=zone)
            people.append(user)
        sam, alex = people
        if selectors.couple_current(user=sam) is None and selectors.couple_current(user=alex) is None:
            invite = services.invite_create(user=sam)
            services.couple_join(user=alex, code=invite.code)
        self.stdout.write("Demo couple ready. Log in at http://127.0.0.1:8000/api/docs/ with:")
        for email, name, _ in DEMO_PEOPLE:
            self.stdout.write(f"  {name}: {email} / {DEMO_PASSWORD}")
