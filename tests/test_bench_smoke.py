"""The benchmark (`make bench`, bench/README.md) still runs: a tiny herd sent through real workers
to the bench's own push service and SMTP server, and the quiet tick, on a database, Redis database
and ports of its own. The API pass is left out: it needs wrk, which the suite does not install. No
timing is asserted here; the figures belong to the bench's own report. The herd runs with a few
open apps beside it (`--open-apps`), asking what changed as the app does, and answering."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
COUPLES = 150
OPEN_APPS = 20  # couples


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
    command += ["--open-apps", str(OPEN_APPS), "--open-apps-mode", "live", "--open-apps-answer-after", "0,2"]
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
    assert re.search(rf"^\| {COUPLES} \| 2 \| [\d.]+ \|", text, re.M), text  # the quiet tick was timed

    # The open apps: every person's reminder reached their open app, which asked what changed (a
    # 200: the round opened) and read the round; some answered, every answer kept; nothing failed.
    apps = rf"^\| {COUPLES} \| {OPEN_APPS} \({2 * OPEN_APPS}\) \| live \|"

    def statuses_of(kind: str) -> str:
        row = re.search(rf"{apps} {re.escape(kind)} \| ([^|]*)\|", text, re.M)
        assert row, (kind, text)
        return row.group(1).strip()

    assert re.fullmatch(r"[\d,]+ \(200 [\d,]+\)", statuses_of("GET changes (200)")), text
    assert re.fullmatch(r"[\d,]+ \(200 [\d,]+\)", statuses_of("PUT checkins/{id}/response")), text
    summary = re.search(rf"{apps} ([\d,]+ \|.*)$", text, re.M)
    assert summary, text
    cells = [cell.strip() for cell in summary.group(1).strip(" |").split("|")]
    reminded, answered, later = cells[3], cells[4], int(cells[5])
    assert reminded == str(2 * OPEN_APPS) and int(answered) > 0, text
    # Every reminder sent, and besides them only the reveals' "results are ready" to the open apps'
    # couples that both answered (a push and an email each).
    sent = str(2 * COUPLES + later // 2)
    statuses = re.search(rf"^\| {COUPLES} \| 1 \| 5 \| ([\d,]+) \| ([\d,]+) \|$", text, re.M)
    assert statuses and statuses.groups() == (sent, sent), text  # email sent, push sent
