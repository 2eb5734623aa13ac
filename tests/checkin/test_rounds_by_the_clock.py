"""Reads follow the clock: a round whose closes_at has passed is never shown as open, not even in
the minute before the tick comes round to expire it, whether its view was cached while it was
open or not. Answering refuses it at the same instant, and "check in now" is offered again."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache

from checkin import scheduler
from checkin.models import Round
from tests.builders import answer, open_round

pytestmark = pytest.mark.django_db

CURRENT, HISTORY = "/api/v1/checkins/current", "/api/v1/checkins"
SECOND = timedelta(seconds=1)


def _shown(client, path: str, round_id: int) -> str | None:
    """The status `path` shows for the round; None when it answers 404 (no round open)."""
    response = client.get(path)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.content
    body = response.json()
    if path == HISTORY:
        body = next(r for r in body["results"] if r["id"] == round_id)
    assert body["id"] == round_id
    return body["status"]


def _an_open_round_answered_by_alice(seats) -> tuple[int, datetime]:
    opened = open_round(seats.alice_api)
    assert answer(seats.alice_api, opened["id"]).status_code == 200
    return opened["id"], datetime.fromisoformat(opened["closes_at"])


@pytest.mark.parametrize("path", [CURRENT, "detail", HISTORY])
@pytest.mark.parametrize("cached", [True, False], ids=["read-while-open-first", "never-read-before"])
def test_a_round_reads_open_until_its_closes_at_and_expired_from_then_on_before_the_tick(seats, path, cached):
    round_id, closes_at = _an_open_round_answered_by_alice(seats)
    url = f"/api/v1/checkins/{round_id}" if path == "detail" else path
    with time_machine.travel(closes_at - SECOND, tick=False):
        if cached:
            assert _shown(seats.alice_api, url, round_id) == "open"
            assert _shown(seats.bob_api, url, round_id) == "open"
    if not cached:
        cache.clear()
    with time_machine.travel(closes_at, tick=False):
        # The tick has not run: the row still says open, and answering is refused already.
        assert Round.objects.get(pk=round_id).status == Round.Status.OPEN
        assert answer(seats.bob_api, round_id).status_code == 409
        expected = None if path == CURRENT else "expired"
        assert _shown(seats.alice_api, url, round_id) == expected
        assert _shown(seats.bob_api, url, round_id) == expected


def test_once_the_tick_expires_it_the_round_reads_the_same(seats):
    round_id, closes_at = _an_open_round_answered_by_alice(seats)
    with time_machine.travel(closes_at + SECOND, tick=False):
        before_tick = seats.alice_api.get(f"/api/v1/checkins/{round_id}").json()
        history_before_tick = seats.alice_api.get(HISTORY).json()
        assert scheduler.close_ended_rounds(now=closes_at + SECOND) == 1
        assert seats.alice_api.get(f"/api/v1/checkins/{round_id}").json() == before_tick
        assert seats.alice_api.get(HISTORY).json() == history_before_tick
        assert before_tick["status"] == "expired"
        assert before_tick["partner"] == {"display_name": "Bob", "answered": False, "response": None, "removed": False}


def test_check_in_now_opens_a_new_round_once_the_window_has_ended_before_the_tick(seats):
    round_id, closes_at = _an_open_round_answered_by_alice(seats)
    with time_machine.travel(closes_at + SECOND, tick=False):
        fresh = open_round(seats.bob_api)
        assert fresh["status"] == "open"
        assert _shown(seats.alice_api, CURRENT, fresh["id"]) == "open"
        assert _shown(seats.alice_api, f"/api/v1/checkins/{round_id}", round_id) == "expired"
        assert Round.objects.get(pk=round_id).status == Round.Status.EXPIRED
