"""Real processes and threads for integration tests: a Celery worker on the test database, a Redis
server of the test's own, actions released at the same instant, and polling until they have done
their part. Nothing is mocked."""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"
WAIT = 30  # seconds a process gets for each step


def database_url() -> str:
    """The URL of the database this test runs on (the test database, while the test runs)."""
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql", db["ENGINE"]
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"


class LoggedProcess(subprocess.Popen[bytes]):
    """A process whose output goes to a file, which a failure quotes."""

    log_path: Path


def start_worker(
    *,
    broker: str,
    log_path: Path,
    env: dict | None = None,
    queues: str | None = settings.WORKER_QUEUES,
    pool: tuple[str, ...] = ("--pool", "solo"),
) -> LoggedProcess:
    """A `celery -A config worker` process on the test database and `broker`; `queues=None` starts
    it without -Q, as a plain `celery -A config worker` is. One process (`--pool solo`) unless
    `pool` says otherwise (`("--pool", "prefork", "--concurrency", "2")`, as production runs)."""
    assert settings.DATABASES["default"]["NAME"].startswith("test_")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "TEST_REDIS_URL": broker,
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    command = [str(CELERY), "-A", "config", "worker", *(["-Q", queues] if queues else []), *pool]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
    with log_path.open("ab") as log:
        process = LoggedProcess(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    process.log_path = log_path
    return process


def stop_worker(process: LoggedProcess) -> None:
    """Ends a worker of `start_worker`'s once its test is over: one process (the solo pool), killed,
    since no test waits on what it was still doing and a warm shutdown takes seconds."""
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def start_web(*, broker: str, log_path: Path, env: dict | None = None) -> tuple[LoggedProcess, str]:
    """The Procfile's web process (gunicorn, one worker) on the test database and `broker`, once it
    answers; returns it and its origin."""
    assert settings.DATABASES["default"]["NAME"].startswith("test_")
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "TEST_REDIS_URL": broker,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        **(env or {}),
    }
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"]
    with log_path.open("ab") as log:
        process = LoggedProcess(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    process.log_path = log_path
    origin = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    wait_for(answers, process, "listen")
    return process, origin


class Http:
    """A client of a web process, as the app or a proxy in front of it calls it."""

    def __init__(self, origin: str):
        self.origin = origin

    def call(self, method: str, path: str, body: dict | None = None, *, token: str = "", headers: dict | None = None):
        """(status, JSON body or None, response headers)."""
        request = urllib.request.Request(
            path if path.startswith("http") else self.origin + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Token {token}"} if token else {}),
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw, status, answer_headers = response.read(), response.status, response.headers
        except urllib.error.HTTPError as error:
            raw, status, answer_headers = error.read(), error.code, error.headers
        is_json = answer_headers.get("Content-Type", "").startswith("application/json")
        return status, json.loads(raw) if is_json and raw else None, answer_headers


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def wait_for(condition, process: LoggedProcess, what: str, timeout: float = WAIT):
    """Poll `condition` until it returns something truthy; fail with the process's log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        assert process.poll() is None, f"the process exited:\n{process.log_path.read_text()}"
        time.sleep(0.2)
    pytest.fail(f"the worker did not {what} within {timeout} s:\n{process.log_path.read_text()}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own on its own port, that the test can stop and start."""

    def __init__(self, port: int, workdir: Path):
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed: the machine runs Redis 7 for the test suite"
        self.binary, self.port, self.workdir = binary, port, workdir
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=0.5).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=5)
            self.process = None


def run_at_once(*actions):
    """Run each action in its own thread and database connection, released together; returns
    each one's result or the exception it raised."""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def worker(index, action):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = action()
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes
