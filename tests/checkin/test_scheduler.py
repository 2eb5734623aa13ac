"""The tick (checkin.scheduler.tick), specified minute by minute.

Every minute the tick opens the rounds that are due at the couple's local time (catching up on
at most one missed occurrence), closes rounds whose window ended, nudges at half the window the
partners who have not answered (once), re-enqueues analyses that were lost, and records a
heartbeat. A couple whose data makes it fail is logged and retried an hour later; the others go
on. A quiet minute costs the same number of queries however many couples there are.

Time is frozen with time_machine and every tick is called with an explicit `now`.
Runs on PostgreSQL and on SQLite; the concurrency of two ticks is in tests/integration.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checkin import scheduler
from checkin import services as checkin_services
from checkin.models import Round, SchedulerHeartbeat
from couples.models import Couple, Schedule, User
from notifications.models import Notification
from tests.broker import analyses
from tests.builders import pair
from tests.factories import UserFactory
from workflows import services as workflows_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sent")]

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)
WINDOW = timedelta(hours=48)  # the default window of a new couple's schedule

# A Wednesday in January: a couple paired now in Riga (UTC+2 in winter) first checks in on
# Sunday 2026-01-11 at 19:00 local, which is 17:00 UTC.
PAIRED = datetime(2026, 1, 7, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 1, 11, 17, 0, tzinfo=UTC)


@dataclass
class Duo:
    couple: Couple
    a: User  # the inviter: the schedule takes their time zone
    b: User

    @property
    def schedule(self) -> Schedule:
        return Schedule.objects.get(couple=self.couple)

    def rounds(self):
        return Round.objects.filter(couple=self.couple).order_by("opens_at")


def make_duo(*, zone: str = "Europe/Riga", at: datetime = PAIRED) -> Duo:
    """Two new people paired at `at`, with the default schedule: Sundays 19:00 in `zone`."""
    with time_machine.travel(at, tick=False):
        a, b = UserFactory.create(timezone=zone), UserFactory.create(timezone=zone)
        return Duo(couple=pair(a, b), a=a, b=b)


def tick_at(moment: datetime) -> scheduler.TickReport:
    with time_machine.travel(moment, tick=False):
        return scheduler.tick(now=moment)


def answer(user: User, checkin_round: Round, *, at: datetime, connection: int = 4, independence: int = 4):
    with time_machine.travel(at, tick=False):
        return checkin_services.answer_submit(
            user=user, round_id=checkin_round.pk, connection=connection, independence=independence
        )


def inbox(user: User, kind: str) -> list[str]:
    """The subjects of `user`'s notifications of `kind`."""
    return list(Notification.objects.filter(user=user, kind=kind).values_list("subject", flat=True))


# Opening at the couple's local time


