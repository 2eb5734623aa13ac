"""Scenario 1, the thundering herd: N couples all due in the same minute, one real Celery worker.

The clock starts when `checkin.tick` is sent and stops when all of this holds:
- every couple has its round (N open rounds);
- every round_opened notification (2N) has `fanned_out_at` set, and its deliveries exist;
- no `notifications.fan_out` or `checkin.tick` task is still running. With acks_late a running
  task's message stays in kombu's `unacked` hash until it returns, and fan_out returns only after
  it has enqueued the send tasks of the deliveries due now (one per delivery, or one per batch):
  so they are all on the broker. (The worker goes on sending those emails; that is not part of
  the herd.)

Peak RSS is each worker process's VmHWM (the kernel's high-water mark), polled while it runs.
Needs Django set up on config.settings.bench (bench/run.py does it).
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from datetime import datetime

import redis
from django.db import connection

from bench import common

# Tasks whose completion the herd waits for (the send tasks are not among them).
HERD_TASKS = frozenset({"checkin.tick", "notifications.fan_out"})
POLL_SECONDS = 0.5


@dataclass
class HerdResult:
    couples: int
    seconds: float | None  # None: not done within the timeout
    rounds_open_seconds: float | None  # when the last round existed (the tick's part)
    fanned_out_seconds: float | None  # when the last notification was fanned out
    rounds: int
    notifications: int
    fanned_out: int
    deliveries: int
    deliveries_handed_over: int  # to the broker in a send task (or already sent): should be 2N
    peak_rss_kib: dict[int, int] = field(default_factory=dict)  # pid -> VmHWM
    timed_out: bool = False

    @property
    def rounds_per_second(self) -> float | None:
        return self.couples / self.seconds if self.seconds else None

    @property
    def max_rss_mib(self) -> float:
        return max(self.peak_rss_kib.values(), default=0) / 1024

    @property
    def sum_rss_mib(self) -> float:
        return sum(self.peak_rss_kib.values()) / 1024


@dataclass(frozen=True)
class _Progress:
    rounds: int
    notifications: int
    not_fanned_out: int
    deliveries: int


def _progress() -> _Progress:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM checkin_round WHERE status = 'open'")
        rounds = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE fanned_out_at IS NULL) FROM notifications_notification"
            " WHERE kind = 'round_opened'"
        )
        notifications, not_fanned_out = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM notifications_delivery")
        deliveries = cursor.fetchone()[0]
    return _Progress(rounds=rounds, notifications=notifications, not_fanned_out=not_fanned_out, deliveries=deliveries)


def _unacked_task_names(broker: redis.Redis) -> list[str]:
    """Names of the tasks a worker holds (prefetched or running); a handful with prefetch 1."""
    names = []
    for raw in broker.hvals("unacked"):
        message = json.loads(raw)[0]
        names.append(message.get("headers", {}).get("task", "?"))
    return names


def _delivery_ids(message: dict) -> list[int]:
    """The delivery ids a send task carries: one (`deliver`) or a list (a batch task)."""
    body = message["body"]
    if message.get("properties", {}).get("body_encoding") == "base64":
        body = base64.b64decode(body)
    args = json.loads(body)[0]
    first = args[0] if args else []
    return list(first) if isinstance(first, list) else [first]


def _deliveries_handed_over(broker: redis.Redis) -> int:
    """Deliveries whose send task reached the broker: carried by a message still queued or held
    by the worker, or already finished (sent, skipped, failed). Works for one task per delivery
    and for batches of them; every queue in the broker's database is read."""
    ids: set[int] = set()
    raw_messages = list(broker.hvals("unacked"))
    for key in broker.scan_iter(_type="list"):
        for start in range(0, broker.llen(key), 10_000):
            raw_messages += broker.lrange(key, start, start + 9_999)
    for raw in raw_messages:
        message = json.loads(raw)
        if isinstance(message, list):  # the unacked hash holds [message, exchange, routing key]
            message = message[0]
        if message.get("headers", {}).get("task", "").startswith("notifications.deliver"):
            ids.update(_delivery_ids(message))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM notifications_delivery WHERE status IN ('sent', 'skipped', 'failed')")
        ids.update(row[0] for row in cursor.fetchall())
    return len(ids)


def start_worker(log_name: str):
    """`celery -A config worker -c 2` on the bench settings; returns once it consumes."""
    process = common.start(
        [
            str(common.CELERY),
            "-A",
            "config",
            "worker",
            "-Q",
            "celery,deliver",
            "-c",
            "2",
            "-l",
            "INFO",
            "--without-mingle",
            "--without-gossip",
        ],
        log_name=log_name,
    )
    log_path = common.LOG_DIR / log_name

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited:\n{log_path.read_text()[-3000:]}")
        return " ready." in log_path.read_text(errors="replace")

    common.wait_until(ready, timeout=60, what="the Celery worker to be ready")
    return process


def run(*, couples: int, timeout: float, log_name: str) -> HerdResult:
    """Send one tick to a fresh worker and time the herd; the worker is stopped at the end."""
    from checkin import tasks

    broker = redis.Redis.from_url(common.REDIS_URL)
    common.flush_redis()
    process = start_worker(log_name)
    peaks: dict[int, int] = {}
    rounds_at = fanned_at = done_at = None
    try:
        started = time.monotonic()
        tasks.tick.delay()
        while time.monotonic() - started < timeout:
            for pid in [process.pid, *common.children_of(process.pid)]:
                rss = common.peak_rss_kib(pid)
                if rss is not None:
                    peaks[pid] = max(peaks.get(pid, 0), rss)
            if process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited during the herd; see var/bench/{log_name}")
            progress = _progress()
            elapsed = time.monotonic() - started
            if rounds_at is None and progress.rounds >= couples:
                rounds_at = elapsed
            if (
                rounds_at is not None
                and fanned_at is None
                and progress.notifications >= 2 * couples
                and not progress.not_fanned_out
            ):
                fanned_at = elapsed
            if (
                fanned_at is not None
                and progress.deliveries >= 2 * couples
                and not HERD_TASKS.intersection(_unacked_task_names(broker))
            ):
                done_at = elapsed
                break
            time.sleep(POLL_SECONDS)
        progress = _progress()
        enqueued = _deliveries_handed_over(broker)
        for pid in [process.pid, *common.children_of(process.pid)]:
            rss = common.peak_rss_kib(pid)
            if rss is not None:
                peaks[pid] = max(peaks.get(pid, 0), rss)
    finally:
        common.stop(process)
        common.flush_redis()  # the emails the worker did not get to
    return HerdResult(
        couples=couples,
        seconds=done_at,
        rounds_open_seconds=rounds_at,
        fanned_out_seconds=fanned_at,
        rounds=progress.rounds,
        notifications=progress.notifications,
        fanned_out=progress.notifications - progress.not_fanned_out,
        deliveries=progress.deliveries,
        deliveries_handed_over=enqueued,
        peak_rss_kib=peaks,
        timed_out=done_at is None,
    )


def due_minute(now: datetime) -> datetime:
    """The start of the current minute: every schedule of the herd is due at that instant."""
    return now.replace(second=0, microsecond=0)
