"""A broker outage in the middle of a check-in: answering still works, and nothing is lost or
sent twice. A redis-server of the test's own plays the broker; it is stopped while both partners
answer, started again, and a real Celery worker then finishes the work the sweeps hand it."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from checkin import tasks as checkin_tasks
from checkin.models import Flag, Round
from config.celery import app as celery_app
from notifications import tasks as notification_tasks
from notifications.models import Delivery, Notification
from tests.builders import client_for, pair
from tests.factories import UserFactory
from tests.integration.processes import RedisServer, free_port, start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def use_broker(url: str) -> None:
    """Point this process's Celery app at `url`, dropping pooled connections to the old one."""
    # The pools stay open in kombu's registry (keyed by URL), to be found again when restored.
    celery_app.conf["broker_url"] = url
    celery_app._pool = None  # type: ignore[attr-defined]  # private: the stubs leave it out
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]  # private: the stubs leave it out


@pytest.fixture
def own_broker(tmp_path, settings):
    server = RedisServer(free_port(), tmp_path)
    server.start()
    original = celery_app.conf.broker_url
    use_broker(server.url)
    settings.CELERY_BROKER_URL = server.url
    yield server
    server.stop()
    use_broker(original)


def test_answers_made_while_the_broker_is_down_are_revealed_analysed_and_notified_once_it_is_back(own_broker, tmp_path):
    alice, bob = UserFactory.create(display_name="Alice"), UserFactory.create(display_name="Bob")
    pair(alice, bob)
    alice_api, bob_api = client_for(alice), client_for(bob)
    round_id = alice_api.post("/api/v1/checkins").json()["id"]

    own_broker.stop()
    first = alice_api.put(f"/api/v1/checkins/{round_id}/response", {"connection": 1, "independence": 5}, format="json")
    second = bob_api.put(f"/api/v1/checkins/{round_id}/response", {"connection": 5, "independence": 1}, format="json")
    assert (first.status_code, second.status_code) == (200, 200)

    checkin_round = Round.objects.get(pk=round_id)
    assert checkin_round.status == Round.Status.REVEALED  # the reveal needs no broker
    assert checkin_round.analysed_at is None  # the analysis could not be handed over
    results = Notification.objects.filter(kind="results_ready", subject=f"round:{round_id}")
    assert results.count() == 2 and not results.filter(fanned_out_at__isnull=False).exists()

    own_broker.start()
    worker = start_worker(broker=own_broker.url, log_path=tmp_path / "worker.log")
    try:
        # What beat does every minute, a few minutes on: the sweeps find the lost hand-offs.
        with time_machine.travel(timezone.now() + timedelta(minutes=3)):
            checkin_tasks.tick()
            notification_tasks.sweep()

        def analysed():
            checkin_round.refresh_from_db()
            return checkin_round.analysed_at is not None

        wait_for(analysed, worker, "analyse the round")
        assert Flag.objects.filter(round_id=round_id, kind="pursue_withdraw").exists()
        wait_for(lambda: not results.filter(fanned_out_at__isnull=True).exists(), worker, "fan out the results")
        every_delivery = Delivery.objects.filter(notification__user__in=[alice, bob])
        finished = ("sent", "skipped")  # "time for your check-in" is skipped: the round is over
        wait_for(
            lambda: every_delivery.exists() and not every_delivery.exclude(status__in=finished).exists(),
            worker,
            "finish every email",
        )
    finally:
        stop_worker(worker)
    news = every_delivery.exclude(notification__kind__in=["round_opened", "invite_accepted"])
    # The reveal told each of them once; the analysis (a pursue-withdraw and two gaps, one
    # discussion) told nobody anything more.
    kinds = sorted(news.values_list("notification__kind", flat=True))
    assert kinds == ["results_ready"] * 2
    assert set(news.values_list("status", flat=True)) == {"sent"}
    round_opened = every_delivery.filter(notification__kind="round_opened")
    assert set(round_opened.values_list("status", flat=True)) == {"skipped"}
    # One email per person and event, whatever the retries: the unique key allows no second.
    keys = list(
        every_delivery.values_list("notification__user_id", "notification__kind", "notification__subject", "channel")
    )
    assert len(keys) == len(set(keys))
