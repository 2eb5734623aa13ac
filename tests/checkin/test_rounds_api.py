"""Rounds through the API: open, answer hidden, reveal side by side, edit rules, history."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from checkin import scheduler, services
from checkin.models import Answer, Round
from tests.builders import answer, client_for, open_round, person_named, revealed_round

pytestmark = pytest.mark.django_db

SECRET = "only-alice-may-read-this-7f3a"


def test_check_in_now_opens_a_round_and_a_second_is_a_409(seats):
    body = open_round(seats.alice_api)
    assert body["status"] == "open"
    assert body["me"] == {"answered": False, "response": None, "removed": False}
    assert body["partner"] == {"display_name": "Bob", "answered": False, "response": None, "removed": False}
    assert body["patterns"] is None and body["flags"] == []
    assert seats.bob_api.post("/api/v1/checkins").status_code == 409
    assert seats.bob_api.get("/api/v1/checkins/current").json()["id"] == body["id"]


def test_current_is_a_404_when_no_round_is_open(seats):
    assert seats.alice_api.get("/api/v1/checkins/current").status_code == 404


def test_an_unpaired_person_cannot_open_a_round(person):
    response = client_for(person).post("/api/v1/checkins")
    assert response.status_code == 409
    assert client_for(person).get("/api/v1/checkins").json()["count"] == 0


def test_my_answer_is_hidden_from_my_partner_until_both_have_answered(seats):
    round_id = open_round(seats.alice_api)["id"]
    mine = answer(seats.alice_api, round_id, connection=2, independence=5, note="busy week", private_note=SECRET)
    assert mine.status_code == 200
    assert mine.json()["private_note"] == SECRET

    seen_by_bob = seats.bob_api.get(f"/api/v1/checkins/{round_id}").json()
    assert seen_by_bob["partner"] == {"display_name": "Alice", "answered": True, "response": None, "removed": False}
    assert seen_by_bob["patterns"] is None
    for path in ("/api/v1/checkins", "/api/v1/checkins/current", f"/api/v1/checkins/{round_id}", "/api/v1/me/export"):
        text = seats.bob_api.get(path).content.decode()
        assert SECRET not in text and "busy week" not in text, path

    seen_by_alice = seats.alice_api.get(f"/api/v1/checkins/{round_id}").json()
    assert seen_by_alice["me"]["response"]["private_note"] == SECRET
    assert seen_by_alice["partner"] == {"display_name": "Bob", "answered": False, "response": None, "removed": False}


def test_an_answer_can_be_edited_until_the_reveal(seats):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, connection=1, independence=1)
    edited = answer(seats.alice_api, round_id, connection=3, independence=2, note="on reflection")
    assert edited.status_code == 200
    assert (edited.json()["connection"], edited.json()["independence"]) == (3, 2)
    assert Round.objects.get(pk=round_id).answers.count() == 1


def test_an_edit_keeps_the_first_submission_time_and_moves_the_update_time_and_made_time(seats):
    round_id = open_round(seats.alice_api)["id"]
    first = timezone.now().replace(microsecond=250000)
    with time_machine.travel(first, tick=False):
        answer(seats.alice_api, round_id, connection=1, independence=1, private_note=SECRET)
    with time_machine.travel(first + timedelta(minutes=5), tick=False):
        edited = answer(seats.alice_api, round_id, connection=3, independence=2, note="on reflection")
    utc = "%Y-%m-%dT%H:%M:%S.%fZ"
    assert edited.json() == {
        "connection": 3,
        "independence": 2,
        "note": "on reflection",
        "private_note": "",
        "submitted_at": first.strftime(utc),
        "updated_at": (first + timedelta(minutes=5)).strftime(utc),
        "made_at": (first + timedelta(minutes=5)).strftime(utc),  # sent without: made as received
    }
    assert seats.alice_api.get(f"/api/v1/checkins/{round_id}").json()["me"]["response"] == edited.json()


def test_the_second_answer_reveals_both_side_by_side_without_private_notes(seats):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, connection=2, independence=5, note="miss you", private_note=SECRET)
    answer(seats.bob_api, round_id, connection=4, independence=1, note="need air")

    seen_by_bob = seats.bob_api.get(f"/api/v1/checkins/{round_id}").json()
    assert seen_by_bob["status"] == "revealed"
    assert seen_by_bob["revealed_at"] is not None
    assert seen_by_bob["partner"]["response"]["connection"] == 2
    assert seen_by_bob["partner"]["response"]["note"] == "miss you"
    assert "private_note" not in seen_by_bob["partner"]["response"]
    assert seen_by_bob["patterns"] == {"me": "engulfed", "partner": "isolated"}
    assert SECRET not in seats.bob_api.get("/api/v1/checkins").content.decode()
    assert SECRET not in seats.bob_api.get("/api/v1/checkins/trends").content.decode()

    seen_by_alice = seats.alice_api.get(f"/api/v1/checkins/{round_id}").json()
    assert seen_by_alice["patterns"] == {"me": "isolated", "partner": "engulfed"}
    assert seen_by_alice["me"]["response"]["private_note"] == SECRET


def test_a_revealed_round_says_when_it_was_compared_so_no_flags_yet_is_not_read_as_none_found(seats):
    checkin_round = revealed_round(seats, alice=(1, 5), bob=(5, 1), analyse=False)
    before = seats.alice_api.get(f"/api/v1/checkins/{checkin_round.pk}").json()
    assert (before["status"], before["analysed_at"], before["flags"]) == ("revealed", None, [])

    services.round_analyse(round_id=checkin_round.pk)
    after = seats.alice_api.get(f"/api/v1/checkins/{checkin_round.pk}").json()  # the cached view moved on
    assert after["analysed_at"] is not None and {flag["kind"] for flag in after["flags"]} >= {"pursue_withdraw"}
    assert seats.alice_api.get("/api/v1/checkins").json()["results"][0]["analysed_at"] == after["analysed_at"]


def test_an_open_round_has_not_been_compared(seats):
    checkin_round = open_round(seats.alice_api)
    assert checkin_round["analysed_at"] is None


def test_both_partners_are_told_once_that_results_are_ready(seats):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id)
    answer(seats.bob_api, round_id)
    for person in (seats.alice, seats.bob):
        ready = person.notifications.filter(kind="results_ready")
        assert ready.count() == 1
        assert "4" not in ready.get().title + ready.get().body  # no ratings on a lock screen


def test_answering_a_revealed_round_is_a_409(seats):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id)
    answer(seats.bob_api, round_id)
    response = answer(seats.alice_api, round_id, connection=1)
    assert response.status_code == 409
    assert Round.objects.get(pk=round_id).answers.get(user=seats.alice).connection == 4


def test_answering_after_the_window_ended_is_a_409(seats):
    round_id = open_round(seats.alice_api)["id"]
    closes_at = Round.objects.get(pk=round_id).closes_at
    with time_machine.travel(closes_at, tick=False):
        assert answer(seats.alice_api, round_id).status_code == 409


def test_a_lone_answer_of_an_expired_round_is_never_shown_to_the_partner(seats):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, connection=1, independence=1, note="alone")
    closes_at = Round.objects.get(pk=round_id).closes_at
    scheduler.tick(now=closes_at)
    seen_by_bob = seats.bob_api.get(f"/api/v1/checkins/{round_id}").json()
    assert seen_by_bob["status"] == "expired"
    assert seen_by_bob["partner"] == {"display_name": "Alice", "answered": True, "response": None, "removed": False}
    assert "alone" not in seats.bob_api.get("/api/v1/me/export").content.decode()
    assert seats.alice_api.get(f"/api/v1/checkins/{round_id}").json()["me"]["response"]["note"] == "alone"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"connection": 0, "independence": 3}, "connection"),
        ({"connection": 6, "independence": 3}, "connection"),
        ({"connection": 3, "independence": -1}, "independence"),
        ({"connection": "lots", "independence": 3}, "connection"),
        ({"connection": 3.5, "independence": 3}, "connection"),
        ({"connection": True, "independence": 3}, "connection"),
        ({"connection": None, "independence": 3}, "connection"),
        ({"independence": 3}, "connection"),
        ({"connection": 3}, "independence"),
        ({"connection": 3, "independence": 3, "note": "x" * 2001}, "note"),
        ({"connection": 3, "independence": 3, "private_note": "x" * 2001}, "private_note"),
        ({"connection": 3, "independence": 3, "mood": "fine"}, "mood"),
    ],
)
def test_bad_answers_are_a_400_naming_the_field(seats, body, field):
    round_id = open_round(seats.alice_api)["id"]
    response = seats.alice_api.put(f"/api/v1/checkins/{round_id}/response", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Round.objects.get(pk=round_id).answers.exists()


def test_another_couples_round_looks_exactly_like_a_missing_one(seats):
    round_id = open_round(seats.alice_api)["id"]
    missing = seats.charlie_api.get("/api/v1/checkins/999999")
    theirs = seats.charlie_api.get(f"/api/v1/checkins/{round_id}")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert answer(seats.charlie_api, round_id).status_code == 404
    assert answer(seats.charlie_api, round_id, connection=99).status_code == 404
    assert seats.charlie_api.get("/api/v1/checkins").json()["count"] == 0
    assert seats.anonymous_api.get(f"/api/v1/checkins/{round_id}").status_code == 401
    assert not Round.objects.get(pk=round_id).answers.exists()


def test_history_is_paginated_newest_first(seats):
    rounds = [revealed_round(seats, at=timezone.now() - timedelta(weeks=w), analyse=False) for w in (3, 2, 1)]
    body = seats.alice_api.get("/api/v1/checkins").json()
    assert body["count"] == 3
    assert [r["id"] for r in body["results"]] == [r.pk for r in reversed(rounds)]
    assert set(body) == {"count", "next", "previous", "results"}


def test_history_pages_hold_twenty_rounds_and_a_page_past_the_end_is_a_404(seats):
    rounds = [revealed_round(seats, at=timezone.now() - timedelta(weeks=w), analyse=False) for w in range(22, 0, -1)]
    newest_first = [r.pk for r in reversed(rounds)]
    first = seats.alice_api.get("/api/v1/checkins").json()
    second = seats.alice_api.get("/api/v1/checkins", {"page": 2}).json()
    assert (first["count"], second["count"]) == (22, 22)
    assert [r["id"] for r in first["results"]] == newest_first[:20]
    assert [r["id"] for r in second["results"]] == newest_first[20:]
    assert first["next"].endswith("page=2") and second["next"] is None
    assert seats.alice_api.get("/api/v1/checkins", {"page": "last"}).json() == second
    assert seats.alice_api.get("/api/v1/checkins", {"page": 3}).status_code == 404


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def _statements(call) -> list[str]:
    """The SQL a request runs, transaction control (BEGIN, savepoints, COMMIT) left out."""
    with CaptureQueriesContext(connection) as captured:
        assert call().status_code == 200
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [query["sql"] for query in captured.captured_queries if not query["sql"].startswith(control)]


def statements_that_write(call) -> list[str]:
    return [sql for sql in _statements(call) if sql.startswith(("UPDATE", "INSERT", "DELETE"))]


def test_an_edit_replaces_my_answer_in_a_few_statements(seats):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, connection=1, independence=1)
    statements = _statements(lambda: answer(seats.alice_api, round_id, connection=2, independence=2, note="later"))
    # A budget, not an order: the token, the round locked and read, the answer read and updated.
    assert len(statements) <= 6, statements
    mine = Answer.objects.get(round_id=round_id, user=seats.alice)
    assert (mine.connection, mine.independence, mine.note) == (2, 2, "later")
    assert seats.alice_api.get("/api/v1/checkins/current").json()["me"]["response"]["note"] == "later"


def test_an_edit_made_before_the_answer_kept_writes_nothing(seats):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, connection=1, independence=1)
    kept = Answer.objects.get(round_id=round_id, user=seats.alice)
    made_at = Round.objects.get(pk=round_id).opens_at.isoformat()
    response = answer(seats.alice_api, round_id, connection=2, independence=2, made_at=made_at)
    assert (
        statements_that_write(lambda: answer(seats.alice_api, round_id, connection=3, independence=3, made_at=made_at))
        == []
    )
    assert (response.json()["connection"], response.json()["independence"]) == (1, 1)
    assert Answer.objects.get(pk=kept.pk).updated_at == kept.updated_at


def test_a_first_answer_shows_me_answered_and_leaves_the_round_open(seats):
    round_id = open_round(seats.alice_api)["id"]
    statements = _statements(lambda: answer(seats.alice_api, round_id, connection=2, independence=2))
    assert len(statements) <= 8, statements
    current = seats.bob_api.get("/api/v1/checkins/current").json()
    assert current["status"] == "open"
    assert current["partner"] == {"display_name": "Alice", "answered": True, "response": None, "removed": False}


def test_the_open_round_costs_a_few_queries_and_my_first_sight_of_it_reads_its_notification(seats):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id)
    assert seats.bob_api.get("/api/v1/notifications").json()["unread_count"] == 1  # "a check-in is open"
    # The token, the round with its answers, and its notifications marked read (none, for Alice,
    # who opened it).
    assert _queries(seats.alice_api, "/api/v1/checkins/current") <= 3
    assert _queries(seats.bob_api, "/api/v1/checkins/current") <= 3
    assert seats.bob_api.get("/api/v1/notifications").json()["unread_count"] == 0


def test_with_a_new_couple_my_history_holds_every_couples_rounds_newest_first_each_naming_its_partner(seats):
    old = revealed_round(seats, alice=(2, 4), bob=(5, 3))
    seats.alice_api.post("/api/v1/couple/leave")
    newcomer = person_named("Noor")
    code = client_for(newcomer).post("/api/v1/couple/invites").json()["code"]
    seats.alice_api.post("/api/v1/couple/join", {"code": code}, format="json")
    new = open_round(seats.alice_api)["id"]
    history = seats.alice_api.get("/api/v1/checkins").json()
    assert [(r["id"], r["partner"]["display_name"]) for r in history["results"]] == [(new, "Noor"), (old.pk, "Bob")]
    assert history["results"][1]["partner"]["response"]["connection"] == 5
    # The newcomer reads their own couple's only: Alice's rounds with Bob are not theirs.
    assert [r["id"] for r in client_for(newcomer).get("/api/v1/checkins").json()["results"]] == [new]
    assert client_for(newcomer).get(f"/api/v1/checkins/{old.pk}").status_code == 404


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5"])
def test_a_page_that_is_not_a_number_is_a_400(seats, page):
    response = seats.alice_api.get("/api/v1/checkins", {"page": page})
    assert response.status_code == 400
    assert "page" in response.json()


def test_my_answer_is_returned_as_my_side_of_the_round_shows_it(seats):
    round_id = open_round(seats.alice_api)["id"]
    body = answer(seats.alice_api, round_id, note="mine", private_note="only mine").json()
    assert body == seats.alice_api.get("/api/v1/checkins/current").json()["me"]["response"]
