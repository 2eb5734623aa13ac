"""A change of the schedule moves the next check-in only when it changes when check-ins come
(cadence, interval, weekday of a weekly schedule, time, zone); a new window keeps it."""

from datetime import UTC, datetime

import pytest
import time_machine

from checkin import scheduler

pytestmark = pytest.mark.django_db

SCHEDULE = "/api/v1/couple/schedule"
# Riga is UTC+2 until its clocks go forward on Sunday 2026-03-29.
SET_ON = datetime(2026, 3, 24, 12, 0, tzinfo=UTC)
FIRST = datetime(2026, 3, 25, 6, 0, tzinfo=UTC)  # 08:00 in Riga, the morning after it was set
CHANGED_ON = datetime(2026, 3, 26, 12, 0, tzinfo=UTC)
KEPT = "2026-03-28T06:00:00Z"  # every third day from the 25th


def _every_third_day_at_8_with_its_first_round_opened(seats) -> None:
    with time_machine.travel(SET_ON, tick=False):
        body = {"cadence": "every_n_days", "interval_days": 3, "time": "08:00", "timezone": "Europe/Riga"}
        body["window_hours"] = 12
        response = seats.alice_api.patch(SCHEDULE, body, format="json")
        assert response.json()["next_checkin_at"] == "2026-03-25T06:00:00Z"
    with time_machine.travel(FIRST, tick=False):
        assert scheduler.tick(now=FIRST).opened == 1
    assert seats.alice_api.get("/api/v1/couple").json()["schedule"]["next_checkin_at"] == KEPT


@pytest.mark.parametrize(
    "change, next_checkin_at",
    [
        ({"window_hours": 24}, KEPT),
        ({"window_hours": 6}, KEPT),
        ({"weekday": 2}, KEPT),  # an every-N-days schedule has no weekday
        ({"interval_days": 3, "time": "08:00", "timezone": "Europe/Riga"}, KEPT),  # nothing new
        # Each of these starts it again from the day it changed (the 26th, 14:00 in Riga).
        ({"interval_days": 4}, "2026-03-27T06:00:00Z"),
        ({"time": "09:00"}, "2026-03-27T07:00:00Z"),
        ({"timezone": "Europe/Berlin"}, "2026-03-27T07:00:00Z"),
        ({"cadence": "weekly", "weekday": 6}, "2026-03-29T05:00:00Z"),
    ],
    ids=["longer window", "shorter window", "weekday", "same values", "interval", "time", "zone", "cadence"],
)
def test_only_a_change_of_when_check_ins_come_moves_the_next_one(seats, change, next_checkin_at):
    _every_third_day_at_8_with_its_first_round_opened(seats)
    with time_machine.travel(CHANGED_ON, tick=False):
        response = seats.bob_api.patch(SCHEDULE, change, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["next_checkin_at"] == next_checkin_at
    assert seats.alice_api.get("/api/v1/couple").json()["schedule"]["next_checkin_at"] == next_checkin_at


@pytest.mark.parametrize(
    "change, next_checkin_at",
    [({"window_hours": 24}, "2026-03-29T16:30:00Z"), ({"weekday": 4}, "2026-03-27T17:30:00Z")],
    ids=["window", "weekday"],
)
def test_a_weekly_schedule_moves_with_its_weekday_and_not_with_its_window(seats, change, next_checkin_at):
    with time_machine.travel(SET_ON, tick=False):
        # Sundays (the default) at 19:30 in Riga, which is UTC+3 from the 29th.
        response = seats.alice_api.patch(SCHEDULE, {"time": "19:30"}, format="json")
        assert response.json()["next_checkin_at"] == "2026-03-29T16:30:00Z"
    with time_machine.travel(CHANGED_ON, tick=False):
        response = seats.bob_api.patch(SCHEDULE, change, format="json")
    assert response.json()["next_checkin_at"] == next_checkin_at
