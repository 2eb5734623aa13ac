"""The signals between check-ins, through the API: each call from the three seats (the sender, the
partner and an outsider), each bad input a named 400 with nothing stored, the daily limit, the
space that replaces the live one, and what stays readable after a couple ends."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from signals.models import Signal
from tests import builders

SIGNALS = "/api/v1/signals"
CURRENT = "/api/v1/signals/current"
# 10:00 in Riga (everyone's zone in the factories): the local day ends at 21:00 UTC.
T0 = datetime(2026, 7, 1, 7, 0, tzinfo=UTC)


def send(client, kind: str = "invite", **body):
    return client.post(SIGNALS, {"kind": kind, **body}, format="json")


def sent(client, kind: str = "invite", **body) -> dict:
    response = send(client, kind, **body)
    assert response.status_code == 201, response.content
    return response.json()


def reply(client, signal_id: int, answer: str, **body):
    return client.post(f"{SIGNALS}/{signal_id}/reply", {"reply": answer, **body}, format="json")


def listed(client) -> list[dict]:
    response = client.get(SIGNALS)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def at_t0():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_a_signal_reaches_the_partner_and_nobody_else(seats, at_t0):
    signal = sent(seats.alice_api, "invite", message="Dinner on Friday?")

    assert signal == {
        "id": signal["id"],
        "kind": "invite",
        "from": "me",
        "message": "Dinner on Friday?",
        "until": None,
        "reply": None,
        "reply_message": "",
        "replied_at": None,
        "created_at": "2026-07-01T07:00:00Z",
    }
    [bobs] = listed(seats.bob_api)
    assert bobs == {**signal, "from": "partner"}
    assert listed(seats.alice_api) == [signal]
    assert listed(seats.charlie_api) == []


def test_the_list_is_newest_first_and_paginated(seats, at_t0):
    first = sent(seats.alice_api, "thanks")
    at_t0.shift(60)
    second = sent(seats.bob_api, "invite")

    response = seats.alice_api.get(SIGNALS).json()
    assert response["count"] == 2
    assert [s["id"] for s in response["results"]] == [second["id"], first["id"]]
    assert [s["from"] for s in response["results"]] == ["partner", "me"]


def test_a_space_lasts_until_the_end_of_the_senders_local_day_unless_told(seats, at_t0):
    space = sent(seats.alice_api, "space", message="A long week. I'm here.")

    assert space["until"] == "2026-07-01T21:00:00Z"  # midnight in Riga
    current = seats.bob_api.get(CURRENT)
    assert current.status_code == 200
    assert current.json() == {"me": None, "partner": {**space, "from": "partner"}}
    assert seats.alice_api.get(CURRENT).json() == {"me": space, "partner": None}

    until = sent(seats.bob_api, "space", until="2026-07-01T18:00:00+03:00")["until"]
    assert until == "2026-07-01T15:00:00Z"


def test_a_space_is_no_longer_current_once_its_end_has_passed(seats, at_t0):
    space = sent(seats.alice_api, "space", until="2026-07-01T09:00:00Z")
    at_t0.move_to(datetime(2026, 7, 1, 9, 0, 1, tzinfo=UTC))

    assert seats.bob_api.get(CURRENT).json() == {"me": None, "partner": None}
    assert [s["id"] for s in listed(seats.bob_api)] == [space["id"]]  # still in the history


def test_a_new_space_replaces_the_live_one(seats, at_t0):
    first = sent(seats.alice_api, "space")
    at_t0.shift(3600)
    second = sent(seats.alice_api, "space", until="2026-07-02T12:00:00Z")

    assert seats.bob_api.get(CURRENT).json()["partner"]["id"] == second["id"]
    history = {s["id"]: s for s in listed(seats.bob_api)}
    # The first ended when the second began, and says so.
    assert history[first["id"]]["until"] == "2026-07-01T08:00:00Z"
    assert Signal.objects.filter(sender=seats.alice, kind="space", ended_at__isnull=True).count() == 1


def test_both_partners_can_take_some_space_at_once(seats, at_t0):
    alices = sent(seats.alice_api, "space")
    bobs = sent(seats.bob_api, "space")

    assert seats.alice_api.get(CURRENT).json() == {
        "me": alices,
        "partner": {**bobs, "from": "partner"},
    }


def test_the_database_keeps_one_current_space_per_sender(seats):
    now = timezone.now()
    fields = {"couple": seats.couple, "sender": seats.alice, "kind": "space", "until": now + timedelta(hours=1)}
    Signal.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signal.objects.create(**fields)


# Bad input: a named 400, nothing stored


BAD_SIGNALS = {
    "an unknown kind": ({"kind": "hug"}, "kind"),
    "no kind": ({"message": "Hello"}, "kind"),
    "an end for an invitation": ({"kind": "invite", "until": "2026-07-01T18:00:00Z"}, "until"),
    "an end for a thank-you": ({"kind": "thanks", "until": "2026-07-01T18:00:00Z"}, "until"),
    "an end in the past": ({"kind": "space", "until": "2026-07-01T06:59:00Z"}, "until"),
    "an end now": ({"kind": "space", "until": "2026-07-01T07:00:00Z"}, "until"),
    "an end more than 7 days ahead": ({"kind": "space", "until": "2026-07-08T07:00:01Z"}, "until"),
    "an end without its offset": ({"kind": "space", "until": "2026-07-01T18:00:00"}, "until"),
    "an end that is no time": ({"kind": "space", "until": "tonight"}, "until"),
    "a message over 280 characters": ({"kind": "thanks", "message": "x" * 281}, "message"),
    "a message with a line break": ({"kind": "thanks", "message": "Thank you\nreally"}, "message"),
    "a message with an escape": ({"kind": "thanks", "message": "Thank you \x1b[31m"}, "message"),
    "a message that is no text": ({"kind": "thanks", "message": {"text": "hi"}}, "message"),
    "an unknown field": ({"kind": "thanks", "to": "Bob"}, "to"),
}


@pytest.mark.parametrize("case", list(BAD_SIGNALS))
def test_a_bad_signal_is_a_named_400_and_nothing_is_stored(seats, at_t0, case):
    body, field = BAD_SIGNALS[case]

    response = seats.alice_api.post(SIGNALS, body, format="json")

    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert response.json()[field][0]
    assert not Signal.objects.exists()


def test_a_space_may_end_exactly_7_days_ahead_and_a_message_may_be_280_characters(seats, at_t0):
    assert send(seats.alice_api, "space", until="2026-07-08T07:00:00Z").status_code == 201
    assert send(seats.alice_api, "thanks", message="x" * 280).status_code == 201


def test_no_signal_without_a_partner(person):
    client = builders.client_for(person)

    assert send(client).status_code == 404
    assert client.get(CURRENT).status_code == 404
    assert client.get(SIGNALS).json()["results"] == []
    assert not Signal.objects.exists()


def test_nobody_signed_in_is_refused(seats):
    assert send(seats.anonymous_api).status_code == 401
    assert seats.anonymous_api.get(SIGNALS).status_code == 401
    assert seats.anonymous_api.get(CURRENT).status_code == 401


# Replies


def test_the_partner_replies_once_and_the_sender_sees_it(seats, at_t0):
    invitation = sent(seats.alice_api, "invite", message="A walk tonight?")
    at_t0.shift(600)

    response = reply(seats.bob_api, invitation["id"], "later", message="Tomorrow would suit me")

    assert response.status_code == 200, response.content
    expected = {"reply": "later", "reply_message": "Tomorrow would suit me", "replied_at": "2026-07-01T07:10:00Z"}
    assert response.json() == {**invitation, "from": "partner", **expected}
    [alices] = listed(seats.alice_api)
    assert alices == {**invitation, **expected}

    again = reply(seats.bob_api, invitation["id"], "yes")
    assert again.status_code == 409
    assert again.json()["detail"]
    assert listed(seats.alice_api)[0]["reply"] == "later"


@pytest.mark.parametrize("answer", ["yes", "later", "not_now"])
def test_an_invitation_takes_yes_later_or_not_now(seats, answer):
    invitation = sent(seats.alice_api, "invite")

    assert reply(seats.bob_api, invitation["id"], answer).json()["reply"] == answer


def test_a_space_takes_ok(seats):
    space = sent(seats.alice_api, "space")

    assert reply(seats.bob_api, space["id"], "ok", message="Take care").json()["reply"] == "ok"


BAD_REPLIES = {
    "ok to an invitation": ("invite", {"reply": "ok"}, "reply"),
    "yes to a space": ("space", {"reply": "yes"}, "reply"),
    "not now to a space": ("space", {"reply": "not_now"}, "reply"),
    "anything to a thank-you": ("thanks", {"reply": "ok"}, "reply"),
    "an unknown reply": ("invite", {"reply": "maybe"}, "reply"),
    "no reply": ("invite", {"message": "Hm"}, "reply"),
    "a message over 280 characters": ("invite", {"reply": "yes", "message": "y" * 281}, "message"),
    "a message with a tab": ("invite", {"reply": "yes", "message": "yes\tplease"}, "message"),
}


@pytest.mark.parametrize("case", list(BAD_REPLIES))
def test_a_reply_that_does_not_fit_is_a_named_400_and_nothing_is_stored(seats, case):
    kind, body, field = BAD_REPLIES[case]
    signal = sent(seats.alice_api, kind)

    response = seats.bob_api.post(f"{SIGNALS}/{signal['id']}/reply", body, format="json")

    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert Signal.objects.get(pk=signal["id"]).reply == ""


def test_the_sender_cannot_reply_to_their_own_signal(seats):
    invitation = sent(seats.alice_api, "invite")

    response = reply(seats.alice_api, invitation["id"], "yes")

    assert response.status_code == 400
    assert "partner" in response.json()["reply"][0]
    assert Signal.objects.get(pk=invitation["id"]).reply == ""


def test_another_couples_signal_is_not_found_whatever_the_body(seats):
    invitation = sent(seats.alice_api, "invite")

    for body in ({"reply": "yes"}, {"reply": "nonsense"}, {}):
        response = seats.charlie_api.post(f"{SIGNALS}/{invitation['id']}/reply", body, format="json")
        assert response.status_code == 404, body
    assert seats.charlie_api.delete(f"{SIGNALS}/{invitation['id']}").status_code == 404
    assert reply(seats.bob_api, invitation["id"] + 1000, "yes").status_code == 404
    assert Signal.objects.get(pk=invitation["id"]).reply == ""


# Taking a signal back


def test_the_sender_ends_a_space_early_and_the_partner_no_longer_sees_it(seats, at_t0):
    space = sent(seats.alice_api, "space", message="Resting")

    response = seats.alice_api.delete(f"{SIGNALS}/{space['id']}")

    assert response.status_code == 204
    assert seats.bob_api.get(CURRENT).json() == {"me": None, "partner": None}
    assert seats.alice_api.get(CURRENT).json() == {"me": None, "partner": None}
    assert listed(seats.bob_api) == listed(seats.alice_api) == []
    assert seats.alice_api.delete(f"{SIGNALS}/{space['id']}").status_code == 404
    assert reply(seats.bob_api, space["id"], "ok").status_code == 404
    # Nothing of what it said stays.
    assert Signal.objects.get(pk=space["id"]).message == ""


def test_only_the_sender_can_take_a_signal_back(seats):
    invitation = sent(seats.alice_api, "invite")

    response = seats.bob_api.delete(f"{SIGNALS}/{invitation['id']}")

    assert response.status_code == 409
    assert response.json()["detail"]
    assert [s["id"] for s in listed(seats.alice_api)] == [invitation["id"]]


# The daily limit


def test_five_signals_a_day_then_429_with_retry_after_until_the_first_is_a_day_old(seats, at_t0):
    for minute in range(5):
        at_t0.move_to(T0 + timedelta(minutes=minute))
        sent(seats.alice_api, "thanks")
    # Taking one back does not give it back.
    seats.alice_api.delete(f"{SIGNALS}/{listed(seats.alice_api)[0]['id']}")
    at_t0.move_to(T0 + timedelta(hours=1))

    refused = send(seats.alice_api, "space")

    assert refused.status_code == 429
    assert refused.json()["detail"]
    assert int(refused["Retry-After"]) == 23 * 3600  # when the first of the five is a day old
    assert Signal.objects.filter(sender=seats.alice).count() == 5
    # The partner's own five are their own.
    assert send(seats.bob_api, "thanks").status_code == 201

    at_t0.move_to(T0 + timedelta(days=1, seconds=1))
    assert send(seats.alice_api, "space").status_code == 201


# After the couple ends


def test_after_the_couple_ends_its_signals_stay_readable_and_nothing_new_is_sent(seats):
    invitation = sent(seats.alice_api, "invite", message="Tea?")
    space = sent(seats.bob_api, "space")
    assert seats.bob_api.post("/api/v1/couple/leave", {}, format="json").status_code == 204

    for client in (seats.alice_api, seats.bob_api):
        assert [s["id"] for s in listed(client)] == [space["id"], invitation["id"]]
        assert client.get(CURRENT).status_code == 404
        assert send(client).status_code == 404
    assert reply(seats.bob_api, invitation["id"], "yes").status_code == 409
    assert seats.alice_api.delete(f"{SIGNALS}/{invitation['id']}").status_code == 409

    # A new couple starts with none of the old one's live spaces.
    builders.pair(seats.bob, builders.person_named("Erin"))
    assert seats.bob_api.get(CURRENT).json() == {"me": None, "partner": None}


def test_reading_the_signals_costs_a_few_queries_however_many_there_are(seats, django_assert_max_num_queries):
    for kind in ("invite", "space", "thanks", "invite"):
        sent(seats.alice_api, kind)
        sent(seats.bob_api, kind)

    with django_assert_max_num_queries(4):  # the token, the count, the page
        assert len(listed(seats.bob_api)) == 8
    with django_assert_max_num_queries(4):
        seats.bob_api.get(CURRENT)
