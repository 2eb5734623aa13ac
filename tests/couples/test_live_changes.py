"""GET /api/v1/changes: what the partner does moves the other's cursor, by topic; nothing moved is
a 204 that costs no database query; a cursor holds only for its own sign-in, for a day."""

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from checkin import services as checkin_services
from couples import live
from couples import services as couple_services
from notifications.models import Notification
from notifications.services import LIVE_TOPICS_OF_KIND
from tests import builders
from tests.factories import UserFactory

CHANGES = "/api/v1/changes"


def first_cursor(client) -> str:
    response = client.get(CHANGES)
    assert response.status_code == 200, response.content
    assert response.json()["topics"] == []
    return response.json()["cursor"]


def changed_since(client, cursor: str):
    return client.get(CHANGES, {"since": cursor})


def test_nothing_changed_is_a_204_that_costs_no_query(seats, django_assert_num_queries):
    cursor = first_cursor(seats.bob_api)
    with django_assert_num_queries(0):
        response = changed_since(seats.bob_api, cursor)
    assert response.status_code == 204
    assert response.content == b""


def test_the_app_signed_in_by_its_session_cookie_asks_at_no_query_either(seats, django_assert_num_queries):
    browser = Client()
    browser.force_login(seats.bob)
    cursor = first_cursor(browser)
    with django_assert_num_queries(0):
        assert changed_since(browser, cursor).status_code == 204


Action = Callable[[builders.Seats], object]


def bob_answers(seats: builders.Seats) -> None:
    builders.answer(seats.bob_api, seats.round_id)  # type: ignore[attr-defined]


def _open_round(seats: builders.Seats) -> None:
    checkin_round = checkin_services.round_open(couple=seats.couple, window_hours=48, now=timezone.now())
    seats.round_id = checkin_round.pk  # type: ignore[attr-defined]


def _open_round_alice_answered(seats: builders.Seats) -> None:
    _open_round(seats)
    builders.answer(seats.alice_api, seats.round_id)  # type: ignore[attr-defined]


