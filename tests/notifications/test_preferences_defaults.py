"""'Preferences or their defaults' has one owner (notifications.selectors.preferences_of): the API
and fan-out treat a person who never saved any as one who saved the defaults, and fan-out reads
every preference there is."""

from datetime import UTC, datetime

import pytest
import time_machine

from notifications import selectors, services
from notifications.models import Delivery, Preferences, PushSubscription
from notifications.services import notify
from tests.builders import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # when fan-out runs, the same for both people
PREFERENCES = [f.name for f in Preferences._meta.concrete_fields if f.name not in ("id", "user")]


def test_fan_out_reads_every_preference():
    assert sorted(services.PREFERENCE_FIELDS) == sorted(PREFERENCES)


def deliveries_made_for(person) -> list[tuple[str, str, object]]:
    """What reaches `person` of an event (channel, status, when it is due), as fan-out makes it."""
    PushSubscription.objects.create(user=person, endpoint=f"https://push.example/{person.pk}", p256dh="k", auth="a")
    notify(user_ids=[person.pk], kind="results_ready", subject="round:1")
    with time_machine.travel(NOW, tick=False):
        services.fan_out(kind="results_ready", subjects=["round:1"])
    made = Delivery.objects.filter(notification__user=person).order_by("channel")
    return list(made.values_list("channel", "status", "due_at"))


def test_a_person_without_saved_preferences_has_the_same_defaults_on_every_path():
    never_saved, saved_the_defaults = UserFactory.create(), UserFactory.create()
    defaults = {field: getattr(Preferences(), field) for field in PREFERENCES}  # a new row's defaults
    Preferences.objects.create(user=saved_the_defaults, **defaults)

    # What the API shows, and what fan-out makes of an event: the same for both.
    found = selectors.preferences_of(user=never_saved)
    assert found.pk is None
    assert {field: getattr(found, field) for field in PREFERENCES} == defaults
    shown = [
        client_for(person).get("/api/v1/notifications/preferences") for person in (never_saved, saved_the_defaults)
    ]
    assert shown[0].status_code == shown[1].status_code == 200
    assert shown[0].json() == shown[1].json()
    made = [deliveries_made_for(person) for person in (never_saved, saved_the_defaults)]
    assert made[0] == made[1] == [("email", "pending", NOW), ("push", "pending", NOW)]


def test_saved_preferences_are_read_as_saved():
    person = UserFactory.create()
    services.preferences_update(user=person, changes={"email": False})
    person.refresh_from_db()
    assert selectors.preferences_of(user=person).email is False
