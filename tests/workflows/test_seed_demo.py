"""The demo couple of `make run`: logins that work, twelve weeks of history, an open round; idempotent."""

import pytest
from django.core.management import call_command

from checkin.models import Discussion, Round
from couples.models import Couple, User

pytestmark = pytest.mark.django_db


def test_the_demo_couple_has_history_an_open_round_and_is_seeded_only_once(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert User.objects.count() == 2
    assert Couple.objects.count() == 1
    assert Round.objects.filter(status="revealed").count() == 12
    assert Round.objects.filter(status="open").count() == 1
    assert Discussion.objects.exists()
    login = client.post(
        "/api/v1/auth/login",
        {"email": "sam@demo.tandem.app", "password": "tandem-demo-2026"},
        content_type="application/json",
    )
    assert login.status_code == 200
    trends = client.get("/api/v1/checkins/trends").json()
    assert trends["rounds"] == 12
    assert sum(1 for count in trends["pattern_counts"]["me"].values() if count) >= 3  # varied patterns


def test_the_demo_inbox_holds_the_past_as_read_and_only_the_open_round_as_new(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    client.post(
        "/api/v1/auth/login",
        {"email": "sam@demo.tandem.app", "password": "tandem-demo-2026"},
        content_type="application/json",
    )
    inbox = client.get("/api/v1/notifications").json()
    assert inbox["unread_count"] == 1
    newest = inbox["results"][0]
    assert (newest["kind"], newest["read_at"]) == ("round_opened", None)
    dates = [n["created_at"] for n in inbox["results"]]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) >= 10  # dated when they happened
