"""The benchmark (`make bench`, bench/README.md) still runs: a tiny herd and quiet tick, on a
database and Redis database of its own. The API pass is left out: it needs wrk, which the suite
does not install. No timing is asserted here; the figures belong to the bench's own report."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
COUPLES = 150


def test_a_tiny_herd_runs_through_a_real_worker_and_every_notification_reaches_the_broker(tmp_path):
    report = tmp_path / "report.md"
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": os.environ.get(
            "BENCH_SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem_bench_smoke"
        ),
        "BENCH_REDIS_URL": os.environ.get("BENCH_SMOKE_REDIS_URL", "redis://127.0.0.1:6379/10"),
    }
    command = [sys.executable, "bench/run.py", "--couples", str(COUPLES), "--sizes", str(COUPLES)]
    command += ["--skip-api", "--quiet-runs", "2", "--herd-timeout", "240", "--write", str(report)]
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=400)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]

    text = report.read_text()
    herd_row = re.search(rf"^\| {COUPLES} \| ([^|]+)\|(?:[^|]*\|){{3}} ([\d,]+) \| ([\d,]+) \|", text, re.M)
    assert herd_row, text
    done, deliveries, handed_over = herd_row.groups()
    assert "timed out" not in done
    # Every partner of every couple gets an email, and each is on its way through the broker.
    assert int(deliveries.replace(",", "")) == int(handed_over.replace(",", "")) == 2 * COUPLES
    assert re.search(rf"^\| {COUPLES} \| 2 \| [\d.]+ \|", text, re.M), text  # the quiet tick was timed
