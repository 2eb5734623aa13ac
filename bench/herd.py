"""Scenario 1, the thundering herd: N couples all due in the same minute, sent as production sends
them, timed until the last reminder is accepted.

Every person has a push subscription on the bench's push service (bench/push_service.py, 201 after
`--push-latency-ms`) and an email address on its SMTP server (bench/mail_service.py). The workers
run as the README runs them in production: one `celery -A config worker -Q celery` (the tick, the
fan-outs) and `--deliver-workers` of `celery -A config worker -Q deliver` (sending), each with
Celery's default pool (prefork, one process per CPU).

The clock starts when `checkin.tick` is sent. The herd is done when the push service has accepted a
message for each of the 2N people and the SMTP server an email for each (counted by target, so a
message accepted twice is a duplicate, not progress), or at the timeout. Then, after a short wait
in which a late duplicate would still show, the report reads from the services themselves: first,
median and last acceptance after the tick, duplicates and lost messages.

Meanwhile the API is in use: gunicorn (the production configuration) serves `GET
checkins/current` and `GET checkins` (history, p.1), in turn, to bench/loadgen.py at a fixed rate
from before the tick to the end of the herd; their p99 is the API's latency while the herd is sent.
With `open_apps`, that many couples of the herd have their app open (bench/open_apps.py): live
questions or a plain poll, and answers, beside the herd.

Peak RSS is each worker process's VmHWM (the kernel's high-water mark), polled while it runs.
Needs Django set up on bench.settings (bench/run.py does it).
"""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from django.db import connection

from bench import common

POLL_SECONDS = 0.5
# What the API load and the open apps measured (files: a long herd's report is more than a pipe holds).
LOADGEN_OUT = common.LOG_DIR / "herd-api-load.json"
OPEN_APPS_OUT = common.LOG_DIR / "open-apps-report.json"
# After the last expected message: a send that a retry or redelivery made twice would show by now.
SETTLE_SECONDS = 3.0


@dataclass(frozen=True)
class Accepted:
    """What one fake service accepted, timed from the tick (seconds)."""

    accepted: int
    expected: int
    duplicates: int  # targets accepted more than once (the extra copies)
    lost: int  # expected targets never accepted
    first: float | None
    median: float | None
    last: float | None

    @property
    def per_second(self) -> float | None:
        return self.accepted / self.last if self.last else None


@dataclass
class HerdResult:
    couples: int
    deliver_workers: int
    push_latency_ms: float
    seconds: float | None  # the last push or email accepted; None: not all within the timeout
    rounds_open_seconds: float | None  # when the last round existed (the tick's part)
    fanned_out_seconds: float | None  # when the last notification was fanned out
    rounds: int
    deliveries: int
    statuses: dict[str, int]  # deliveries by status at the end
    push: Accepted
    email: Accepted
    api_p99_ms: float | None  # the API load (GET checkins/current, history) while the herd was sent
    api_p50_ms: float | None
    api_by_kind: dict[str, dict]  # "current", "history": ok, p50_ms, p99_ms
    api_requests: int
    api_errors: dict[str, int]
    api_rate: float
    # pid -> VmHWM, per role ("tick" for the -Q celery worker, "deliver" for the others)
    peak_rss_kib: dict[str, dict[int, int]] = field(default_factory=dict)
    # CPU seconds used from the tick to the end of the herd, by role (bench/common.py's CpuMeter)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    timed_out: bool = False
    open_apps_mode: str = ""  # "live" or "poll", with open_apps couples; "" for none
    open_apps: int = 0
    open_apps_report: dict = field(default_factory=dict)  # bench/open_apps.py's JSON
    later_messages: int = 0  # pushes and emails to open-app people after their reminder (reveals)

    @property
    def messages(self) -> int:
        return 4 * self.couples  # a push and an email for each of the two partners

    def max_rss_mib(self, role: str | None = None) -> float:
        roles = [role] if role else list(self.peak_rss_kib)
        return max((kib for r in roles for kib in self.peak_rss_kib.get(r, {}).values()), default=0) / 1024


@dataclass(frozen=True)
class _Progress:
    rounds: int
    notifications: int
    not_fanned_out: int
    deliveries: int


