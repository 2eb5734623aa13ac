"""One person's two edits of an answer under real concurrency on PostgreSQL: two tabs back online
send their answers at the same instant, each PUT on its own connection. The one made later on its
device (`made_at`) is kept whichever the server takes first, and both are answered with it."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction

from checkin import services
from checkin.models import Answer, Round
from tests.builders import client_for, pair
from tests.factories import UserFactory
from tests.integration.processes import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def a_round_alice_answers() -> tuple:
    """A round just opened, and two answers Alice made since (in two tabs, a millisecond apart)."""
    alice, bob = UserFactory.create(), UserFactory.create()
    pair(alice, bob)
    checkin_round = services.round_open_now(user=alice)
    made = [(checkin_round.opens_at + timedelta(milliseconds=ms)).isoformat() for ms in (1, 2)]
    older = {"connection": 1, "independence": 1, "note": "older", "made_at": made[0]}
    newer = {"connection": 5, "independence": 2, "note": "newer", "made_at": made[1]}
    return alice, checkin_round.pk, older, newer


def waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def until(condition) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize("taken_first", ["newer", "older"])
def test_two_edits_arriving_together_keep_the_one_made_later_whichever_is_taken_first(taken_first):
    assert connection.vendor == "postgresql"
    alice, round_id, older, newer = a_round_alice_answers()
    first, second = (newer, older) if taken_first == "newer" else (older, newer)
    path = f"/api/v1/checkins/{round_id}/response"
    held, release = threading.Event(), threading.Event()

    # The two PUTs queue behind a lock held on the round, the first before the second, so that
    # the server takes them in that order once it is let go.
    def hold_the_round():
        with transaction.atomic():
            Round.objects.select_for_update().get(pk=round_id)
            held.set()
            return release.wait(timeout=20)

    def put_first():
        assert held.wait(timeout=10)
        return client_for(alice).put(path, first, format="json")

    def put_second():
        assert until(lambda: waiting_for_a_lock() == 1)
        return client_for(alice).put(path, second, format="json")

    def let_go_once_both_wait():
        waited = until(lambda: waiting_for_a_lock() == 2)
        release.set()
        return waited

    *_, to_first, to_second, both_waited = run_at_once(hold_the_round, put_first, put_second, let_go_once_both_wait)

    assert both_waited is True
    assert (to_first.status_code, to_second.status_code) == (200, 200)
    # Each is answered with what stands once it is taken: the older taken second learns that the
    # newer stays; the older taken first stood until the newer came (nothing newer was known yet).
    assert to_second.json()["note"] == "newer"
    assert to_first.json()["note"] == taken_first
    kept = Answer.objects.get(round_id=round_id, user=alice)
    assert (kept.connection, kept.independence, kept.note) == (5, 2, "newer")


def test_two_edits_sent_at_the_same_instant_keep_the_one_made_later():
    for _ in range(4):
        alice, round_id, older, newer = a_round_alice_answers()
        path = f"/api/v1/checkins/{round_id}/response"
        outcomes = run_at_once(
            lambda: client_for(alice).put(path, older, format="json"),  # noqa: B023 (run before the loop goes on)
            lambda: client_for(alice).put(path, newer, format="json"),  # noqa: B023
        )
        assert [o.status_code for o in outcomes] == [200, 200], outcomes
        assert outcomes[1].json()["note"] == "newer"  # the older is answered with itself only if taken first
        assert Answer.objects.get(round_id=round_id, user=alice).note == "newer"
