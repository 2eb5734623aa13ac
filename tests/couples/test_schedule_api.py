"""The couple's schedule: read with the couple, changed by either partner, validated."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

pytestmark = pytest.mark.django_db

SCHEDULE = "/api/v1/couple/schedule"


def test_a_new_couple_checks_in_on_sunday_at_19_local_and_knows_when_next(seats):
    schedule = seats.alice_api.get("/api/v1/couple").json()["schedule"]
    next_at = datetime.fromisoformat(schedule["next_checkin_at"])
    assert next_at.utcoffset() == timedelta(0)  # UTC on the wire
    local = next_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Riga"))
    assert (local.weekday(), local.hour, local.minute) == (6, 19, 0)


@time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=UTC), tick=False)
def test_changing_the_schedule_recomputes_the_next_check_in_across_a_dst_change(
    seats, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = seats.bob_api.patch(
            SCHEDULE, {"weekday": 6, "time": "20:30", "timezone": "Europe/Riga", "window_hours": 24}, format="json"
        )
    assert response.status_code == 200
    body = response.json()
    # Sunday 2026-03-22 20:30 in Riga is still winter time (UTC+2); the Sunday after, summer (UTC+3).
    assert body["next_checkin_at"] == "2026-03-22T18:30:00Z"
    assert body["time"] == "20:30"
    assert body["window_hours"] == 24
    assert seats.alice.notifications.filter(kind="schedule_changed").count() == 1
    assert not seats.bob.notifications.filter(kind="schedule_changed").exists()


@time_machine.travel(datetime(2026, 3, 24, 12, 0, tzinfo=UTC), tick=False)
def test_every_n_days_counts_from_the_day_it_was_set(seats):
    response = seats.alice_api.patch(
        SCHEDULE, {"cadence": "every_n_days", "interval_days": 3, "time": "08:00", "window_hours": 12}, format="json"
    )
    assert response.status_code == 200
    # Set at 14:00 in Riga (UTC+2) on the 24th: 08:00 has passed, so it starts the next morning
    # and then comes every third day.
    assert response.json()["next_checkin_at"] == "2026-03-25T06:00:00Z"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"cadence": "monthly"}, "cadence"),
        ({"weekday": 7}, "weekday"),
        ({"weekday": -1}, "weekday"),
        ({"weekday": "sunday"}, "weekday"),
        ({"interval_days": 0}, "interval_days"),
        ({"interval_days": 366}, "interval_days"),
        ({"time": "25:00"}, "time"),
        ({"time": "7pm"}, "time"),
        ({"time": "19:00:00"}, "time"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"window_hours": 0}, "window_hours"),
        ({"window_hours": 169}, "window_hours"),
        ({"cadence": "every_n_days", "interval_days": 1, "window_hours": 25}, "window_hours"),
        ({"next_checkin_at": "2030-01-01T00:00:00Z"}, "next_checkin_at"),
    ],
)
def test_bad_schedules_are_a_400_that_names_the_field(seats, body, field):
    before = seats.alice_api.get("/api/v1/couple").json()["schedule"]
    response = seats.alice_api.patch(SCHEDULE, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert seats.alice_api.get("/api/v1/couple").json()["schedule"] == before


def test_an_unpaired_person_has_no_schedule_to_change(person, api):
    assert api(person).patch(SCHEDULE, {"weekday": 1}, format="json").status_code == 404


def test_an_outsider_cannot_touch_another_couples_schedule(seats):
    before = seats.alice_api.get("/api/v1/couple").json()["schedule"]
    seats.charlie_api.patch(SCHEDULE, {"weekday": 2}, format="json")
    assert seats.alice_api.get("/api/v1/couple").json()["schedule"] == before
    assert seats.anonymous_api.patch(SCHEDULE, {"weekday": 2}, format="json").status_code == 401
