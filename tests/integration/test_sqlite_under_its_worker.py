"""The embedded default (`make run`: SQLite, web and a Celery worker writing one file) holds up: while
the worker files and sends the messages of couples pairing and checking in, the web answers every
request, and never with "database is locked".

Real processes on a SQLite file of the test's own: `manage.py runserver` and `celery worker` under
the development settings, as `make run` starts them (with a Redis broker database of the test's own
instead of the filesystem broker, so the test can empty it)."""

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from django.conf import settings

from tests.integration.processes import CELERY, ROOT, free_port, stop

COUPLES = 12
# A Redis database of its own, one per pytest-xdist worker beside the workers' brokers (15, 14).
BROKER = f"redis://127.0.0.1:6379/{13 - settings.XDIST_WORKER}"


def _environment(database: str, throttles: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": database,
        "THROTTLES_DIR": throttles,  # the test's own counters, not the checkout's (var/throttles)
        "CELERY_BROKER_URL": BROKER,
        "DEBUG": "false",
        # Every person here signs up from 127.0.0.1: the per-address throttles would stop them.
        "THROTTLE_REGISTER": "1000/hour",
        "THROTTLE_JOIN_ADDRESS": "1000/hour",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def embedded_app(tmp_path):
    """Web and worker on one SQLite file, as `make run` runs them; yields the web's base URL."""
    environment = _environment(f"sqlite:///{tmp_path / 'tandem.sqlite3'}", str(tmp_path / "throttles"))
    broker = redis.Redis.from_url(BROKER)
    broker.flushdb()  # fails here when Redis is down
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=environment, check=True)
    port = free_port()
    processes = []
    with (tmp_path / "web.log").open("ab") as web_log, (tmp_path / "worker.log").open("ab") as worker_log:
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=ROOT,
                env=environment,
                stdout=web_log,
                stderr=subprocess.STDOUT,
            )
        )
        command = [str(CELERY), "-A", "config", "worker", "-Q", "celery,deliver", "--concurrency=2", "-l", "INFO"]
        processes.append(
            subprocess.Popen(command, cwd=ROOT, env=environment, stdout=worker_log, stderr=subprocess.STDOUT)
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/api/v1/auth/csrf", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    else:
        pytest.fail(f"runserver did not start:\n{(tmp_path / 'web.log').read_text()}")
    try:
        yield base, tmp_path
    finally:
        for process in processes:
            stop(process)
        broker.flushdb()


def _couple_life(base: str, number: int) -> list[tuple[str, int]]:
    """Two people sign up, pair, check in now and both answer: every step writes, and each of
    pairing, opening and revealing gives the worker messages to file and send."""
    seen = []

    def call(method: str, path: str, token: str | None = None, body: dict | None = None) -> dict:
        headers = {"Authorization": f"Token {token}"} if token else {}
        response = requests.request(method, f"{base}/api/v1/{path}", json=body, headers=headers, timeout=60)
        seen.append((f"{method} {path}", response.status_code))
        if not response.ok:
            raise _Refused(response.status_code)
        return response.json() if response.content else {}

    try:
        tokens = []
        for who in ("a", "b"):
            body = {"email": f"{who}{number}@example.com", "password": "a long passphrase", "display_name": who}
            tokens.append(call("POST", "auth/register", body=body)["token"])
        code = call("POST", "couple/invites", tokens[0])["code"]
        call("POST", "couple/join", tokens[1], {"code": code})
        round_id = call("POST", "checkins", tokens[0])["id"]
        for token, (connection, independence) in zip(tokens, ((2, 5), (5, 2)), strict=True):
            answer = {"connection": connection, "independence": independence}
            call("PUT", f"checkins/{round_id}/response", token, answer)
    except _Refused:
        pass  # the rest of this couple's life needs what failed; the test reads `seen`
    return seen


class _Refused(Exception):
    pass


def test_the_web_answers_every_request_while_its_worker_writes_the_same_sqlite_file(embedded_app):
    base, logs = embedded_app
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = [call for calls in pool.map(lambda n: _couple_life(base, n), range(COUPLES)) for call in calls]
    failed = [(what, status) for what, status in outcomes if status >= 500]
    web_log = (logs / "web.log").read_text()
    assert failed == [], f"{failed}\n{web_log[-3000:]}"
    assert "database is locked" not in web_log
    assert len(outcomes) == COUPLES * 7
    assert sorted({status for _, status in outcomes}) == [200, 201]
    # The worker was writing meanwhile: it filed and sent the pairing messages it was handed.
    worker_log = (logs / "worker.log").read_text()
    assert "Task notifications.fan_out" in worker_log and "database is locked" not in worker_log, worker_log[-3000:]
