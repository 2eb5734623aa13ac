"""A real Celery worker is SIGKILLed in the middle of sending one event's pushes to 60 people.

Everything is real: the worker is a separate process (`celery -A config worker`) on the test
database and the test settings' Redis broker, which has a 5 s visibility timeout here so that
Redis hands the dead worker's unacknowledged message out again quickly. It sends with pywebpush
to a local push service (tests/notifications/fake_push.py) that holds its 20th request without
answering; the worker is killed while it waits, so that message was never accepted. A second
worker finishes the work. In the end every person has received the event exactly once
(decrypted with their browser's own key and counted), and every delivery is sent.
"""

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from notifications import services, tasks
from notifications.models import Delivery, Notification
from tests.builders import client_for, pair
from tests.factories import UserFactory
from tests.integration.processes import CELERY, ROOT, LoggedProcess
from tests.notifications.fake_push import Browser, running_push_service, vapid_key_pair

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PEOPLE = 60
HELD_REQUEST = 20
VISIBILITY_TIMEOUT = 5  # seconds
WAIT = 60  # seconds the workers get in all
KIND, SUBJECT = "results_ready", "round:424242"


def database_url() -> str:
    """The URL of the database this test runs on (the test database, while the test runs)."""
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql", db["ENGINE"]
    assert db["NAME"].startswith("test_"), db["NAME"]
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"


