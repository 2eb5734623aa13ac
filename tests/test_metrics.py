"""/metrics (the contract's Service section): who may read it, what it says of the requests it
counted, what it reads when scraped (the tick, the deliveries that wait, the broker's queues), and
the alert rules built on it. The counts of real work in several processes:
tests/integration/test_metrics_of_real_work.py."""

import math
import shutil
import subprocess
from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from checkin import services as checkin_services
from checkin import tasks as checkin_tasks
from checkin.scheduler import HEARTBEAT
from notifications import tasks as notification_tasks
from notifications.models import Delivery, Notification
from tests.scraped import scrape

pytestmark = [pytest.mark.once, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parent.parent
PROXY = "10.0.0.2"
OUTSIDER = "203.0.113.9"
TOKEN = "a-long-random-metrics-token-for-tests"


@pytest.mark.parametrize(
    ("peer", "headers", "status"),
    [
        ("127.0.0.1", {}, 200),
        ("::1", {}, 200),
        ("::ffff:127.0.0.1", {}, 200),  # loopback on a dual-stack socket
        (OUTSIDER, {}, 404),
        (OUTSIDER, {"X-Forwarded-For": "127.0.0.1"}, 404),  # a forged header
        # A proxy on the same host that the deployment did not name forwards a stranger.
        ("127.0.0.1", {"X-Forwarded-For": OUTSIDER}, 404),
        ("127.0.0.1", {"Forwarded": f"for={OUTSIDER}"}, 404),
        (PROXY, {"X-Forwarded-For": OUTSIDER}, 404),  # the named proxy forwards a stranger
        (PROXY, {"X-Forwarded-For": f"127.0.0.1, {OUTSIDER}"}, 404),  # who forged it before the proxy
        (PROXY, {"X-Forwarded-For": "127.0.0.1"}, 200),  # scraped through the proxy from its own host
        (OUTSIDER, {"Authorization": f"Bearer {TOKEN}"}, 200),
        (OUTSIDER, {"Authorization": f"Bearer {TOKEN}x"}, 404),
        (OUTSIDER, {"Authorization": f"Token {TOKEN}"}, 404),
    ],
)
def test_metrics_are_read_from_loopback_or_with_the_token_and_are_nowhere_to_anyone_else(
    settings, peer, headers, status
):
    settings.TRUSTED_PROXIES = [ip_network(PROXY)]
    settings.METRICS_TOKEN = TOKEN
    client = Client(REMOTE_ADDR=peer, headers=headers)
    response = client.get("/metrics")
    assert response.status_code == status
    if status == 404:  # the answer of a path that does not exist
        assert response.content == Client(REMOTE_ADDR=peer).get("/no-such-page").content
        assert b"tandem_" not in response.content


def test_no_token_is_needed_or_taken_unless_the_deployment_names_one(settings):
    settings.METRICS_TOKEN = ""
    assert Client(REMOTE_ADDR=OUTSIDER, headers={"Authorization": "Bearer "}).get("/metrics").status_code == 404
    settings.METRICS_ALLOWED_ADDRESSES = [ip_network("192.0.2.0/24")]
    assert Client(REMOTE_ADDR="192.0.2.7").get("/metrics").status_code == 200
    assert Client().get("/metrics").status_code == 404  # loopback is a default, not a right


def test_requests_are_counted_by_route_name_and_status_never_by_path(seats):
    before = scrape()
    checkin_round = checkin_services.round_open(couple=seats.couple, window_hours=48, now=timezone.now())
    assert seats.alice_api.get(f"/api/v1/checkins/{checkin_round.pk}").status_code == 200
    assert seats.charlie_api.get(f"/api/v1/checkins/{checkin_round.pk}").status_code == 404  # not theirs
    assert seats.alice_api.get(f"/api/v1/no-such-thing/{checkin_round.pk}").status_code == 404
    assert seats.alice_api.generic("BREW", "/api/v1/checkins/current").status_code == 405
    after = scrape()
    moved = after - before

    def requests(**labels) -> float:
        return moved.get(("tandem_http_requests_total", frozenset(labels.items())), 0)

    assert requests(view="checkin-detail", method="GET", status="200") == 1
    assert requests(view="checkin-detail", method="GET", status="404") == 1
    assert requests(view="unmatched", method="GET", status="404") == 1
    assert requests(view="checkins-current", method="other", status="405") == 1
    timed = frozenset({("view", "checkin-detail"), ("method", "GET")})
    assert moved[("tandem_http_request_duration_seconds_count", timed)] == 2
    labels = {value for _name, pairs in after.samples for _label, value in pairs}
    assert not [value for value in labels if "/" in value or str(checkin_round.pk) == value]  # no path, no id


def test_what_is_true_now_is_read_when_scraped(broker_messages, person):
    assert scrape().value("tandem_scheduler_last_tick_age_seconds") == math.inf  # it never ticked
    assert scrape().value("tandem_deliveries_oldest_pending_age_seconds") == 0  # nothing waits
    now = timezone.now().replace(microsecond=0)
    checkin_services.heartbeat_record(name=HEARTBEAT, at=now - timedelta(minutes=7))
    notification = Notification.objects.create(user=person, kind="round_opened", subject="round:1")
    for status, due_in in [("pending", -11), ("pending", -3), ("pending", 30), ("sent", -60), ("sending", -20)]:
        Delivery.objects.create(
            notification=notification,
            channel="email",
            target=f"email-{status}-{due_in}",
            status=status,
            due_at=now + timedelta(minutes=due_in),
        )
    for _ in range(3):
        notification_tasks.deliver_batch.delay([])  # no worker runs: they wait on the deliver queue
    checkin_tasks.round_analyse.delay(0)

    with time_machine.travel(now, tick=False):
        scraped = scrape()
    assert scraped.value("tandem_scheduler_last_tick_age_seconds") == 7 * 60
    # Due 11 minutes ago and still pending; one deferred to the future does not wait yet.
    assert scraped.value("tandem_deliveries_oldest_pending_age_seconds") == 11 * 60
    assert scraped.value("tandem_broker_queue_messages", queue="deliver") == 3
    assert scraped.value("tandem_broker_queue_messages", queue="celery") == 1
    gauges = ("tandem_broker_queue_messages", "tandem_scheduler_last_tick_age_seconds")
    assert {scraped.families[name] for name in gauges} == {"gauge"}


def test_the_alert_rules_pass_promtool_and_their_own_cases():
    promtool = shutil.which("promtool")
    assert promtool, "make test installs promtool (Debian's prometheus package): apt-get install -y prometheus"
    for command in (["check", "rules", "monitoring/alerts.yml"], ["test", "rules", "monitoring/alerts-test.yml"]):
        result = subprocess.run([promtool, *command], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
