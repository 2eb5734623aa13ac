"""Preferences have one list (`Preferences.FIELDS`: what the API shows and what fan-out and
sending read) and one owner of their defaults (notifications.selectors.preferences_of): a person
who never saved any hears on every channel, as the API says they will."""

import pytest
from django.core import mail

from notifications import sending, services
from notifications.models import Delivery, Preferences
from tests.builders import client_for
from tests.notifications.fake_push import Browser

pytestmark = pytest.mark.django_db

PREFERENCES = [f.name for f in Preferences._meta.concrete_fields if f.name not in ("id", "user")]


def test_the_list_of_preferences_holds_every_preference_of_the_model():
    assert sorted(Preferences.FIELDS) == sorted(PREFERENCES)


def test_a_person_who_never_saved_preferences_is_told_by_push_and_email(
    person, push_service, vapid, django_capture_on_commit_callbacks
):
    assert client_for(person).get("/api/v1/notifications/preferences").json()["push"] is True
    browser = Browser.new(push_service.endpoint())
    assert browser.subscribe(client_for(person)).status_code == 201
    mail.outbox = []
    with django_capture_on_commit_callbacks():
        services.notify(user_ids=[person.pk], kind="results_ready", subject="round:1")
    due = services.fan_out(kind="results_ready", subjects=["round:1"])
    assert not Preferences.objects.filter(user=person).exists()
    assert {a.status for a in sending.deliveries_send(delivery_ids=due).values()} == {"sent"}
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == ["email", "push"]
    assert len(push_service.accepted_for(browser.endpoint)) == 1
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_saved_preferences_are_read_as_saved(person):
    services.preferences_update(user=person, changes={"email": False})
    assert client_for(person).get("/api/v1/notifications/preferences").json()["email"] is False
