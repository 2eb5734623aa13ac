"""Create the demo couple that `make run` shows: about twelve weeks of revealed check-ins with
varied patterns, and an open round to answer. Running it again changes nothing."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from checkin import services as checkin_services
from checkin.models import Round
from couples import selectors, services
from couples.models import Couple, User
from notifications.models import Notification
from workflows import services as workflows_services

DEMO_PASSWORD = "tandem-demo-2026"
DEMO_PEOPLE = [
    ("sam@demo.tandem.app", "Sam", "Europe/Riga"),
    ("alex@demo.tandem.app", "Alex", "Europe/Riga"),
]
# (Sam's connection, independence), (Alex's connection, independence), oldest first: a drift
# into pursue-withdraw, a talk, and a slow way back.
HISTORY = [
    ((4, 4), (4, 4)),
    ((4, 3), (4, 3)),
    ((3, 4), (4, 2)),
    ((2, 4), (4, 2)),
    ((2, 5), (5, 2)),
    ((1, 4), (4, 2)),
    ((2, 3), (3, 3)),
    ((3, 3), (4, 3)),
    ((4, 2), (3, 4)),
    ((4, 3), (2, 4)),
    ((4, 4), (4, 4)),
    ((5, 4), (4, 5)),
]
NOTES = {0: "A calm week.", 4: "Missing our evenings together.", 10: "The walk on Saturday helped."}


class Command(BaseCommand):
    help = "Seed an idempotent demo couple with known logins and twelve weeks of history."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        people = []
        for email, name, zone in DEMO_PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                # Confirmed: the demo couple gets the email reminders a person who confirmed does.
                user = services.user_register(
                    email=email, password=DEMO_PASSWORD, display_name=name, timezone_name=zone, email_confirmed=True
                )
            people.append(user)
        sam, alex = people
        if selectors.couple_current(user=sam) is None and selectors.couple_current(user=alex) is None:
            invite = services.invite_create(user=sam)
            workflows_services.couple_join(user=alex, code=invite.code)
        couple = selectors.couple_current(user=sam)
        if couple is not None and not Round.objects.filter(couple=couple).exists():
            self._seed_history(couple=couple, sam=sam, alex=alex)
        self.stdout.write(f"Demo couple ready. Open the app at {settings.APP_BASE_URL} and sign in as:")
        for email, name, _ in DEMO_PEOPLE:
            self.stdout.write(f"  {name}: {email} / {DEMO_PASSWORD}")

    def _seed_history(self, *, couple: Couple, sam: User, alex: User) -> None:
        now = timezone.now()
        self._as_seen_in_the_past(people=[sam, alex], after_id=0, at=now - timedelta(weeks=len(HISTORY) + 1), now=now)
        for index, (sam_ratings, alex_ratings) in enumerate(HISTORY):
            last_id = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
            opened = now - timedelta(weeks=len(HISTORY) - index, hours=2)
            checkin_round = checkin_services.round_open(couple=couple, window_hours=48, now=opened)
            for offset, (person, (connection, independence)) in enumerate(((sam, sam_ratings), (alex, alex_ratings))):
                checkin_services.answer_submit(
                    user=person,
                    round_id=checkin_round.pk,
                    connection=connection,
                    independence=independence,
                    note=NOTES.get(index, "") if person is sam else "",
                    now=opened + timedelta(hours=1 + offset),
                )
            checkin_services.round_analyse(round_id=checkin_round.pk)
            self._as_seen_in_the_past(people=[sam, alex], after_id=last_id, at=opened + timedelta(hours=3), now=now)
        checkin_services.round_open(couple=couple, window_hours=48, now=now)

    @staticmethod
    def _as_seen_in_the_past(*, people: list[User], after_id: int, at: datetime, now: datetime) -> None:
        """The demo's past is past: its messages are dated when they happened, already read, and
        never sent (no burst of old reminders when the worker starts). Demo data only; real
        notifications are filed and sent only through notifications.services."""
        Notification.objects.filter(user__in=people, pk__gt=after_id).update(
            created_at=at, read_at=at + timedelta(hours=1), fanned_out_at=now
        )
