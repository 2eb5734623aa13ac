"""Trends: per-partner series, the gap between partners per round, pattern counts, flagged rounds."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import revealed_round

pytestmark = pytest.mark.django_db

TRENDS = "/api/v1/checkins/trends"


def test_trends_show_both_series_the_signed_gap_and_pattern_counts(seats):
    first = revealed_round(seats, alice=(2, 5), bob=(5, 2), at=datetime(2026, 9, 6, 17, tzinfo=UTC))
    second = revealed_round(seats, alice=(4, 4), bob=(4, 3), at=datetime(2026, 9, 13, 17, tzinfo=UTC))
    body = seats.alice_api.get(TRENDS).json()
    assert body["rounds"] == 2
    assert [p["round_id"] for p in body["series"]["me"]] == [first.pk, second.pk]  # oldest first
    assert [(p["connection"], p["independence"]) for p in body["series"]["me"]] == [(2, 5), (4, 4)]
    assert [(p["connection"], p["independence"]) for p in body["series"]["partner"]] == [(5, 2), (4, 3)]
    assert [(g["connection"], g["independence"]) for g in body["gaps"]] == [(-3, 3), (0, 1)]
    assert body["pattern_counts"]["me"] == {"integrated": 1, "engulfed": 0, "isolated": 1, "adrift": 0}
    assert body["pattern_counts"]["partner"] == {"integrated": 1, "engulfed": 1, "isolated": 0, "adrift": 0}
    assert [f["round_id"] for f in body["flagged_rounds"]] == [first.pk]
    assert {f["kind"] for f in body["flagged_rounds"][0]["flags"]} >= {"pursue_withdraw", "gap"}

    seen_by_bob = seats.bob_api.get(TRENDS).json()
    assert [(g["connection"], g["independence"]) for g in seen_by_bob["gaps"]] == [(3, -3), (0, -1)]


def test_trends_take_a_date_range_in_my_local_dates(seats):
    # Riga is UTC+3 in September: 22:30 UTC on the 6th is already the 7th there.
    revealed_round(seats, at=datetime(2026, 9, 6, 22, 30, tzinfo=UTC))
    revealed_round(seats, at=datetime(2026, 9, 20, 12, tzinfo=UTC))
    assert seats.alice_api.get(TRENDS, {"from": "2026-09-07", "to": "2026-09-07"}).json()["rounds"] == 1
    assert seats.alice_api.get(TRENDS, {"from": "2026-09-08"}).json()["rounds"] == 1
    assert seats.alice_api.get(TRENDS, {"to": "2026-09-06"}).json()["rounds"] == 0
    body = seats.alice_api.get(TRENDS, {"from": "2026-09-01", "to": "2026-09-30"}).json()
    assert (body["from"], body["to"], body["rounds"]) == ("2026-09-01", "2026-09-30", 2)


def test_open_and_expired_rounds_are_not_in_trends(seats):
    seats.alice_api.post("/api/v1/checkins")
    assert seats.alice_api.get(TRENDS).json()["rounds"] == 0


@pytest.mark.parametrize(
    "query, field",
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "2026-09-10", "to": "2026-09-01"}, "to"),
        ({"since": "2026-09-01"}, "since"),
    ],
)
def test_a_bad_range_is_a_400_naming_the_parameter(seats, query, field):
    response = seats.alice_api.get(TRENDS, query)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "query, field",
    [
        ({"to": "9999-12-31"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"from": "1999-12-31"}, "from"),
        ({"from": "2026-09-01", "to": "2101-01-01"}, "to"),
    ],
)
def test_a_date_outside_the_years_trends_take_is_a_400_saying_which_dates(seats, query, field):
    response = seats.alice_api.get(TRENDS, query)
    assert response.status_code == 400
    assert response.json() == {field: ["Choose a date from 2000-01-01 to 2100-12-31."]}


def test_the_first_and_the_last_date_trends_take_are_taken(seats):
    body = seats.alice_api.get(TRENDS, {"from": "2000-01-01", "to": "2100-12-31"}).json()
    assert (body["from"], body["to"], body["rounds"]) == ("2000-01-01", "2100-12-31", 0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(), field=st.sampled_from(["from", "to"]))
def test_any_date_gives_trends_or_a_400_naming_it(seats, day, field):
    # Alice is in Riga (ahead of UTC), Charlie in the zone furthest behind it: both ends of the calendar.
    seats.charlie.timezone = "Etc/GMT+12"
    seats.charlie.save(update_fields=["timezone"])
    for client in (seats.alice_api, seats.charlie_api):
        response = client.get(TRENDS, {field: day.isoformat()})
        if date(2000, 1, 1) <= day <= date(2100, 12, 31):
            assert response.status_code == 200
        else:
            assert (response.status_code, list(response.json())) == (400, [field])


def test_an_outsider_sees_none_of_the_couples_trends(seats):
    with time_machine.travel(datetime(2026, 9, 6, tzinfo=UTC)):
        revealed_round(seats)
    assert seats.charlie_api.get(TRENDS).json()["rounds"] == 0
    assert seats.anonymous_api.get(TRENDS).status_code == 401