@pytest.mark.parametrize(
    "zone, paired_at, due, following",
    [
        pytest.param(
            "Europe/Riga",
            PAIRED,
            DUE,
            datetime(2026, 1, 18, 17, 0, tzinfo=UTC),
            id="riga-winter",
        ),
        pytest.param(
            # Riga leaves summer time (UTC+3 -> UTC+2) on Sunday 2026-10-25 at 04:00.
            "Europe/Riga",
            datetime(2026, 10, 14, 12, 0, tzinfo=UTC),
            datetime(2026, 10, 18, 16, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 17, 0, tzinfo=UTC),
            id="riga-autumn-dst-end",
        ),
        pytest.param(
            # New York springs forward (EST -> EDT) on Sunday 2026-03-08 at 02:00.
            "America/New_York",
            datetime(2026, 2, 25, 12, 0, tzinfo=UTC),
            datetime(2026, 3, 2, 0, 0, tzinfo=UTC),
            datetime(2026, 3, 8, 23, 0, tzinfo=UTC),
            id="new-york-spring-forward",
        ),
        pytest.param(
            # New York falls back (EDT -> EST) on Sunday 2026-11-01 at 02:00.
            "America/New_York",
            datetime(2026, 10, 21, 12, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
            datetime(2026, 11, 2, 0, 0, tzinfo=UTC),
            id="new-york-fall-back",
        ),
    ],
)
def test_a_round_opens_on_sunday_at_19_local_time_and_the_schedule_moves_to_the_next_sunday(
    zone, paired_at, due, following
):
    duo = make_duo(zone=zone, at=paired_at)
    assert duo.schedule.next_checkin_at == due
    local = due.astimezone(ZoneInfo(zone))
    assert (local.weekday(), local.hour, local.minute) == (6, 19, 0)

    report = tick_at(due - MINUTE)
    assert report.opened == 0
    assert not duo.rounds().exists()

    report = tick_at(due)
    assert (report.opened, report.skipped, report.failed) == (1, 0, [])
    opened = duo.rounds().get()
    assert opened.status == Round.Status.OPEN
    assert opened.scheduled_for == due
    assert opened.opens_at == due
    assert opened.closes_at == due + WINDOW
    for partner in (duo.a, duo.b):
        assert inbox(partner, Notification.Kind.ROUND_OPENED) == [f"round:{opened.pk}"]

    # The next check-in is the next Sunday at 19:00 on the wall clock, whatever UTC hour that is.
    next_at = duo.schedule.next_checkin_at
    assert next_at == following
    assert next_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == local.replace(tzinfo=None) + WEEK

    # And it opens then, not at the UTC hour of the week before.
    assert tick_at(following - MINUTE).opened == 0
    assert tick_at(following).opened == 1
    assert list(duo.rounds().values_list("scheduled_for", flat=True)) == [due, following]
    for partner in (duo.a, duo.b):
        assert len(inbox(partner, Notification.Kind.ROUND_OPENED)) == 2


def test_a_scheduled_round_is_due_its_nudge_at_half_its_window():
    duo = make_duo()
    tick_at(DUE)
    opened = duo.rounds().get()
    assert opened.nudge_at == DUE + WINDOW / 2
    assert opened.nudged_at is None


# Catching up after the scheduler was down


def test_after_missed_weeks_one_tick_opens_only_the_latest_occurrence_while_its_window_runs():
    duo = make_duo()
    # The scheduler was down for four weeks: four Sundays at 19:00 Riga time are due.
    four_weeks_ago = DUE - 4 * WEEK
    Schedule.objects.filter(couple=duo.couple).update(next_checkin_at=four_weeks_ago)
    now = DUE + timedelta(hours=17)  # Monday 12:00 in Riga: Sunday's window runs until Tuesday

    report = tick_at(now)

    assert (report.opened, report.failed) == (1, [])
    caught_up = duo.rounds().get()
    assert caught_up.scheduled_for == DUE
    assert caught_up.opens_at == now
    assert caught_up.closes_at == DUE + WINDOW  # the occurrence's window, not a fresh one
    assert now < caught_up.nudge_at < caught_up.closes_at
    assert duo.schedule.next_checkin_at == DUE + WEEK

    report = tick_at(now + MINUTE)
    assert (report.opened, report.skipped) == (0, 0)
    assert duo.rounds().count() == 1
    for partner in (duo.a, duo.b):
        assert len(inbox(partner, Notification.Kind.ROUND_OPENED)) == 1


def test_after_missed_weeks_no_round_opens_when_the_latest_window_has_passed_too():
    duo = make_duo()
    Schedule.objects.filter(couple=duo.couple).update(next_checkin_at=DUE - 3 * WEEK)
    now = DUE + WINDOW + HOUR  # Tuesday 20:00 in Riga: Sunday's window ended an hour ago

    report = tick_at(now)

    assert (report.opened, report.skipped, report.failed) == (0, 1, [])
    assert not duo.rounds().exists()
    assert duo.schedule.next_checkin_at == DUE + WEEK
    assert tick_at(now + MINUTE).skipped == 0
    assert not Notification.objects.filter(kind=Notification.Kind.ROUND_OPENED).exists()


def test_after_downtime_a_round_whose_window_ended_meanwhile_does_not_block_the_catch_up():
    duo = make_duo()
    tick_at(DUE)
    stale = duo.rounds().get()
    # The scheduler is down from Monday until three weeks later, a Monday: the round's window
    # ended during the downtime, so it is still "open" in the table when the tick comes back.
    now = DUE + 3 * WEEK + timedelta(hours=17)

    report = tick_at(now)

    stale.refresh_from_db()
    assert stale.status == Round.Status.EXPIRED
    assert report.failed == []
    assert report.opened == 1, report
    assert duo.rounds().last().scheduled_for == DUE + 3 * WEEK
    assert duo.schedule.next_checkin_at == DUE + 4 * WEEK


# A couple that makes the tick fail


def test_a_couple_whose_schedule_breaks_the_tick_is_logged_skipped_and_retried_an_hour_later(caplog):
    broken, others = make_duo(), [make_duo(), make_duo()]
    # Old data: a time zone that does not exist (any more).
    Schedule.objects.filter(couple=broken.couple).update(timezone="Not/AZone")

    with caplog.at_level(logging.ERROR, logger="checkin.scheduler"):
        report = tick_at(DUE)

    assert report.opened == 2
    assert report.failed == [broken.couple.pk]
    assert not broken.rounds().exists()
    for duo in others:
        assert duo.rounds().get().scheduled_for == DUE
        assert duo.schedule.next_checkin_at == DUE + WEEK
    logged = [r for r in caplog.records if r.name == "checkin.scheduler" and r.levelno == logging.ERROR]
    assert len(logged) == 1
    assert f"couple {broken.couple.pk}" in logged[0].getMessage()
    assert logged[0].exc_info is not None  # with the traceback
    assert broken.schedule.next_checkin_at == DUE + HOUR

    # Not retried before the hour is up; then retried (and, still broken, pushed on again).
    assert tick_at(DUE + 30 * MINUTE).failed == []
    assert tick_at(DUE + HOUR).failed == [broken.couple.pk]
    assert broken.schedule.next_checkin_at == DUE + 2 * HOUR
    assert not broken.rounds().exists()


# Rounds of one couple never overlap


def test_a_round_still_open_when_the_next_occurrence_falls_due_is_not_doubled():
    duo = make_duo()
    # "Check in now" two hours before the scheduled check-in: its window runs past it.
    with time_machine.travel(DUE - 2 * HOUR, tick=False):
        early = checkin_services.round_open_now(user=duo.a)
    assert early.closes_at > DUE

    report = tick_at(DUE)

    assert (report.opened, report.skipped, report.failed) == (0, 1, [])
    assert list(duo.rounds()) == [early]
    assert duo.rounds().get().status == Round.Status.OPEN
    assert duo.schedule.next_checkin_at == DUE + WEEK
    # The partner heard of the early round once (whoever checked in now knows), and of no other.
    assert inbox(duo.b, Notification.Kind.ROUND_OPENED) == [f"round:{early.pk}"]
    assert inbox(duo.a, Notification.Kind.ROUND_OPENED) == []


def test_a_round_whose_window_ends_as_the_next_occurrence_falls_due_does_not_block_it():
    """A window as long as the period is allowed (schedule_window_within_period): rounds then
    follow each other back to back. A round nobody finished must not cost the next week's."""
    duo = make_duo()
    with time_machine.travel(PAIRED, tick=False):
        workflows_services.schedule_update(user=duo.a, changes={"window_hours": 7 * 24})
    assert tick_at(DUE).opened == 1
    first = duo.rounds().get()
    assert first.closes_at == DUE + WEEK
    answer(duo.a, first, at=DUE + HOUR)  # Bob never answers

    report = tick_at(DUE + WEEK)

    first.refresh_from_db()
    assert first.status == Round.Status.EXPIRED
    assert report.failed == []
    assert report.opened == 1
    assert list(duo.rounds().values_list("scheduled_for", flat=True)) == [DUE, DUE + WEEK]


# Closing ended rounds


def test_rounds_whose_window_ended_with_fewer_than_two_answers_expire_once():
    half_answered, unanswered, revealed = make_duo(), make_duo(), make_duo()
    tick_at(DUE)
    answer(half_answered.a, half_answered.rounds().get(), at=DUE + HOUR)
    answer(revealed.a, revealed.rounds().get(), at=DUE + HOUR)
    answer(revealed.b, revealed.rounds().get(), at=DUE + 2 * HOUR)

    report = tick_at(DUE + WINDOW - MINUTE)
    assert report.closed == 0
    assert half_answered.rounds().get().status == Round.Status.OPEN

    report = tick_at(DUE + WINDOW)
    assert report.closed == 2
    for duo in (half_answered, unanswered):
        ended = duo.rounds().get()
        assert ended.status == Round.Status.EXPIRED
        assert ended.closed_at == DUE + WINDOW
        assert ended.revealed_at is None
    kept = revealed.rounds().get()
    assert kept.status == Round.Status.REVEALED
    assert kept.closed_at == DUE + 2 * HOUR

    before = list(Round.objects.order_by("pk").values_list("pk", "status", "closed_at"))
    report = tick_at(DUE + WINDOW + MINUTE)
    assert report.closed == 0
    assert list(Round.objects.order_by("pk").values_list("pk", "status", "closed_at")) == before


# The nudge


def test_at_half_the_window_only_the_partner_who_has_not_answered_is_nudged_and_only_once():
    one_answered, none_answered = make_duo(), make_duo()
    tick_at(DUE)
    checkin_round = one_answered.rounds().get()
    answer(one_answered.a, checkin_round, at=DUE + HOUR)
    half_window = DUE + WINDOW / 2

    report = tick_at(half_window - MINUTE)
    assert report.nudged == 0
    assert not Notification.objects.filter(kind=Notification.Kind.NUDGE).exists()

    report = tick_at(half_window)
    assert report.nudged == 2  # two rounds nudged
    assert inbox(one_answered.a, Notification.Kind.NUDGE) == []
    assert inbox(one_answered.b, Notification.Kind.NUDGE) == [f"round:{checkin_round.pk}"]
    other_round = none_answered.rounds().get()
    for partner in (none_answered.a, none_answered.b):
        assert inbox(partner, Notification.Kind.NUDGE) == [f"round:{other_round.pk}"]
    checkin_round.refresh_from_db()
    assert checkin_round.nudged_at == half_window

    for later in (half_window + MINUTE, half_window + 6 * HOUR, DUE + WINDOW - MINUTE):
        assert tick_at(later).nudged == 0
    assert Notification.objects.filter(kind=Notification.Kind.NUDGE).count() == 3


def test_nobody_is_nudged_once_the_couple_has_ended():
    duo = make_duo()
    tick_at(DUE)
    with time_machine.travel(DUE + 2 * HOUR, tick=False):
        workflows_services.couple_leave(user=duo.a)
    ended = duo.rounds().get()
    assert ended.status == Round.Status.EXPIRED  # leaving closed the open round

    report = tick_at(DUE + WINDOW / 2)

    assert report.nudged == 0
    assert not Notification.objects.filter(kind=Notification.Kind.NUDGE).exists()


# Couples that ended


def test_a_couple_that_ended_gets_no_rounds():
    ended, active = make_duo(), make_duo()
    with time_machine.travel(PAIRED + HOUR, tick=False):
        workflows_services.couple_leave(user=ended.b)
    assert ended.schedule.next_checkin_at is None

    # Three Sundays, each round closed when its window ends.
    for sunday in (DUE, DUE + WEEK, DUE + 2 * WEEK):
        tick_at(sunday)
        tick_at(sunday + WINDOW)

    assert not ended.rounds().exists()
    assert active.rounds().count() == 3
    for partner in (ended.a, ended.b):
        assert inbox(partner, Notification.Kind.ROUND_OPENED) == []


# Lost analyses


def test_a_revealed_round_whose_analysis_was_not_enqueued_is_swept_after_the_grace(sent):
    duo = make_duo()
    tick_at(DUE)
    checkin_round = duo.rounds().get()
    answer(duo.a, checkin_round, at=DUE + HOUR)
    answer(duo.b, checkin_round, at=DUE + 2 * HOUR)  # reveals; on_commit never runs in this test
    assert analyses(sent) == []

    assert tick_at(DUE + 2 * HOUR + MINUTE).reanalysed == 0
    assert tick_at(DUE + 2 * HOUR + scheduler.ANALYSIS_GRACE).reanalysed == 1
    assert analyses(sent) == [checkin_round.pk]

    checkin_services.round_analyse(round_id=checkin_round.pk)
    assert tick_at(DUE + 3 * HOUR).reanalysed == 0
    assert analyses(sent) == [checkin_round.pk]


# The heartbeat


def test_each_tick_records_its_time_in_the_heartbeat():
    assert not SchedulerHeartbeat.objects.exists()
    tick_at(DUE)
    assert SchedulerHeartbeat.objects.get(name="tick").completed_at == DUE
    tick_at(DUE + MINUTE)
    assert SchedulerHeartbeat.objects.get(name="tick").completed_at == DUE + MINUTE
    assert SchedulerHeartbeat.objects.count() == 1


# Cost


def add_couples(count: int) -> None:
    """`count` couples, every other one with a round open from "check in now" at PAIRED."""
    for index in range(count):
        duo = make_duo()
        if index % 2 == 0:
            with time_machine.travel(PAIRED, tick=False):
                checkin_services.round_open_now(user=duo.a)


def quiet_tick_queries(moment: datetime) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        report = tick_at(moment)
    assert report == scheduler.TickReport()  # nothing to do
    return [query["sql"] for query in captured.captured_queries]


def test_a_quiet_tick_costs_the_same_number_of_queries_with_5_couples_as_with_60():
    # Nothing is due an hour after pairing: schedules are for Sunday, open rounds close in 48 h
    # and are nudged in 24 h. A first tick records the heartbeat row.
    quiet = PAIRED + HOUR
    add_couples(5)
    tick_at(quiet)
    with_5 = quiet_tick_queries(quiet + MINUTE)

    add_couples(55)
    assert Couple.objects.count() == 60
    with_60 = quiet_tick_queries(quiet + 2 * MINUTE)

    assert len(with_60) == len(with_5), "\n".join(with_60)


def test_a_couple_whose_round_cannot_be_written_is_skipped_and_the_others_still_open(caplog):
    # Old data: this occurrence already has a round (left by a lost update of next_checkin_at),
    # so the database refuses a second one; the batch falls back to one couple at a time.
    stuck, others = make_duo(), [make_duo(), make_duo()]
    with time_machine.travel(DUE, tick=False):
        checkin_services.round_open(couple=stuck.couple, window_hours=1, now=DUE - 2 * HOUR, scheduled_for=DUE)
        checkin_services.rounds_expire(Round.objects.filter(couple=stuck.couple), now=DUE - HOUR)

    report = tick_at(DUE)

    assert report.opened == 2
    assert report.failed == [stuck.couple.pk]
    assert all(duo.rounds().count() == 1 for duo in others)
    assert stuck.rounds().count() == 1  # only the old one
    assert stuck.schedule.next_checkin_at == DUE + HOUR  # tried again later
    assert any(f"couple {stuck.couple.pk}" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
