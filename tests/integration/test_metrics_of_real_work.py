"""/metrics counts real work done in several processes and sums it: the answers of the web (this
test's process), and the tick, the pushes and the emails of a prefork Celery worker's children,
through the real broker to a local push service, read once the worker has exited."""

import re
from datetime import timedelta

import pytest
import redis
import yaml
from django.conf import settings
from django.utils import timezone

from checkin import services as checkin_services
from checkin import tasks
from checkin.models import Round
from couples.models import Schedule
from notifications.models import Delivery, Notification
from tests.builders import a_couple, answer, client_for, pair
from tests.factories import UserFactory
from tests.integration.processes import ROOT, start_worker, stop, wait_for
from tests.notifications.fake_push import Browser, running_push_service, vapid_key_pair
from tests.scraped import scrape

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

METRIC = re.compile(r"\btandem_\w+")


def all_sent_or_retried(kind: str) -> bool:
    """Every notification of `kind` fanned out, and each of its deliveries tried at least once."""
    notifications = Notification.objects.filter(kind=kind)
    return (
        notifications.exists()
        and not notifications.filter(fanned_out_at__isnull=True).exists()
        and not Delivery.objects.filter(notification__in=notifications, attempts=0).exists()
        and not Delivery.objects.filter(notification__in=notifications, status="sending").exists()
    )


def test_the_work_of_every_process_adds_up_on_metrics(tmp_path):
    broker = settings.CELERY_BROKER_URL
    redis.Redis.from_url(broker).flushdb()
    private, public = vapid_key_pair()
    vapid = {"VAPID_PRIVATE_KEY": private, "VAPID_PUBLIC_KEY": public}
    before = scrape()

    alice, bob = UserFactory.create(), UserFactory.create()
    couple = pair(alice, bob)
    # Another couple's round whose window has ended: the tick expires it.
    ended = checkin_services.round_open(couple=a_couple(), window_hours=1, now=timezone.now() - timedelta(hours=2))
    with running_push_service() as push_service:
        browsers = {name: Browser.new(push_service.endpoint()) for name in ("alice", "bob-gone", "bob-busy")}
        for name, browser in browsers.items():
            assert browser.subscribe(client_for(alice if name == "alice" else bob)).status_code == 201
        push_service.answer(browsers["bob-gone"].endpoint, 410)  # that browser unsubscribed
        push_service.answer(browsers["bob-busy"].endpoint, *[500] * 6)  # its push service is down
        Schedule.objects.filter(couple=couple).update(next_checkin_at=timezone.now() - timedelta(minutes=1))

        # A prefork worker, as production runs them (its children fork from a parent that has
        # loaded the app): the tick opens the due round and expires the ended one, and the
        # round_opened pushes and emails go out.
        worker = start_worker(
            broker=broker, log_path=tmp_path / "worker.log", env=vapid, pool=("--pool", "prefork", "--concurrency", "2")
        )
        try:
            tasks.tick.delay()
            wait_for(lambda: all_sent_or_retried("round_opened"), worker, "send what the tick opened")
            assert Round.objects.get(pk=ended.pk).status == Round.Status.EXPIRED
            # The web: both answer, the second reveals the round; the results go out.
            checkin_round = Round.objects.get(couple=couple)
            for person in (alice, bob):
                assert answer(client_for(person), checkin_round.pk).status_code == 200
            wait_for(lambda: all_sent_or_retried("results_ready"), worker, "send the results")
        finally:
            stop(worker)  # read below once it has exited: what it counted stays
            redis.Redis.from_url(broker).flushdb()
        answered = [request.status for request in push_service.requests]

    after = scrape()
    moved = after - before
    sent = Delivery.objects.filter(status="sent")
    assert answered.count(410) == 1 and answered.count(500) >= 2, answered  # a 500 in each round of sends
    assert moved == {
        **moved,  # the requests that set this up, and the durations, checked below
        ("tandem_rounds_opened_total", frozenset()): 2,  # the ended one (here), the due one (the tick)
        ("tandem_rounds_expired_total", frozenset()): 1,
        ("tandem_rounds_revealed_total", frozenset()): 1,
        ("tandem_deliveries_total", frozenset({("channel", "push"), ("outcome", "sent")})): sent.filter(
            channel="push"
        ).count(),
        ("tandem_deliveries_total", frozenset({("channel", "email"), ("outcome", "sent")})): sent.filter(
            channel="email"
        ).count(),
        ("tandem_deliveries_total", frozenset({("channel", "push"), ("outcome", "gone")})): 1,
        ("tandem_deliveries_total", frozenset({("channel", "push"), ("outcome", "retried")})): answered.count(500),
        ("tandem_push_answers_total", frozenset({("status_class", "2xx")})): answered.count(201),
        ("tandem_push_answers_total", frozenset({("status_class", "4xx")})): 1,
        ("tandem_push_answers_total", frozenset({("status_class", "5xx")})): answered.count(500),
    }
    assert not [key for key in moved if key[0] == "tandem_deliveries_total" and ("outcome", "failed") in key[1]]
    answers = {("method", "PUT"), ("status", "200"), ("view", "checkin-answer")}
    assert moved[("tandem_http_requests_total", frozenset(answers))] == 2
    durations = {("method", "PUT"), ("view", "checkin-answer")}
    assert moved[("tandem_http_request_duration_seconds_count", frozenset(durations))] == 2

    # The alert rules (monitoring/alerts.yml) are built on what /metrics really says.
    rules = yaml.safe_load((ROOT / "monitoring" / "alerts.yml").read_text())
    named = {name for group in rules["groups"] for rule in group["rules"] for name in METRIC.findall(rule["expr"])}
    assert named and named <= {name for name, _labels in after.samples}, named