def _progress() -> _Progress:
    with connection.cursor() as cursor:
        # Every round, whatever its status: the open apps' couples answer, and some reveal, meanwhile.
        cursor.execute("SELECT COUNT(*) FROM checkin_round")
        rounds = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE fanned_out_at IS NULL) FROM notifications_notification"
            " WHERE kind = 'round_opened'"
        )
        notifications, not_fanned_out = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM notifications_delivery")
        deliveries = cursor.fetchone()[0]
    return _Progress(rounds=rounds, notifications=notifications, not_fanned_out=not_fanned_out, deliveries=deliveries)


def _statuses() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT channel || ' ' || status, COUNT(*) FROM notifications_delivery GROUP BY 1 ORDER BY 1")
        return dict(cursor.fetchall())


def _stats(port: int, *, full: bool = False) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats{'/full' if full else ''}", timeout=30) as answer:
        return json.loads(answer.read())


def _accepted(stats: dict, *, expected_ids: range, tick_at: float, answering: set[int]) -> Accepted:
    """Times are each person's first message (the reminder); `answering`: the open apps' people,
    whose later messages (the reveal's) are not duplicates."""
    times = [t - tick_at for t in stats["firsts"]]
    ids = set(stats["ids"])
    return Accepted(
        accepted=len(ids),
        expected=len(expected_ids),
        duplicates=sum(count - 1 for person, count in stats["duplicates"].items() if int(person) not in answering),
        lost=sum(1 for person in expected_ids if person not in ids),
        first=times[0] if times else None,
        median=statistics.median(times) if times else None,
        last=times[-1] if times else None,
    )


def start_services(*, push_latency_ms: float, log_suffix: str) -> list[subprocess.Popen]:
    """The push service and the SMTP server, each in its own process; returns once both answer."""
    python, bench = str(common.PYTHON), common.ROOT / "bench"
    processes = [
        common.start(
            [python, str(bench / "push_service.py"), "--port", str(common.PUSH_PORT)]
            + ["--latency-ms", f"{push_latency_ms:g}"],
            log_name=f"push-service-{log_suffix}.log",
        ),
        common.start(
            [python, str(bench / "mail_service.py"), "--port", str(common.SMTP_PORT)]
            + ["--stats-port", str(common.SMTP_STATS_PORT)],
            log_name=f"mail-service-{log_suffix}.log",
        ),
    ]

    def answering() -> bool:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"a fake service exited; see var/bench/*-service-{log_suffix}.log")
        try:
            _stats(common.PUSH_PORT)
            _stats(common.SMTP_STATS_PORT)
            return True
        except OSError:
            return False

    try:
        common.wait_until(answering, timeout=30, what="the push service and the SMTP server")
    except BaseException:
        for process in processes:
            common.stop(process)
        raise
    return processes


def start_worker(*, process_name: str, node: str, log_name: str) -> subprocess.Popen:
    """The Procfile's `worker` or `deliver` process on the bench settings, named `node`; returns once
    it consumes."""
    process = common.start(
        common.procfile_command(process_name, "-n", f"{node}@%h", "--without-mingle", "--without-gossip"),
        log_name=log_name,
    )
    log_path = common.LOG_DIR / log_name

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker {node} exited:\n{log_path.read_text()[-3000:]}")
        return " ready." in log_path.read_text(errors="replace")

    try:
        common.wait_until(ready, timeout=60, what=f"the Celery worker {node} to be ready")
    except BaseException:
        common.stop(process)
        raise
    return process


def start_api_load(*, token: str, rate: float, seconds: float) -> subprocess.Popen:
    """bench/loadgen.py on GET checkins/current and GET checkins (history p.1) in turn, at `rate`
    req/s in all; SIGTERM ends it early, and it then prints what it measured."""
    from bench import api

    common.LOG_DIR.mkdir(parents=True, exist_ok=True)
    targets = common.LOG_DIR / "herd-api-targets.txt"
    targets.write_text(f"{token} /api/v1/checkins/current current\n{token} /api/v1/checkins history\n")
    LOADGEN_OUT.unlink(missing_ok=True)
    return subprocess.Popen(
        [str(common.PYTHON), str(common.ROOT / "bench" / "loadgen.py"), "--url", api._url("/api/v1/checkins/current")]
        + ["--targets", str(targets), "--rate", f"{rate:g}", "--duration", f"{seconds:g}", "--out", str(LOADGEN_OUT)],
        cwd=common.ROOT,
    )


