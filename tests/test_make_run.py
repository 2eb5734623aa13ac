"""`make run` as a newcomer uses it: the Procfile's four processes under honcho on the embedded
defaults (SQLite and the filesystem broker; here in folders of the test's own), the app answering
at its address and writing that address into its links, nothing written into the repository
outside var/, and a SIGTERM from outside stopping every process it started."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.integration.processes import ROOT, free_port

pytestmark = pytest.mark.once  # the same on either engine: run in the PostgreSQL pass only


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # Field 4 (ppid) comes after the command name, which is in parentheses.
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has finished; only its parent has yet to read its status


def files_changed_outside_var() -> list[str]:
    """What `git status` lists in the repository (var/ is ignored): files made or changed."""
    listed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return sorted(listed.stdout.splitlines())


def test_make_run_serves_the_app_at_its_address_and_a_sigterm_from_outside_stops_every_process(tmp_path):
    address = f"127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tandem.sqlite3'}",
        "BROKER_DIR": str(tmp_path / "broker"),
        "THROTTLES_DIR": str(tmp_path / "throttles"),
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "celerybeat-schedule"),
    }
    for setting in ("DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL", "APP_BASE_URL", "API_BASE_URL"):
        env.pop(setting, None)  # make run chooses its own (the development settings, the embedded defaults)
    before = files_changed_outside_var()
    log = (tmp_path / "make-run.log").open("wb")
    make = subprocess.Popen(
        ["make", "run", f"RUN_ADDRESS={address}"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://{address}/", timeout=2).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or its first answer is slow while the four processes start
            assert make.poll() is None, (tmp_path / "make-run.log").read_text()
            time.sleep(0.3)
        else:
            pytest.fail(f"make run did not serve the app:\n{(tmp_path / 'make-run.log').read_text()}")
        started = descendants(make.pid)
        output = (tmp_path / "make-run.log").read_text()
        for process in ("web.1", "worker.1", "deliver.1", "beat.1"):
            assert f"{process} " in output, output

        # The links it writes (invites, emails, pushes) point at the address it serves.
        person = {"email": "newcomer@example.com", "password": "a long enough password 7", "display_name": "New"}
        registered = requests.post(f"http://{address}/api/v1/auth/register", json=person, timeout=10)
        assert registered.status_code == 201, registered.text
        token = {"Authorization": f"Token {registered.json()['token']}"}
        invite = requests.post(f"http://{address}/api/v1/couple/invites", headers=token, timeout=10)
        assert invite.status_code == 201, invite.text
        assert invite.json()["join_url"].startswith(f"http://{address}/join?code=")

        make.send_signal(signal.SIGTERM)
        make.wait(timeout=45)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(alive(pid) for pid in started):
            time.sleep(0.2)
        left = sorted(pid for pid in started if alive(pid))
        assert left == [], f"still running after make run was stopped: {left}"
        # Everything it wrote is under var/ or in the folders given to it (the broker's exchange
        # tables included), none of it in the repository's tracked folders.
        assert files_changed_outside_var() == before
        assert list((tmp_path / "broker" / "control").glob("*.exchange"))
    finally:
        for pid in descendants(make.pid):
            os.kill(pid, signal.SIGKILL)
        if make.poll() is None:
            make.kill()
        log.close()
