"""The next check-in of a schedule: pure functions over plain values, no ORM.

A schedule names a local wall-clock time in an IANA zone: "Sundays 19:00 in Europe/Riga" or
"every 3 days at 08:30 in Australia/Lord_Howe". Occurrences are computed on local *dates*
(naive date arithmetic, where a day is always a day) and only then turned into an instant, so a
DST change never drifts the time: we never add a timedelta to an aware local datetime.

Wall times that a DST change makes odd get one deterministic answer, the one zoneinfo gives
for ``fold=0``:
- a time that does not exist (spring forward, e.g. 02:30 on the night New York jumps from 02:00
  to 03:00) happens at the same distance after the gap's start as the wall time says, i.e. it
  is shifted forward by the size of the gap: 02:30 becomes 03:30 EDT in New York, and 02:15
  becomes 02:45 at Lord Howe, whose gap is 30 minutes. The check-in is never skipped; it
  happens as close to the chosen time as the clock allows (in the rare zones whose change
  crosses midnight, such as America/Nuuk since 2024, that is just after midnight).
- a time that occurs twice (fall back, e.g. 01:30 in New York in November) happens at its
  first occurrence, before the clocks go back. It never happens twice.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Cadence = Literal["weekly", "every_n_days"]
WEEKLY: Cadence = "weekly"
EVERY_N_DAYS: Cadence = "every_n_days"


@dataclass(frozen=True)
class Recurrence:
    """When a couple checks in. ``weekday`` counts from 0 = Monday; ``anchor`` is the local date
    from which an ``every_n_days`` schedule counts its periods."""

    cadence: Cadence
    local_time: time
    timezone: str
    weekday: int = 6
    interval_days: int = 7
    anchor: date = date(2000, 1, 2)

    @property
    def period_days(self) -> int:
        return 7 if self.cadence == WEEKLY else self.interval_days


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall time ``at`` on local date ``day``, by the rule in the docstring."""
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=zone)
    return wall.astimezone(UTC)


def _first_date_on_or_after(recurrence: Recurrence, day: date) -> date:
    if recurrence.cadence == WEEKLY:
        return day + timedelta(days=(recurrence.weekday - day.weekday()) % 7)
    period = recurrence.interval_days
    periods_ahead = -((recurrence.anchor - day).days // period)  # ceil((day - anchor) / period)
    return recurrence.anchor + timedelta(days=periods_ahead * period)


def next_occurrence(recurrence: Recurrence, *, after: datetime) -> datetime:
    """The first occurrence strictly after the aware instant ``after``, as an aware UTC datetime."""
    zone = ZoneInfo(recurrence.timezone)
    # Start a day early: the occurrence on the local date of `after` may already be past, and a
    # shifted (spring-forward) time never moves an occurrence to an earlier date.
    day = _first_date_on_or_after(recurrence, after.astimezone(zone).date() - timedelta(days=1))
    step = timedelta(days=recurrence.period_days)
    while True:
        instant = local_instant(day, recurrence.local_time, zone)
        if instant > after:
            return instant
        day += step
