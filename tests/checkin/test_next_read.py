"""The current round and the history as each partner reads them: every change to what a round
shows is on the very next read, one partner's view is never the other's, and a page of the history
costs the same few queries however many rounds it holds."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from checkin import scheduler, services
from tests.builders import answer, client_for, open_round, revealed_round
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET = "alice-private-9d2c"
CURRENT, HISTORY = "/api/v1/checkins/current", "/api/v1/checkins"


def _read(client, path) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json(), len(captured)


def test_a_history_page_costs_a_few_queries_however_many_rounds_it_holds(seats):
    revealed_round(seats)
    _, one_round = _read(seats.alice_api, HISTORY)
    for _ in range(4):
        revealed_round(seats)
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, note="mine")
    body, six_rounds = _read(seats.alice_api, HISTORY)
    assert body["count"] == 6
    # The token, the count, and the page with its answers and flags: no query per round.
    assert six_rounds == one_round <= 3


@pytest.mark.parametrize("path", [CURRENT, HISTORY])
def test_my_partners_answer_shows_on_my_next_read(seats, path):
    round_id = open_round(seats.alice_api)["id"]
    before, _ = _read(seats.bob_api, path)
    answer(seats.alice_api, round_id)
    after, _ = _read(seats.bob_api, path)
    partner = (lambda body: body["partner"]) if path == CURRENT else (lambda body: body["results"][0]["partner"])
    assert partner(before) == {"display_name": "Alice", "answered": False, "response": None, "removed": False}
    assert partner(after) == {"display_name": "Alice", "answered": True, "response": None, "removed": False}


@pytest.mark.parametrize("path", [CURRENT, HISTORY])
def test_my_edit_shows_on_my_next_read(seats, path):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, connection=1, independence=1, note="first thought")
    _read(seats.alice_api, path)
    answer(seats.alice_api, round_id, connection=5, independence=2, note="second thought")
    body, _ = _read(seats.alice_api, path)
    mine = (body if path == CURRENT else body["results"][0])["me"]["response"]
    assert (mine["connection"], mine["independence"], mine["note"]) == (5, 2, "second thought")


def test_the_reveal_shows_on_the_next_read_and_the_round_is_no_longer_current(seats):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, connection=2, independence=5, note="for bob")
    _read(seats.bob_api, HISTORY), _read(seats.alice_api, CURRENT)
    answer(seats.bob_api, round_id, connection=5, independence=2)
    assert seats.alice_api.get(CURRENT).status_code == 404
    shown, _ = _read(seats.bob_api, HISTORY)
    assert shown["results"][0]["status"] == "revealed"
    assert shown["results"][0]["partner"]["response"]["note"] == "for bob"


def test_a_round_the_tick_closes_shows_as_expired_on_the_next_read(seats):
    opened = open_round(seats.alice_api)
    answer(seats.alice_api, opened["id"])
    assert _read(seats.alice_api, HISTORY)[0]["results"][0]["status"] == "open"
    _read(seats.alice_api, CURRENT)
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        assert scheduler.close_ended_rounds(now=timezone.now()) == 1
    assert _read(seats.alice_api, HISTORY)[0]["results"][0]["status"] == "expired"
    assert seats.alice_api.get(CURRENT).status_code == 404


def test_the_flags_of_the_analysis_show_on_the_next_read(seats):
    checkin_round = revealed_round(seats, alice=(1, 5), bob=(5, 1), analyse=False)
    assert _read(seats.alice_api, HISTORY)[0]["results"][0]["flags"] == []
    services.round_analyse(round_id=checkin_round.pk)
    flags = _read(seats.alice_api, HISTORY)[0]["results"][0]["flags"]
    assert "pursue_withdraw" in {flag["kind"] for flag in flags}


@pytest.mark.parametrize("path", [CURRENT, HISTORY])
def test_my_view_is_never_served_to_my_partner(seats, path):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, note="hers to share later", private_note=SECRET)
    assert SECRET in seats.alice_api.get(path).content.decode()
    for _ in range(2):
        text = seats.bob_api.get(path).content.decode()
        assert SECRET not in text and "hers to share later" not in text


def test_a_new_couples_round_joins_my_history_on_the_next_read_and_theirs_holds_only_it(seats):
    old = revealed_round(seats)
    assert _read(seats.alice_api, HISTORY)[0]["count"] == 1
    seats.alice_api.post("/api/v1/couple/leave")
    newcomer = UserFactory.create()
    code = client_for(newcomer).post("/api/v1/couple/invites").json()["code"]
    assert seats.alice_api.post("/api/v1/couple/join", {"code": code}, format="json").status_code == 201
    assert [r["id"] for r in _read(seats.alice_api, HISTORY)[0]["results"]] == [old.pk]
    round_id = open_round(seats.alice_api)["id"]
    history, _ = _read(seats.alice_api, HISTORY)
    assert [r["id"] for r in history["results"]] == [round_id, old.pk]
    assert [r["id"] for r in _read(client_for(newcomer), HISTORY)[0]["results"]] == [round_id]


def test_a_partner_leaving_with_their_answers_shows_them_removed_on_my_next_read(seats):
    revealed_round(seats, alice=(4, 4), bob=(1, 2))
    before, _ = _read(seats.alice_api, HISTORY)
    assert before["results"][0]["partner"]["response"]["connection"] == 1
    seats.bob_api.post("/api/v1/couple/leave", {"remove_my_answers": True}, format="json")
    after, _ = _read(seats.alice_api, HISTORY)
    removed = {"display_name": "Bob", "answered": True, "response": None, "removed": True}
    assert after["results"][0]["partner"] == removed


def test_a_partners_new_name_shows_on_my_next_read_of_our_rounds_and_of_a_former_couples(seats):
    revealed_round(seats)
    _read(seats.alice_api, HISTORY)
    seats.bob_api.patch("/api/v1/me", {"display_name": "Robert"}, format="json")
    assert _read(seats.alice_api, HISTORY)[0]["results"][0]["partner"]["display_name"] == "Robert"
    seats.bob_api.post("/api/v1/couple/leave")
    _read(seats.alice_api, HISTORY)
    seats.bob_api.patch("/api/v1/me", {"display_name": "Rob"}, format="json")
    assert _read(seats.alice_api, HISTORY)[0]["results"][0]["partner"]["display_name"] == "Rob"
