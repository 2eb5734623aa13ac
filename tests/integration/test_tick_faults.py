"""The tick under faults, on PostgreSQL: a database error mid-tick rolls back cleanly and the next
tick completes the work; two ticks side by side for a simulated day do exactly what one does."""

import threading
from datetime import UTC, datetime, time, timedelta

import psycopg
import pytest
import time_machine
from django.db import OperationalError, connection

from checkin import scheduler
from checkin.models import Round
from couples.models import Schedule
from notifications.models import Notification
from tests.builders import a_couple
from tests.integration.processes import database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = datetime(2026, 3, 28, 0, 0, tzinfo=UTC)  # Riga and London change clocks the next night


def couples(count: int) -> list:
    made = []
    with time_machine.travel(START - timedelta(days=1), tick=False):
        for _ in range(count):
            made.append(a_couple())
    return made


def test_a_database_error_mid_tick_rolls_back_and_the_next_tick_completes_the_work():
    due = couples(4)
    Schedule.objects.update(next_checkin_at=START)
    # Another session holds the inbox table, so the tick fails after opening rounds in its
    # transaction, while filing their notifications.
    with psycopg.connect(database_url().replace("postgres://", "postgresql://"), autocommit=False) as blocker:
        blocker.execute("LOCK TABLE notifications_notification IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        with pytest.raises(OperationalError):
            scheduler.tick(now=START)
        blocker.rollback()
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 0")

    assert not Round.objects.exists()  # nothing half-done
    assert set(Schedule.objects.values_list("next_checkin_at", flat=True)) == {START}

    report = scheduler.tick(now=START + timedelta(minutes=1))
    assert report.opened == len(due)
    assert Notification.objects.filter(kind="round_opened").count() == 2 * len(due)


def configure(schedules: list) -> None:
    """A day of varied schedules: several zones, weekly and daily, short windows so that rounds
    also get nudged and expire within the day."""
    zones = ["Europe/Riga", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Europe/London"]
    for index, couple in enumerate(schedules):
        Schedule.objects.filter(couple=couple).update(
            cadence="every_n_days" if index % 2 else "weekly",
            weekday=5,  # Saturday
            interval_days=1,
            local_time=time(index % 24, (index * 15) % 60),
            timezone=zones[index % len(zones)],
            window_hours=1 + index % 3,
            anchor_date=START.date(),
            next_checkin_at=START,
        )


def simulate_day(*, ticks_per_step: int) -> tuple[set, set]:
    """Run the tick every 10 minutes for a day, `ticks_per_step` at the same instant in threads."""
    moment = START
    while moment < START + timedelta(days=1):
        barrier = threading.Barrier(ticks_per_step)
        errors: list = []

        def tick(at=moment, barrier=barrier, errors=errors):
            try:
                barrier.wait(timeout=10)
                scheduler.tick(now=at)
            except Exception as error:  # the outcome under test
                errors.append(error)
            finally:
                connection.close()

        with time_machine.travel(moment, tick=False):
            threads = [threading.Thread(target=tick) for _ in range(ticks_per_step)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        assert errors == []
        moment += timedelta(minutes=10)
    rounds = set(Round.objects.values_list("couple_id", "scheduled_for", "status", "nudged_at", "closed_at"))
    reminders = set(
        Notification.objects.filter(kind__in=["round_opened", "nudge"]).values_list("user_id", "kind", "created_at")
    )
    return rounds, reminders


def test_two_ticks_side_by_side_for_a_day_do_exactly_what_one_tick_does():
    made = couples(30)
    configure(made)
    one_rounds, one_reminders = simulate_day(ticks_per_step=1)
    assert len(one_rounds) > 30 and len(one_reminders) > 60  # the day really had work in it

    Notification.objects.all().delete()
    Round.objects.all().delete()
    configure(made)
    two_rounds, two_reminders = simulate_day(ticks_per_step=2)

    assert two_rounds == one_rounds
    assert two_reminders == one_reminders
