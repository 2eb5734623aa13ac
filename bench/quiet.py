"""Scenario 2, the quiet minute: the same N couples, none due; one `scheduler.tick` in-process.

Runs right after the herd, so the state is the one a real quiet minute finds: N schedules whose
next check-in is a week ahead, N rounds open (none ended, none due a nudge), 2N notifications.
Every schedule is also set explicitly a week ahead, in case the herd did not finish.
Needs Django set up on bench.settings (bench/run.py does it).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from bench import seed


@dataclass(frozen=True)
class QuietResult:
    couples: int
    runs: int
    median_ms: float
    p90_ms: float
    max_ms: float
    opened: int  # rounds a quiet tick opened: must be 0


def run(*, couples: int, runs: int) -> QuietResult:
    from checkin import scheduler
    from couples.models import Schedule

    now = timezone.now()
    Schedule.objects.update(next_checkin_at=now + timedelta(weeks=1))
    seed.analyze()
    scheduler.tick(now=now)  # warm-up: connection, imports, plan caches
    timings, opened = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        report = scheduler.tick(now=timezone.now())
        timings.append((time.perf_counter() - started) * 1000)
        opened += report.opened
    timings.sort()
    return QuietResult(
        couples=couples,
        runs=runs,
        median_ms=statistics.median(timings),
        p90_ms=timings[max(0, int(len(timings) * 0.9) - 1)],
        max_ms=timings[-1],
        opened=opened,
    )
