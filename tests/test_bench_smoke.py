"""The benchmark (`make bench`, bench/README.md) still runs: a tiny herd sent through real workers
to the bench's own push service and SMTP server, and the quiet tick, on a database, Redis database
and ports of its own. The API pass is left out: it needs wrk, which the suite does not install. No
timing is asserted here; the figures belong to the bench's own report."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
COUPLES = 150


def test_a_tiny_herd_reaches_every_phone_and_inbox_exactly_once_through_real_workers(tmp_path):
    report = tmp_path / "report.md"
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": os.environ.get(
            "BENCH_SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem_bench_smoke"
        ),
        "BENCH_REDIS_URL": os.environ.get("BENCH_SMOKE_REDIS_URL", "redis://127.0.0.1:6379/10"),
        # Ports of its own, so that a bench running meanwhile is not disturbed.
        "BENCH_API_PORT": "18865",
        "BENCH_PUSH_PORT": "18867",
        "BENCH_SMTP_PORT": "18868",
        "BENCH_SMTP_STATS_PORT": "18869",
    }
    command = [sys.executable, "bench/run.py", "--couples", str(COUPLES), "--sizes", str(COUPLES)]
    command += ["--skip-api", "--quiet-runs", "2", "--herd-timeout", "240", "--write", str(report)]
    command += ["--deliver-workers", "1", "--push-latency-ms", "5", "--herd-api-rate", "10"]
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=400)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]

    text = report.read_text()
    herd_row = re.search(rf"^\| {COUPLES} \| 1 \| 5 \|(.*)$", text, re.M)
    assert herd_row, text
    cells = [cell.strip() for cell in herd_row.group(1).strip(" |").split("|")]
    last_push, last_email, duplicates, lost = cells[4], cells[8], cells[9], cells[10]
    assert "timed out" not in last_push + last_email, text
    # Counted by the push service and the SMTP server themselves: each person's once.
    assert (duplicates, lost) == ("0 / 0", "0 / 0"), text
    statuses = re.search(rf"^\| {COUPLES} \| 1 \| 5 \| ([\d,]+) \| ([\d,]+) \|$", text, re.M)
    assert statuses and statuses.groups() == (str(2 * COUPLES), str(2 * COUPLES)), text  # email sent, push sent
    assert re.search(rf"^\| {COUPLES} \| 2 \| [\d.]+ \|", text, re.M), text  # the quiet tick was timed