def start_open_apps(*, people: list[dict], mode: str, answer_after: str) -> subprocess.Popen:
    """bench/open_apps.py for `people`; returns once every app has its first read. SIGTERM ends
    it, and it then prints what it measured."""
    from bench import api

    path = common.LOG_DIR / "open-apps.json"
    path.write_text(json.dumps(people))
    OPEN_APPS_OUT.unlink(missing_ok=True)
    process = subprocess.Popen(
        [str(common.PYTHON), str(common.ROOT / "bench" / "open_apps.py"), "--people", str(path), "--mode", mode]
        + ["--api-port", str(api.PORT), "--push-port", str(common.PUSH_PORT), "--answer-after", answer_after]
        + ["--out", str(OPEN_APPS_OUT)],
        cwd=common.ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        process.kill()
        raise RuntimeError("the open apps did not start (bench/open_apps.py)")
    return process


def _rounds() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM checkin_round")
        return cursor.fetchone()[0]


def run(
    *,
    couples: int,
    timeout: float,
    deliver_workers: int,
    push_latency_ms: float,
    api_token: str,
    api_rate: float,
    open_apps: int = 0,
    open_apps_mode: str = "live",
    open_apps_answer_after: str = "20,180",
) -> HerdResult:
    """Send one tick to fresh workers and time the herd until the last push and email are accepted;
    the workers, services and gunicorn are stopped at the end."""
    from django.utils import timezone

    from bench import api, seed
    from checkin import tasks

    suffix = f"{couples}-{deliver_workers}d-{push_latency_ms:g}ms"
    common.flush_redis()
    processes: list[subprocess.Popen] = []
    roles: dict[str, list[subprocess.Popen]] = {"tick": [], "deliver": []}
    peaks: dict[str, dict[int, int]] = {"tick": {}, "deliver": {}}
    loadgen = apps = None
    apps_report: dict = {}
    open_people: list[dict] = []
    rounds_at = fanned_at = done_at = None
    people = range(1, 2 * couples + 1)

    cpu = common.CpuMeter()
    cpu_roles: dict[str, list[subprocess.Popen]] = {}
    redis_pid = common.redis_pid()

    def read_cpu(*, baseline: bool = False) -> None:
        for role, group in cpu_roles.items():
            for process in group:
                cpu.read(role, common.process_tree(process.pid), baseline=baseline)
        cpu.read("postgres", common.postgres_pids(), baseline=baseline)
        # The whole server: other databases' clients count too, on a shared machine.
        cpu.read("Redis", [redis_pid], baseline=baseline)

    def read_peaks() -> None:
        for role, workers in roles.items():
            for worker in workers:
                for pid in [worker.pid, *common.children_of(worker.pid)]:
                    rss = common.peak_rss_kib(pid)
                    if rss is not None:
                        peaks[role][pid] = max(peaks[role].get(pid, 0), rss)

    try:
        processes += start_services(push_latency_ms=push_latency_ms, log_suffix=suffix)
        gunicorn = api.start_gunicorn()
        processes.append(gunicorn)
        roles["tick"].append(start_worker(process_name="worker", node="tick", log_name=f"worker-tick-{suffix}.log"))
        for index in range(1, deliver_workers + 1):
            roles["deliver"].append(
                start_worker(
                    process_name="deliver", node=f"deliver{index}", log_name=f"worker-deliver{index}-{suffix}.log"
                )
            )
        processes += roles["tick"] + roles["deliver"]
        cpu_roles.update(
            {
                "tick worker": roles["tick"],
                "deliver workers": roles["deliver"],
                "web (gunicorn)": [gunicorn],
                "push service": processes[:1],
                "mail server": processes[1:2],
            }
        )
        # Every gunicorn worker's first request pays for its imports and connections: not the herd's.
        for _ in range(10 * api.gunicorn_workers()):
            api.get_current(api_token)
        open_before = _rounds()
        if open_apps:
            open_people = seed.open_apps(couples=couples, open_couples=open_apps, now=timezone.now())
            apps = start_open_apps(people=open_people, mode=open_apps_mode, answer_after=open_apps_answer_after)
            cpu_roles["open apps (simulated)"] = [apps]
        loadgen = start_api_load(token=api_token, rate=api_rate, seconds=timeout + 60)
        time.sleep(1.0)  # the generator's own start-up is not part of the herd
        cpu_roles["API load generator"] = [loadgen]
        read_cpu(baseline=True)
        started = time.monotonic()
        tick_at = time.time()
        tasks.tick.delay()
        while time.monotonic() - started < timeout:
            read_peaks()
            read_cpu()
            for process in processes:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{cast(list[str], process.args)[:4]} exited during the herd; see var/bench/*-{suffix}.log"
                    )
            elapsed = time.monotonic() - started
            if fanned_at is None:
                # Counting rows costs PostgreSQL the CPU the herd needs (three scans of up to
                # 400,000 rows): only until the fan-out is done, after that the services count.
                progress = _progress()
                if rounds_at is None and progress.rounds - open_before >= couples:
                    rounds_at = elapsed
                if rounds_at is not None and progress.notifications >= 2 * couples and not progress.not_fanned_out:
                    fanned_at = elapsed
            pushed, mailed = _stats(common.PUSH_PORT), _stats(common.SMTP_STATS_PORT)
            if pushed["distinct"] >= len(people) and mailed["distinct"] >= len(people):
                done_at = elapsed
                break
            time.sleep(POLL_SECONDS)
        time.sleep(SETTLE_SECONDS)
        read_peaks()
        read_cpu()
        loadgen.send_signal(signal.SIGTERM)
        if apps is not None:
            apps.send_signal(signal.SIGTERM)
            apps.communicate(timeout=60)
            apps_report = json.loads(OPEN_APPS_OUT.read_text())
            apps = None
        loadgen.wait(timeout=60)
        api_load = json.loads(LOADGEN_OUT.read_text())
        loadgen = None
        answering = {person["id"] for person in open_people}
        pushed_full, mailed_full = _stats(common.PUSH_PORT, full=True), _stats(common.SMTP_STATS_PORT, full=True)
        push = _accepted(pushed_full, expected_ids=people, tick_at=tick_at, answering=answering)
        email = _accepted(mailed_full, expected_ids=people, tick_at=tick_at, answering=answering)
        later = sum(
            count - 1
            for full in (pushed_full, mailed_full)
            for person, count in full["duplicates"].items()
            if int(person) in answering
        )
        progress = _progress()
        statuses = _statuses()
    finally:
        for generator in (loadgen, apps):
            if generator is not None:
                generator.kill()
                generator.wait()
        for process in reversed(processes):
            common.stop(process)
        common.flush_redis()
    last = max(push.last or 0, email.last or 0) if done_at is not None else None
    return HerdResult(
        couples=couples,
        deliver_workers=deliver_workers,
        push_latency_ms=push_latency_ms,
        seconds=last,
        rounds_open_seconds=rounds_at,
        fanned_out_seconds=fanned_at,
        rounds=progress.rounds - open_before,
        deliveries=progress.deliveries,
        statuses=statuses,
        push=push,
        email=email,
        api_p99_ms=api_load["p99_ms"] if api_load["ok"] else None,
        api_p50_ms=api_load["p50_ms"] if api_load["ok"] else None,
        api_by_kind=api_load["by_kind"],
        api_requests=api_load["sent"],
        api_errors=api_load["errors"],
        api_rate=api_rate,
        peak_rss_kib=peaks,
        cpu_seconds=cpu.by_role(),
        timed_out=done_at is None,
        open_apps_mode=open_apps_mode if open_apps else "",
        open_apps=open_apps,
        open_apps_report=apps_report,
        later_messages=later,
    )


def due_minute(now: datetime) -> datetime:
    """The start of the current minute: every schedule of the herd is due at that instant."""
    return now.replace(second=0, microsecond=0)
