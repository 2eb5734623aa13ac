"""The tick: every minute, open the rounds that are due, nudge, close ended rounds, sweep.

Safe with two beats and several workers at once: due schedules are claimed with
SELECT ... FOR UPDATE SKIP LOCKED (a second tick skips what the first holds and finds it no longer
due once the first commits), and every other step is a conditional update that only one process
can win. Work is done in bounded batches, each in its own transaction. When nothing is due every
step is one indexed query (schedule_due_idx, round_open_closes_idx, round_nudge_due_idx,
round_unanalysed_idx), so a quiet minute costs the same at 100,000 couples as at 100.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import DataError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q, QuerySet

from checkin import later, round_changes, services
from checkin.models import Round
from couples import schedules
from couples.models import Schedule
from couples.services import schedules_move_on

log = logging.getLogger(__name__)

BATCH_SIZE = 500
# A couple whose row makes the tick fail is retried this much later, without blocking the rest.
RETRY_FAILED_COUPLE_AFTER = timedelta(hours=1)
# A revealed round whose analysis has not run by now lost its enqueue (broker down, crash), or the
# analysis failed: the sweep hands it to the workers again.
ANALYSIS_GRACE = timedelta(minutes=2)
# How long the sweep waits after each hand-off of an analysis (the reveal's, then its own) before
# it hands it off again; after the last wait it gives up. So an analysis is tried
# len(ANALYSIS_WAITS) times in all, over about an hour and a quarter: a worker or broker outage of
# that long is ridden out, an analysis that always fails stops, and a queue that is merely slow
# gets a second copy at most every wait (the copies that find the round analysed do nothing).
ANALYSIS_WAITS = (ANALYSIS_GRACE, timedelta(minutes=10), timedelta(hours=1))
HEARTBEAT = "tick"


@dataclass
class TickReport:
    opened: int = 0
    skipped: int = 0
    failed: list[int] = field(default_factory=list)
    closed: int = 0
    nudged: int = 0
    reanalysed: int = 0


def tick(*, now: datetime) -> TickReport:
    report = TickReport()
    # Close first: a round whose window ended must not count as "still open" and block the round
    # now due (a window as long as the period, or catch-up after downtime).
    report.closed = close_ended_rounds(now=now)
    open_due_rounds(now=now, report=report)
    report.nudged = nudge_due_rounds(now=now)
    report.reanalysed = sweep_unanalysed_rounds(now=now)
    services.heartbeat_record(name=HEARTBEAT, at=now)
    return report


def open_due_rounds(*, now: datetime, report: TickReport | None = None) -> TickReport:
    report = report or TickReport()
    while True:
        with transaction.atomic():
            due = list(
                Schedule.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_checkin_at__lte=now)
                .order_by("next_checkin_at")[:BATCH_SIZE]
            )
            try:
                # The common case in a few queries for the whole batch (the Sunday-evening herd).
                with transaction.atomic():
                    batch_report = TickReport()
                    _open_batch(due=due, now=now, report=batch_report)
                report.opened += batch_report.opened
                report.skipped += batch_report.skipped
                report.failed += batch_report.failed
            except (IntegrityError, DataError):
                # A row the batch could not write (a "check in now" round that appeared
                # meanwhile, say): redo the batch couple by couple, so one never blocks the rest.
                # Any other database error (a lost connection, a lock timeout) aborts the tick:
                # everything rolls back and the next tick, a minute later, does the work.
                log.warning("tick: batch of %s failed; opening one couple at a time", len(due), exc_info=True)
                for schedule in due:
                    # The rolled-back batch changed these objects in memory; the rows are as they were.
                    schedule.refresh_from_db(fields=["next_checkin_at"])
                    _open_one(schedule=schedule, now=now, report=report)
        if len(due) < BATCH_SIZE:
            return report


@dataclass(frozen=True)
class _Plan:
    occurrence: datetime
    next_checkin_at: datetime


def _plan(schedule: Schedule, now: datetime) -> _Plan:
    """Pure: which occurrence is due now, and when the next one is."""
    recurrence = schedule.recurrence
    # Catch-up: after the scheduler was down, only the latest occurrence that is due counts,
    # never a burst of stale rounds; the schedule then moves on into the future.
    occurrence = schedule.next_checkin_at
    assert occurrence is not None  # the tick selects due schedules by it
    while (following := schedules.next_occurrence(recurrence, after=occurrence)) <= now:
        occurrence = following
    return _Plan(occurrence=occurrence, next_checkin_at=schedules.next_occurrence(recurrence, after=now))


def _window_still_runs(schedule: Schedule, plan: _Plan, now: datetime) -> bool:
    # If the whole window passed while the scheduler was down, that round is not opened late.
    return plan.occurrence + timedelta(hours=schedule.window_hours) > now


def _open_batch(*, due: list[Schedule], now: datetime, report: TickReport) -> None:
    already_open = set(
        Round.objects.filter(couple_id__in=[s.couple_id for s in due], status=Round.Status.OPEN).values_list(
            "couple_id", flat=True
        )
    )
    rounds = []
    for schedule in due:
        try:
            plan = _plan(schedule, now)
        except Exception:
            _log_failure(schedule, now, report)
            continue
        schedule.next_checkin_at = plan.next_checkin_at
        if not _window_still_runs(schedule, plan, now) or schedule.couple_id in already_open:
            # A round still open is not doubled: the schedule has moved on.
            report.skipped += 1
            continue
        rounds.append(services.round_unsaved(schedule=schedule, now=now, scheduled_for=plan.occurrence))
    schedules_move_on(next_checkins={schedule.pk: schedule.next_checkin_at for schedule in due})
    services.rounds_open(rounds=rounds)
    report.opened += len(rounds)


def _log_failure(schedule: Schedule, now: datetime, report: TickReport) -> None:
    # Old data can be bad (a time zone that no longer exists): log, retry this couple later,
    # and go on with the others.
    log.exception("tick: could not open a round for couple %s", schedule.couple_id)
    report.failed.append(schedule.couple_id)
    schedule.next_checkin_at = now + RETRY_FAILED_COUPLE_AFTER


def _open_one(*, schedule: Schedule, now: datetime, report: TickReport) -> None:
    try:
        with transaction.atomic():
            plan = _plan(schedule, now)
            schedule.next_checkin_at = plan.next_checkin_at
            schedules_move_on(next_checkins={schedule.pk: plan.next_checkin_at})
            if (
                not _window_still_runs(schedule, plan, now)
                or Round.objects.filter(couple_id=schedule.couple_id, status=Round.Status.OPEN).exists()
            ):
                report.skipped += 1
                return
            services.rounds_open(
                rounds=[services.round_unsaved(schedule=schedule, now=now, scheduled_for=plan.occurrence)]
            )
            report.opened += 1
    except (OperationalError, InterfaceError):
        raise  # the database itself is failing, not this couple's data: abort the tick
    except Exception:
        _log_failure(schedule, now, report)
        schedules_move_on(next_checkins={schedule.pk: schedule.next_checkin_at})


def _in_batches(queryset: QuerySet[Round], action: Callable[[int], int]) -> int:
    done = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH_SIZE])
        for pk in ids:
            done += action(pk)
        if len(ids) < BATCH_SIZE:
            return done


def close_ended_rounds(*, now: datetime) -> int:
    ended = Round.objects.filter(status=Round.Status.OPEN, closes_at__lte=now).order_by("closes_at")
    closed = 0
    while ids := list(ended.values_list("pk", flat=True)[:BATCH_SIZE]):
        # Conditional: a round revealed or closed by someone else meanwhile is left as it is.
        closed += round_changes.rounds_expire(Round.objects.filter(pk__in=ids, closes_at__lte=now), now=now)
        if len(ids) < BATCH_SIZE:
            break
    return closed


def nudge_due_rounds(*, now: datetime) -> int:
    due = Round.objects.filter(status=Round.Status.OPEN, nudged_at__isnull=True, nudge_at__lte=now).order_by("nudge_at")
    return _in_batches(due, lambda pk: 1 if services.round_nudge(round_id=pk, now=now) else 0)


def sweep_unanalysed_rounds(*, now: datetime) -> int:
    """Hand the analyses that have not run since their last hand-off's wait to the workers again,
    or give them up after the last wait. Returns how many were handed off."""
    waited = Q(analysis_handoffs=0, revealed_at__lte=now - ANALYSIS_WAITS[0])
    for handoffs, wait in enumerate(ANALYSIS_WAITS[1:], start=1):
        waited |= Q(analysis_handoffs=handoffs, analysis_handed_off_at__lte=now - wait)
    stale = (
        Round.objects.filter(status=Round.Status.REVEALED, analysed_at__isnull=True, analysis_given_up_at__isnull=True)
        .filter(waited)
        .order_by("revealed_at")
    )
    handed_off = 0
    for pk, handoffs in stale.values_list("pk", "analysis_handoffs")[:BATCH_SIZE]:
        if handoffs >= len(ANALYSIS_WAITS) - 1:
            services.round_analysis_give_up(round_id=pk, handoffs=handoffs, now=now)
        elif services.round_analysis_hand_off(round_id=pk, handoffs=handoffs, now=now):
            later.round_analyse(pk)
            handed_off += 1
    return handed_off
