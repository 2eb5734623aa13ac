"""The tick and the analysis run by a real Celery worker, over the real Redis broker and PostgreSQL.

The worker is a separate process (`celery -A config worker`) on the test database and on the
broker of the test settings, whose Redis database is emptied first. Nothing here is mocked: the
tick is sent with `.delay()`, the second answer's on_commit hands the analysis to the broker, and
the test polls the database for what the worker did. If Redis or PostgreSQL is down, it fails.
"""

import re
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from checkin import services as checkin_services
from checkin import tasks
from checkin.models import Flag, Round
from couples.models import Schedule
from notifications import tasks as notification_tasks
from tests.builders import pair
from tests.factories import UserFactory
from tests.integration.processes import start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A Celery worker process on the test database and the test broker, stopped afterwards."""
    broker = settings.CELERY_BROKER_URL
    assert broker.startswith("redis://"), broker
    redis.Redis.from_url(broker).flushdb()  # fails here when Redis is down
    process = start_worker(broker=broker, log_path=tmp_path / "worker.log")
    try:
        yield process
    finally:
        stop_worker(process)
        redis.Redis.from_url(broker).flushdb()  # what the worker did not get to (notification sends)


def test_a_real_worker_opens_the_due_round_and_analyses_it_after_the_reveal(worker):
    assert connection.vendor == "postgresql"
    alice, bob = UserFactory.create(display_name="Alice"), UserFactory.create(display_name="Bob")
    couple = pair(alice, bob)
    # Due a minute ago (real time: the worker's tick uses the clock), window 48 h.
    Schedule.objects.filter(couple=couple).update(next_checkin_at=timezone.now() - timedelta(minutes=1))

    tasks.tick.delay()

    checkin_round = wait_for(lambda: Round.objects.filter(couple=couple).first(), worker, "open the due round")
    assert checkin_round.status == Round.Status.OPEN
    next_checkin_at = Schedule.objects.get(couple=couple).next_checkin_at
    assert next_checkin_at is not None and next_checkin_at > timezone.now()

    # Alice wants more closeness, Bob more space: outside any transaction, so each submit commits
    # on its own and the second one's on_commit sends round_analyse to the broker.
    assert connection.in_atomic_block is False
    checkin_services.answer_submit(user=alice, round_id=checkin_round.pk, connection=1, independence=5)
    checkin_services.answer_submit(user=bob, round_id=checkin_round.pk, connection=5, independence=1)
    checkin_round.refresh_from_db()
    assert checkin_round.status == Round.Status.REVEALED

    def analysed():
        checkin_round.refresh_from_db()
        return checkin_round.analysed_at is not None

    wait_for(analysed, worker, "run round_analyse")
    flags = set(Flag.objects.filter(round=checkin_round).values_list("kind", "dimension", "about_user_id"))
    assert flags == {
        ("pursue_withdraw", "", alice.pk),
        ("gap", "connection", None),
        ("gap", "independence", None),
    }
    assert "checkin.round_analyse" in worker.log_path.read_text()


def test_one_worker_on_both_queues_takes_queued_work_before_queued_sends(transactional_db, tmp_path):
    # On a Sunday evening the tick and the fan-outs must not wait behind the sends they queue:
    # a worker serving both queues empties `celery` first (REDIS_TRANSPORT_OPTIONS).
    def queue_work():
        for _ in range(4):
            notification_tasks.deliver_batch.delay([])  # nothing to send: each returns at once
        for _ in range(2):
            tasks.round_analyse.delay(0)  # no such round: each returns at once

    received = tasks_a_worker_receives(queue_work, count=6, log_path=tmp_path / "worker.log")
    assert received == ["checkin.round_analyse"] * 2 + ["notifications.deliver_batch"] * 4


def test_a_plain_worker_given_no_queues_serves_the_deliver_queue_too(transactional_db, tmp_path):
    # `celery -A config worker` with no -Q must not leave the reminders on a queue nobody reads.
    def queue_work():
        notification_tasks.deliver_batch.delay([])  # routed to `deliver`; nothing to send
        tasks.round_analyse.delay(0)  # routed to `celery`

    received = tasks_a_worker_receives(queue_work, count=2, log_path=tmp_path / "worker.log", queues=None)
    assert sorted(received) == ["checkin.round_analyse", "notifications.deliver_batch"]


def tasks_a_worker_receives(queue_work, *, count: int, log_path, **worker) -> list[str]:
    """The names of the tasks, in the order a worker started after `queue_work()` received them."""
    broker = settings.CELERY_BROKER_URL
    redis.Redis.from_url(broker).flushdb()
    queue_work()
    process = start_worker(broker=broker, log_path=log_path, **worker)
    try:
        wait_for(lambda: log_path.read_text().count(" succeeded in ") == count, process, f"run the {count} tasks")
    finally:
        stop_worker(process)
        redis.Redis.from_url(broker).flushdb()
    return re.findall(r"Task ([\w.]+)\[[\w-]+\] received", log_path.read_text())
