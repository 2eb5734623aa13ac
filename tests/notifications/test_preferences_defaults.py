"""'Preferences or their defaults' has one owner (notifications.selectors.preferences_of): the API,
sending and fan_out's rows give a person who never saved any the same preferences, and fan_out
reads every preference there is."""

import pytest

from notifications import selectors, services
from notifications.models import Preferences
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PREFERENCES = [f.name for f in Preferences._meta.concrete_fields if f.name not in ("id", "user")]


def test_fan_out_reads_every_preference():
    assert sorted(services.PREFERENCE_FIELDS) == sorted(PREFERENCES)


def test_a_person_without_saved_preferences_has_the_same_defaults_on_every_path():
    person = UserFactory.create()
    found = selectors.preferences_of(user=person)
    assert found.pk is None
    from_row = services._Recipient.from_row(1, person.pk, person.timezone, *([None] * len(PREFERENCES)))
    for field in PREFERENCES:
        assert getattr(from_row, field) == getattr(found, field) == Preferences._meta.get_field(field).get_default()


def test_saved_preferences_are_read_as_saved():
    person = UserFactory.create()
    services.preferences_update(user=person, changes={"email": False})
    person.refresh_from_db()
    assert selectors.preferences_of(user=person).email is False