class Workers:
    """Celery worker processes on the test database and broker; all killed at the end."""

    def __init__(self, log_dir: Path, vapid: tuple[str, str]):
        self.log_dir = log_dir
        self.processes: list[LoggedProcess] = []
        private, public = vapid
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "TEST_REDIS_URL": settings.CELERY_BROKER_URL,
            "CELERY_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_TIMEOUT),
            "VAPID_PRIVATE_KEY": private,
            "VAPID_PUBLIC_KEY": public,
            "PYTHONUNBUFFERED": "1",
        }

    def start(self) -> LoggedProcess:
        log_path = self.log_dir / f"worker-{len(self.processes) + 1}.log"
        command = [str(CELERY), "-A", "config", "worker", "-Q", settings.WORKER_QUEUES, "--pool", "solo"]
        command += ["--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "INFO"]
        with log_path.open("wb") as log:
            process = LoggedProcess(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        process.log_path = log_path
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {p.log_path.name} ---\n{p.log_path.read_text()[-6000:]}" for p in self.processes)

    def kill_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    url = settings.CELERY_BROKER_URL
    assert url.startswith("redis://"), url
    client = redis.Redis.from_url(url)
    client.flushdb()  # fails here when Redis is down
    yield client
    client.flushdb()


@pytest.fixture
def vapid(settings) -> tuple[str, str]:
    private, public = vapid_key_pair()
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = private, public
    return private, public


@pytest.fixture
def workers(transactional_db, broker, vapid, tmp_path):
    pool = Workers(tmp_path, vapid)
    try:
        yield pool
    finally:
        pool.kill_all()


@pytest.fixture
def push_service():
    with running_push_service() as service:
        yield service


def wait_for(condition, workers: Workers, what: str, deadline: float):
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        alive = [p for p in workers.processes if p.poll() is None]
        assert alive, f"no worker is running:\n{workers.logs()}"
        time.sleep(0.1)
    pytest.fail(f"{what}: not within {WAIT} s\n{workers.logs()}")


def statuses() -> Counter:
    return Counter(Delivery.objects.filter(notification__subject=SUBJECT).values_list("status", flat=True))


def unacked_tasks(broker: redis.Redis) -> list[tuple[str, str, str]]:
    """(task name, args, task id) of the messages a worker took and has not acknowledged."""
    found = []
    for raw in broker.hvals("unacked"):
        headers = json.loads(raw)[0]["headers"]
        found.append((headers["task"], headers["argsrepr"], headers["id"]))
    return found


def test_a_worker_killed_mid_send_loses_no_push_and_sends_none_twice(workers, broker, push_service):
    assert connection.vendor == "postgresql"
    # 30 couples, each person with a browser subscribed to the push service through the API.
    people = [UserFactory.create() for _ in range(PEOPLE)]
    for inviter, joiner in zip(people[::2], people[1::2], strict=True):
        pair(inviter, joiner)
    browsers: dict[str, tuple[Browser, int]] = {}  # path token -> (browser, user id)
    for person in people:
        browser = Browser.new(push_service.endpoint())
        assert browser.subscribe(client_for(person)).status_code == 201
        browsers[browser.endpoint.rsplit("/", 1)[1]] = (browser, person.pk)
    broker.flushdb()  # the pairings' own hand-offs (invite_accepted) are not part of this test
    hold = push_service.hold(HELD_REQUEST)
    deadline = time.monotonic() + WAIT

    first = workers.start()
    # The event commits; on commit its fan-out task goes to the broker.
    with transaction.atomic():
        services.notify(user_ids=[p.pk for p in people], kind=KIND, subject=SUBJECT)
    assert Notification.objects.filter(kind=KIND, subject=SUBJECT).count() == PEOPLE

    held = hold.wait_until_held(timeout=max(1.0, deadline - time.monotonic()))
    # A batch's sends are in flight together, and the worker writes down each finished one within
    # moments (notifications/sending.py): once it has, the held send is the only one claimed.
    wait_for(lambda: statuses()["sending"] == 1, workers, "the rest of the batch is recorded", deadline)
    held_at = time.monotonic()
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    wait_for(hold.client_gone, workers, "the killed worker's connection closes", deadline)
    hold.release()
    assert hold.done.wait(5)
    assert held.status is None and held.client_hung_up  # never answered: not accepted
    _, held_user_id = browsers[held.token]
    stuck = Delivery.objects.get(notification__user_id=held_user_id, notification__subject=SUBJECT, channel="push")
    # The dead worker left exactly one delivery claimed, and its message unacknowledged.
    counts = statuses()
    assert counts["sending"] == 1 and stuck.status == "sending", counts
    assert counts["sent"] >= HELD_REQUEST - 1 and counts["pending"] + counts["sent"] + 1 == 2 * PEOPLE, counts
    [(task, args, task_id)] = unacked_tasks(broker)
    assert task == "notifications.deliver_batch" and str(stuck.pk) in args

    # A new worker, once the visibility timeout has passed: Redis hands it the dead worker's message.
    time.sleep(max(0.0, held_at + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    second = workers.start()

    def all_but_the_claimed_one_sent():
        counts = statuses()
        return counts["sent"] == 2 * PEOPLE - 1 and counts["sending"] == 1

    wait_for(all_but_the_claimed_one_sent, workers, "the second worker sends the rest", deadline)
    # The redelivered batch ran and was acknowledged; it sent the rest of its batch and found the
    # held delivery still claimed (the lease of the dead worker's send lasts SEND_LEASE).
    wait_for(
        lambda: not broker.hlen("unacked") and not broker.llen("celery") and not broker.llen("deliver"),
        workers,
        "the queue empties",
        deadline,
    )
    assert f"notifications.deliver_batch[{task_id}] succeeded" in second.log_path.read_text(), workers.logs()
    stuck.refresh_from_db()
    assert stuck.status == "sending" and stuck.attempts == 1
    assert len(push_service.received_for(browsers[held.token][0].endpoint)) == 1

    # The sweep, at the time the dead worker's lease has run out, makes the delivery pending
    # again and finds it due; like the sweep task, the test hands it to the worker.
    lease_until = stuck.lease_until
    assert lease_until is not None
    found = services.sweep(now=lease_until)
    assert found["deliveries"] == [stuck.pk]
    assert SUBJECT not in repr(found["events"])  # our event's hand-off was not lost
    for delivery_id in found["deliveries"]:
        tasks.deliver.delay(delivery_id)
    wait_for(lambda: statuses() == {"sent": 2 * PEOPLE}, workers, "the recovered delivery is sent", deadline)

    # Every person's notification was accepted exactly once, and nobody else's reached them.
    notification_of = dict(Notification.objects.filter(kind=KIND, subject=SUBJECT).values_list("user_id", "pk"))
    received: Counter[int] = Counter()
    for request in push_service.accepted:
        browser, user_id = browsers[request.token]
        payload = browser.read(request)
        assert payload["kind"] == KIND
        assert payload["id"] == notification_of[user_id]
        received[user_id] += 1
    assert received == Counter({person.pk: 1 for person in people})
    assert len(push_service.requests) == PEOPLE + 1  # the 60 accepted and the one never answered
    [again] = push_service.accepted_for(browsers[held.token][0].endpoint)
    assert again.number > HELD_REQUEST
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts, stuck.lease_until) == ("sent", 2, None)
    assert not Delivery.objects.filter(notification__subject=SUBJECT).exclude(status="sent").exists()
