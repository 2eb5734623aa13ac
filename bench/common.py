"""What every part of the bench shares: where things are, the database and broker it owns, and the
processes it starts (and stops again, by their own process group).

Nothing here imports Django at module level: bench/run.py sets DJANGO_SETTINGS_MODULE first.
"""

from __future__ import annotations

import os
import platform
import re
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
CELERY = VENV_BIN / "celery"
GUNICORN = VENV_BIN / "gunicorn"
LOG_DIR = ROOT / "var" / "bench"

SETTINGS_MODULE = "bench.settings"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
# The API (gunicorn) and the outside world of the herd (bench/push_service.py, bench/mail_service.py).
API_PORT = int(os.environ.get("BENCH_API_PORT", "8765"))
PUSH_PORT = int(os.environ.get("BENCH_PUSH_PORT", "8767"))
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT", "8768"))
SMTP_STATS_PORT = int(os.environ.get("BENCH_SMTP_STATS_PORT", "8769"))
PUSH_ORIGIN = f"http://127.0.0.1:{PUSH_PORT}"


def child_env(**extra: str) -> dict[str, str]:
    """The environment of every process the bench starts: bench settings, unbuffered output."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "BENCH_DATABASE_URL": DATABASE_URL,
        "BENCH_REDIS_URL": REDIS_URL,
        "BENCH_SMTP_PORT": str(SMTP_PORT),
        "PYTHONUNBUFFERED": "1",
        # The Procfile's commands name their programs (`celery`, `gunicorn`): the venv's.
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        **extra,
    }


# Databases and broker


def recreate_database() -> None:
    """Drop and create the bench database (never any other), then migrate it."""
    import psycopg

    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    if not name.startswith("tandem_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the bench only drops databases named tandem_bench*")
    admin_url = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [str(PYTHON), "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=child_env(), check=True
    )


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def check_services(*, need_wrk: bool = True) -> list[str]:
    """What is missing to run the bench: PostgreSQL, Redis, wrk (for the API pass). Empty when
    all is there."""
    import psycopg
    import redis

    problems = []
    url = urlparse(DATABASE_URL)
    try:
        psycopg.connect(url._replace(path="/postgres").geturl(), connect_timeout=3).close()
    except psycopg.Error as error:
        problems.append(f"PostgreSQL is not reachable at {url.hostname}:{url.port or 5432}: {error}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        problems.append(f"Redis is not reachable at {REDIS_URL}: {error}")
    if need_wrk and not wrk_path():
        problems.append("wrk (the HTTP load generator) is not installed: apt-get update && apt-get install -y wrk")
    return problems


def wrk_path() -> str | None:
    from shutil import which

    return which("wrk")


# Processes


def start(command: list[str], *, log_name: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `command` in a new session (its own process group), output to var/bench/<log_name>."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with (LOG_DIR / log_name).open("wb") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=env or child_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen, *, grace: float = 15.0) -> None:
    """Stop a process the bench started, with its children: SIGTERM to its group, then SIGKILL."""
    if process.poll() is not None:
        return
    group = os.getpgid(process.pid)
    os.killpg(group, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(group, signal.SIGKILL)
        process.wait(timeout=5)
    # Children that outlived their parent's exit (a pool process mid-task) go with the group.
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


def procfile_command(process: str, *extra: str) -> list[str]:
    """The Procfile's command for `process` (web, worker, deliver, beat), as production and `make
    run` start it, with the venv's programs and `extra` arguments (a node name, a bind address)."""
    from honcho.environ import parse_procfile

    command = shlex.split(parse_procfile((ROOT / "Procfile").read_text()).processes[process])
    program = VENV_BIN / command[0]
    return [str(program) if program.exists() else command[0], *command[1:], *extra]


def children_of(pid: int) -> list[int]:
    """Direct children of `pid`, read from /proc (no psutil in the venv)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 4 (ppid) comes after the command name, which is in parentheses and may hold spaces.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (a prefork worker's pool, gunicorn's workers)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue += children_of(current)
    return found


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a live process has used so far, in seconds."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15)


class CpuMeter:
    """CPU time used by groups of processes over a span, read from /proc: each process is counted
    from when it is first seen (its use before `start` subtracted) to the last time it was seen,
    so processes that come and go (PostgreSQL backends) are counted while they lived."""

    def __init__(self) -> None:
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.role_of: dict[int, str] = {}

    def read(self, role: str, pids: list[int], *, baseline: bool = False) -> None:
        for pid in pids:
            used = cpu_seconds(pid)
            if used is None:
                continue
            if pid not in self.first:
                # A process first seen after the start was born during the span: all its use counts.
                self.first[pid] = used if baseline else 0.0
                self.role_of[pid] = role
            self.last[pid] = used

    def by_role(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for pid, role in self.role_of.items():
            totals[role] = totals.get(role, 0.0) + self.last[pid] - self.first[pid]
        return totals


def postgres_pids() -> list[int]:
    """PostgreSQL's processes that work for the bench: the bench database's backends and the
    server's own (checkpointer, WAL writer, autovacuum), not other databases' backends."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR datname IS NULL")
        return [row[0] for row in cursor.fetchall()]


def peak_rss_kib(pid: int) -> int | None:
    """VmHWM (peak resident set size) of a live process, in KiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else None


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


# The machine, for RESULTS.md


def redis_pid() -> int:
    """The Redis server's process (the whole server: on a shared machine, other clients' work too)."""
    import redis

    return int(redis.Redis.from_url(REDIS_URL).info("server")["process_id"])


def load_average() -> float:
    """The 1-minute load average: on a shared machine, a high one means other work ran too."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def _cpu_times() -> tuple[int, int]:
    """(idle, total) jiffies of all CPUs since boot, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return fields[3] + fields[4], sum(fields)  # idle + iowait


def cpu_busy(seconds: float = 2.0) -> float:
    """The share of all CPUs that was busy over the next `seconds`, 0..1."""
    idle_before, total_before = _cpu_times()
    time.sleep(seconds)
    idle_after, total_after = _cpu_times()
    return 1 - (idle_after - idle_before) / max(1, total_after - total_before)


def wait_until_quiet(*, busy_below: float = 0.15, timeout: float = 120.0) -> tuple[float, float]:
    """Wait for the machine to settle after the herd (PostgreSQL's checkpoint and autovacuum of
    the tables it filled): until the CPUs are less than `busy_below` busy over 2 s, or `timeout`.
    Returns (seconds waited, the last busy share)."""
    started = time.monotonic()
    busy = cpu_busy()
    while busy >= busy_below and time.monotonic() - started < timeout:
        busy = cpu_busy()
    return time.monotonic() - started, busy


def autovacuum_runs() -> int:
    """How many times autovacuum has vacuumed or analysed a table of the bench database so far:
    the difference across a phase says whether PostgreSQL's maintenance ran during it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT COALESCE(SUM(autovacuum_count + autoanalyze_count), 0) FROM pg_stat_user_tables")
        return int(cursor.fetchone()[0])


@dataclass(frozen=True)
class Machine:
    cpus: str
    cpu_model: str
    memory: str
    kernel: str
    python: str
    postgres: str
    redis: str


def describe_machine() -> Machine:
    import psycopg
    import redis

    cpu_model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.rstrip()
    url = urlparse(DATABASE_URL)
    with psycopg.connect(url._replace(path="/postgres").geturl()) as conn:
        (postgres,) = conn.execute("SHOW server_version").fetchall()[0]
    redis_version = redis.Redis.from_url(REDIS_URL).info("server")["redis_version"]
    return Machine(
        cpus=subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(),
        cpu_model=cpu_model,
        memory=free,
        kernel=platform.release(),
        python=platform.python_version(),
        postgres=postgres,
        redis=redis_version,
    )
