"""The tick and the reveal under real concurrency on PostgreSQL: separate connections at the same instant.

Two beats (or a beat restarted while the old one still runs) can send two ticks at once, and two
workers then run them side by side; two partners can press "submit" at the same moment. Each
thread has its own database connection and they are released together by a barrier.
"""

import threading
import time
from datetime import UTC, datetime
from functools import partial

import pytest
from django.db import connection, transaction
from django.db.models import Count

from checkin import scheduler
from checkin import services as checkin_services
from checkin.errors import RoundClosed
from checkin.models import Answer, Round
from couples.models import Couple, Schedule
from notifications.models import Notification
from tests.broker import analyses
from tests.builders import a_couple, pair
from tests.factories import UserFactory
from tests.integration.processes import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sent")]

DUE = datetime(2026, 1, 11, 17, 0, tzinfo=UTC)  # Sunday 19:00 in Riga


def test_two_ticks_at_the_same_instant_open_exactly_one_round_per_due_couple(monkeypatch):
    assert connection.vendor == "postgresql"
    couples = [a_couple() for _ in range(150)]
    Schedule.objects.update(next_checkin_at=DUE)
    # Small batches, so that the two ticks interleave: each claims batches the other skips.
    monkeypatch.setattr(scheduler, "BATCH_SIZE", 20)

    outcomes = run_at_once(lambda: scheduler.tick(now=DUE), lambda: scheduler.tick(now=DUE))

    reports = [o for o in outcomes if isinstance(o, scheduler.TickReport)]
    assert len(reports) == 2, outcomes
    assert [r.failed for r in reports] == [[], []]
    assert sum(r.opened for r in reports) == 150
    per_couple = dict(Round.objects.values_list("couple_id").annotate(n=Count("id")))
    assert per_couple == {couple.pk: 1 for couple in couples}
    assert not Round.objects.exclude(scheduled_for=DUE).exists()
    # Every partner is told once, about their own couple's round.
    told = Notification.objects.filter(kind=Notification.Kind.ROUND_OPENED)
    assert told.count() == 300
    assert set(told.values("user_id").annotate(n=Count("id")).values_list("n", flat=True)) == {1}
    for note in told.select_related("user"):
        couple_id = note.user.memberships.get(left_at__isnull=True).couple_id
        assert note.subject == f"round:{Round.objects.get(couple_id=couple_id).pk}"
    assert not Schedule.objects.filter(next_checkin_at__lte=DUE).exists()
    assert Couple.objects.count() == 150


def test_both_partners_answering_at_the_same_instant_reveal_the_round_exactly_once(sent):
    for _ in range(5):
        alice, bob = UserFactory.create(), UserFactory.create()
        pair(alice, bob)
        checkin_round = checkin_services.round_open_now(user=alice)

        submit = partial(checkin_services.answer_submit, round_id=checkin_round.pk)
        outcomes = run_at_once(
            partial(submit, user=alice, connection=2, independence=4),
            partial(submit, user=bob, connection=4, independence=2),
        )

        assert all(isinstance(o, Answer) for o in outcomes), outcomes
        checkin_round.refresh_from_db()
        assert checkin_round.status == Round.Status.REVEALED
        assert checkin_round.revealed_at is not None
        assert Answer.objects.filter(round=checkin_round).count() == 2
        for partner in (alice, bob):
            ready = Notification.objects.filter(user=partner, kind=Notification.Kind.RESULTS_READY)
            assert list(ready.values_list("subject", flat=True)) == [f"round:{checkin_round.pk}"]
        # The analysis is handed off once, by the one submit that revealed.
        assert analyses(sent).count(checkin_round.pk) == 1


def test_one_partner_answering_twice_at_the_same_instant_records_one_answer(sent):
    # Two tabs, both submitting a first answer: the second waits for the round lock, and must then
    # edit the answer the first recorded, not fail on creating a second one.
    for _ in range(5):
        alice, bob = UserFactory.create(), UserFactory.create()
        pair(alice, bob)
        checkin_round = checkin_services.round_open_now(user=alice)

        submit = partial(checkin_services.answer_submit, round_id=checkin_round.pk, user=alice)
        outcomes = run_at_once(
            partial(submit, connection=2, independence=4),
            partial(submit, connection=4, independence=2),
        )

        assert all(isinstance(o, Answer) for o in outcomes), outcomes
        recorded = Answer.objects.get(round=checkin_round)
        assert (recorded.connection, recorded.independence) in {(2, 4), (4, 2)}
        checkin_round.refresh_from_db()
        assert checkin_round.status == Round.Status.OPEN
        assert analyses(sent) == []


def test_an_edit_sent_while_the_partner_reveals_the_round_waits_for_the_reveal_and_is_refused():
    # Bob's answer reveals the round and holds its lock until his transaction commits. Alice's
    # edit must wait for that lock and then find the round revealed: an answer never changes
    # after the partner has seen it.
    alice, bob = UserFactory.create(), UserFactory.create()
    pair(alice, bob)
    checkin_round = checkin_services.round_open_now(user=alice)
    checkin_services.answer_submit(user=alice, round_id=checkin_round.pk, connection=2, independence=4)
    revealing, release = threading.Event(), threading.Event()

    def bob_reveals():
        with transaction.atomic():
            answer = checkin_services.answer_submit(user=bob, round_id=checkin_round.pk, connection=4, independence=2)
            revealing.set()
            assert release.wait(timeout=20)
        return answer

    def alice_edits():
        assert revealing.wait(timeout=10)
        return checkin_services.answer_submit(user=alice, round_id=checkin_round.pk, connection=5, independence=5)

    def release_once_alice_waits_for_the_lock():
        assert revealing.wait(timeout=10)
        waiting = False
        deadline = time.monotonic() + 10
        while not waiting and time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
                waiting = cursor.fetchone()[0] == 1
            time.sleep(0.02)
        release.set()
        return waiting

    revealed, edited, alice_waited = run_at_once(bob_reveals, alice_edits, release_once_alice_waits_for_the_lock)

    assert alice_waited is True
    assert isinstance(revealed, Answer), revealed
    assert isinstance(edited, RoundClosed), edited
    checkin_round.refresh_from_db()
    assert checkin_round.status == Round.Status.REVEALED
    alices = Answer.objects.get(round=checkin_round, user=alice)
    assert (alices.connection, alices.independence) == (2, 4)