ACTIONS: dict[str, tuple[Action | None, Action, str]] = {
    # name: (what is there before, what Bob does (or the tick), the topic Alice's cursor shows)
    "the partner answers": (_open_round, bob_answers, "round"),
    "the reveal": (
        _open_round_alice_answered,
        bob_answers,
        "round",
    ),
    "the tick opens a round": (None, _open_round, "round"),
    "the analysis is done": (
        lambda s: setattr(s, "round_id", builders.revealed_round(s, alice=(2, 3), bob=(3, 2), analyse=False).pk),
        lambda s: checkin_services.round_analyse(round_id=s.round_id),  # type: ignore[attr-defined]
        "talks",
    ),
    "the schedule changes": (
        None,
        lambda s: s.bob_api.patch("/api/v1/couple/schedule", {"window_hours": 36}, format="json"),
        "schedule",
    ),
    "the partner leaves": (None, lambda s: s.bob_api.post("/api/v1/couple/leave", {}, format="json"), "couple"),
    "a note on a Talk": (
        lambda s: setattr(s, "talk", builders.a_discussion(s)),
        lambda s: s.bob_api.post(f"/api/v1/discussions/{s.talk.pk}/notes", {"text": "Yes"}, format="json"),  # type: ignore[attr-defined]
        "talks",
    ),
    "a Talk resolved": (
        lambda s: setattr(s, "talk", builders.a_discussion(s)),
        lambda s: s.bob_api.post(f"/api/v1/discussions/{s.talk.pk}/resolve", {}, format="json"),  # type: ignore[attr-defined]
        "talks",
    ),
    "a notification filed": (None, lambda s: builders.notified(s.alice, kind="nudge"), "inbox"),
    "a signal": (None, lambda s: s.bob_api.post("/api/v1/signals", {"kind": "invite"}, format="json"), "signals"),
    "a reply to a signal": (
        lambda s: setattr(s, "signal", s.alice_api.post("/api/v1/signals", {"kind": "space"}, format="json").json()),
        lambda s: s.bob_api.post(f"/api/v1/signals/{s.signal['id']}/reply", {"reply": "ok"}, format="json"),  # type: ignore[attr-defined]
        "signals",
    ),
    "a space ended early": (
        lambda s: setattr(s, "signal", s.bob_api.post("/api/v1/signals", {"kind": "space"}, format="json").json()),
        lambda s: s.bob_api.delete(f"/api/v1/signals/{s.signal['id']}"),  # type: ignore[attr-defined]
        "signals",
    ),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_what_the_partner_does_moves_the_others_cursor(seats, action, django_capture_on_commit_callbacks):
    before, act, topic = ACTIONS[action]
    if before is not None:
        with django_capture_on_commit_callbacks(execute=True):
            before(seats)
    alice_cursor = first_cursor(seats.alice_api)
    charlie_cursor = first_cursor(seats.charlie_api)

    with django_capture_on_commit_callbacks(execute=True):
        act(seats)

    response = changed_since(seats.alice_api, alice_cursor)
    assert response.status_code == 200, action
    assert topic in response.json()["topics"]
    # Only topic names, and a new cursor that has seen them.
    assert set(response.json()) == {"cursor", "topics"}
    assert set(response.json()["topics"]) <= {topic.value for topic in live.Topic}
    assert changed_since(seats.alice_api, response.json()["cursor"]).status_code == 204
    # The other couple heard nothing.
    assert changed_since(seats.charlie_api, charlie_cursor).status_code == 204


def test_the_inviter_learns_that_someone_joined(db, django_capture_on_commit_callbacks):
    alice, bob = UserFactory.create(), UserFactory.create()
    alice_api = builders.client_for(alice)
    invite = couple_services.invite_create(user=alice)
    cursor = first_cursor(alice_api)

    with django_capture_on_commit_callbacks(execute=True):
        builders.client_for(bob).post("/api/v1/couple/join", {"code": invite.code}, format="json")

    assert "couple" in changed_since(alice_api, cursor).json()["topics"]


def test_every_kind_of_notification_says_what_it_changes_on_screen():
    assert set(LIVE_TOPICS_OF_KIND) == set(Notification.Kind)


def a_fresh_start(response, client) -> None:
    """A cursor that no longer holds, from someone signed in: every topic (refetch everything) and a
    cursor of their own, which then holds."""
    assert response.status_code == 200, response.content
    assert response.json()["topics"] == [topic.value for topic in live.Topic]
    assert changed_since(client, response.json()["cursor"]).status_code == 204


def test_a_cursor_of_another_sign_in_gives_the_one_signed_in_a_fresh_start_of_their_own(seats):
    # A partner signing in on the same phone: the app still holds the other's cursor.
    charlie_cursor = first_cursor(seats.charlie_api)

    a_fresh_start(changed_since(seats.bob_api, charlie_cursor), seats.bob_api)


def test_a_forged_cursor_tells_nothing_and_needs_a_sign_in(seats):
    cursor = first_cursor(seats.bob_api)
    forged = cursor.replace(cursor[5], "A" if cursor[5] != "A" else "B", 1)

    assert seats.anonymous_api.get(CHANGES, {"since": cursor}).status_code == 401
    assert seats.anonymous_api.get(CHANGES, {"since": forged}).status_code == 401
    a_fresh_start(changed_since(seats.bob_api, forged), seats.bob_api)


def test_a_cursor_expires_after_a_day(seats):
    cursor = first_cursor(seats.bob_api)

    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        a_fresh_start(changed_since(seats.bob_api, cursor), seats.bob_api)


def test_a_first_cursor_needs_a_sign_in(seats):
    response = seats.anonymous_api.get(CHANGES)

    assert response.status_code == 401
    assert response.json()["detail"]
