"""The next check-in of a schedule (couples.schedules), specified by properties and examples.

The properties restate the module's contract without reusing its arithmetic: an occurrence is the
chosen local wall time on a local date of the schedule (the chosen weekday, or a whole number of
intervals from the anchor); a wall time the clocks skip (spring forward) is shifted forward by the
size of the gap; a wall time the clocks repeat (fall back) happens once, at its first (earlier)
instant; and ``next_occurrence`` returns the first such instant strictly after ``after``.

Random instants over forty years rarely land near a DST change, so half of the generated cases
are aimed at one: a real transition of the zone, a wall time inside its gap or overlap, a schedule
that falls on that date and an ``after`` a few days around it.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from couples.schedules import EVERY_N_DAYS, WEEKLY, Cadence, Recurrence, next_occurrence

pytestmark = pytest.mark.once  # the same on either engine: run in the PostgreSQL pass only

ZONES = [
    "America/New_York",  # 02:00 -> 03:00 / 02:00 -> 01:00
    "Europe/Riga",  # 03:00 -> 04:00 / 04:00 -> 03:00, last Sundays of March and October
    "Australia/Lord_Howe",  # a 30-minute shift: 02:00 -> 02:30 / 02:00 -> 01:30
    "America/Sao_Paulo",  # DST at midnight until 2019: 00:00 -> 01:00 / 00:00 -> 23:00 the day before
    "Asia/Kolkata",  # +05:30, no DST at all
    "Pacific/Chatham",  # +12:45 / +13:45: 02:45 -> 03:45 / 03:45 -> 02:45
]
FIRST_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)
LAST_INSTANT = datetime(2040, 12, 31, 23, 59, 59, tzinfo=UTC)

PROPERTY_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# --- The contract, restated independently of the module --------------------------------------


def wall_time_exists(day: date, at: time, zone: ZoneInfo) -> bool:
    """A wall time exists if it survives a round trip through UTC unchanged."""
    naive = datetime.combine(day, at)
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def utc_offset(moment: datetime) -> timedelta:
    """An aware instant's UTC offset (a ZoneInfo always gives one)."""
    offset = moment.utcoffset()
    assert offset is not None
    return offset


def offsets(day: date, at: time, zone: ZoneInfo) -> tuple[timedelta, timedelta]:
    """The UTC offsets zoneinfo gives a wall time with fold=0 and fold=1: (before, after) a change."""
    naive = datetime.combine(day, at)
    return (
        utc_offset(naive.replace(tzinfo=zone, fold=0)),
        utc_offset(naive.replace(tzinfo=zone, fold=1)),
    )


def expected_occurrence(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant at which wall time ``at`` happens on ``day``, by the documented rule."""
    at = at.replace(tzinfo=None, fold=0)
    naive = datetime.combine(day, at)
    before, after = offsets(day, at, zone)
    if not wall_time_exists(day, at, zone):
        # Skipped by a spring-forward: shifted forward by the gap, which is after - before > 0.
        shifted = naive + (after - before)
        assert wall_time_exists(shifted.date(), shifted.time(), zone)
        return (shifted - after).replace(tzinfo=UTC)
    # Exists; if repeated (before != after), the first occurrence uses the earlier offset `before`.
    return (naive - before).replace(tzinfo=UTC)


def is_occurrence_date(recurrence: Recurrence, day: date) -> bool:
    if recurrence.cadence == WEEKLY:
        return day.weekday() == recurrence.weekday
    return (day - recurrence.anchor).days % recurrence.interval_days == 0


def local(instant: datetime, recurrence: Recurrence) -> datetime:
    return instant.astimezone(ZoneInfo(recurrence.timezone))


# --- Strategies ---------------------------------------------------------------------------------


@cache
def transitions(zone_name: str) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """Every UTC-offset change of a zone in 2000-2040: (first instant of the new offset, old, new)."""
    zone = ZoneInfo(zone_name)
    found = []
    step = timedelta(hours=6)
    instant = FIRST_INSTANT
    offset = utc_offset(instant.astimezone(zone))
    while instant < LAST_INSTANT:
        following = instant + step
        new_offset = utc_offset(following.astimezone(zone))
        if new_offset != offset:
            low, high = instant, following  # changes are on whole minutes: bisect down to one
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if utc_offset(middle.astimezone(zone)) == offset:
                    low = middle
                else:
                    high = middle
            found.append((high.replace(second=0, microsecond=0), offset, new_offset))
        instant, offset = following, new_offset
    return tuple(found)


def test_the_transition_table_used_by_the_strategies_is_right():
    # Spot checks so that the DST-aimed strategies really aim at DST changes.
    assert transitions("Asia/Kolkata") == ()
    new_york = {instant for instant, _, _ in transitions("America/New_York")}
    assert datetime(2026, 3, 8, 7, tzinfo=UTC) in new_york
    assert datetime(2026, 11, 1, 6, tzinfo=UTC) in new_york
    lord_howe = {(instant, new - old) for instant, old, new in transitions("Australia/Lord_Howe")}
    assert (datetime(2026, 10, 3, 15, 30, tzinfo=UTC), timedelta(minutes=30)) in lord_howe
    assert len(transitions("America/Sao_Paulo")) > 30  # DST until February 2019


recurrence_local_times = st.one_of(
    st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    st.builds(time, st.integers(0, 23), st.integers(0, 59), st.integers(0, 59), st.integers(0, 999_999)),
    st.sampled_from(
        [
            time(0, 0),
            time(0, 30),
            time(1, 30),
            time(2, 0),
            time(2, 15),
            time(2, 30),
            time(3, 0),
            time(3, 15),
            time(3, 30),
            time(3, 59),
            time(23, 30),
            time(23, 59, 59, 999_999),
        ]
    ),
)
instants = st.datetimes(min_value=FIRST_INSTANT.replace(tzinfo=None), max_value=LAST_INSTANT.replace(tzinfo=None)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)


@st.composite
def recurrences(
    draw, zone_name: str, cadence: Cadence | None = None, on_day: date | None = None, at: time | None = None
) -> Recurrence:
    """Any schedule in the zone; with ``on_day``, one that has an occurrence on that local date."""
    cadence = cadence or draw(st.sampled_from([WEEKLY, EVERY_N_DAYS]))
    local_time = at if at is not None else draw(recurrence_local_times)
    interval = draw(st.one_of(st.integers(1, 3), st.integers(1, 45)))
    if on_day is not None and draw(st.booleans()):
        weekday = on_day.weekday()
        anchor = on_day + timedelta(days=interval * draw(st.integers(-600, 600)))
    else:
        weekday = draw(st.integers(0, 6))
        anchor = draw(st.dates(min_value=date(1995, 1, 1), max_value=date(2045, 12, 31)))
    return Recurrence(
        cadence=cadence,
        local_time=local_time,
        timezone=zone_name,
        weekday=weekday,
        interval_days=interval,
        anchor=anchor,
    )


@st.composite
def cases(draw, cadence: Cadence | None = None) -> tuple[Recurrence, datetime]:
    """A schedule and an ``after`` instant: anywhere in 2000-2040, or aimed at a DST change."""
    zone_name = draw(st.sampled_from(ZONES))
    changes = transitions(zone_name)
    if not changes or draw(st.booleans()):
        return draw(recurrences(zone_name, cadence)), draw(instants)
    change, old, new = draw(st.sampled_from(changes))
    # A wall time in the gap (spring forward) or the overlap (fall back), both ends included: the
    # start of a gap does not exist, its end is the first time that does; likewise for overlaps.
    first_wall = change + min(old, new)
    width = abs(new - old)
    wall = (first_wall + draw(st.timedeltas(timedelta(0), width))).replace(tzinfo=None)
    if draw(st.booleans()):
        wall = wall.replace(second=0, microsecond=0)
    recurrence = draw(recurrences(zone_name, cadence, on_day=wall.date(), at=wall.time()))
    before = draw(st.timedeltas(-timedelta(days=recurrence.period_days + 2), timedelta(days=2)))
    return recurrence, change + before


def in_other_zones(instant: datetime):
    return st.sampled_from([UTC, *map(ZoneInfo, ZONES)]).map(instant.astimezone)


# --- Properties ---------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(cases())
def test_next_occurrence_is_a_utc_instant_strictly_after_the_given_one(case):
    recurrence, after = case
    result = next_occurrence(recurrence, after=after)
    assert result.tzinfo is not None and result.utcoffset() == timedelta(0)
    assert result.tzinfo == UTC
    assert result > after


@PROPERTY_SETTINGS
@given(cases())
def test_no_occurrence_is_skipped_between_the_given_instant_and_the_next_occurrence(case):
    recurrence, after = case
    result = next_occurrence(recurrence, after=after)
    zone = ZoneInfo(recurrence.timezone)
    day = local(result, recurrence).date()
    assert result == expected_occurrence(day, recurrence.local_time, zone)
    previous_day = day - timedelta(days=recurrence.period_days)
    assert is_occurrence_date(recurrence, previous_day)
    assert expected_occurrence(previous_day, recurrence.local_time, zone) <= after


@PROPERTY_SETTINGS
@given(cases())
def test_occurrence_is_at_the_chosen_local_time_or_shifted_forward_by_the_gap_when_it_does_not_exist(case):
    recurrence, after = case
    zone = ZoneInfo(recurrence.timezone)
    result_local = local(next_occurrence(recurrence, after=after), recurrence)
    day, chosen = result_local.date(), recurrence.local_time
    wall = result_local.replace(tzinfo=None)
    if wall_time_exists(day, chosen, zone):
        assert wall == datetime.combine(day, chosen)
    else:
        before, after_change = offsets(day, chosen, zone)
        gap = after_change - before
        assert gap > timedelta(0)
        assert wall == datetime.combine(day, chosen) + gap


@PROPERTY_SETTINGS
@given(cases())
def test_an_ambiguous_local_time_happens_at_its_first_earlier_instant(case):
    recurrence, after = case
    zone = ZoneInfo(recurrence.timezone)
    result = next_occurrence(recurrence, after=after)
    result_local = local(result, recurrence)
    day, chosen = result_local.date(), recurrence.local_time
    first_offset, second_offset = offsets(day, chosen, zone)
    if wall_time_exists(day, chosen, zone) and first_offset != second_offset:
        # The wall time happens twice that day; the occurrence is the first one (fold=0), and the
        # second one (the same wall time an hour, or half an hour, later) is no occurrence.
        assert first_offset > second_offset
        assert result_local.fold == 0
        assert result == (datetime.combine(day, chosen) - first_offset).replace(tzinfo=UTC)
        second = (datetime.combine(day, chosen) - second_offset).replace(tzinfo=UTC)
        assert second > result
        assert next_occurrence(recurrence, after=result) > second
        assert local(next_occurrence(recurrence, after=result), recurrence).date() > day


@PROPERTY_SETTINGS
@given(cases(cadence=WEEKLY))
def test_weekly_occurrence_is_on_the_chosen_weekday_at_the_chosen_local_time(case):
    recurrence, after = case
    result_local = local(next_occurrence(recurrence, after=after), recurrence)
    assert result_local.weekday() == recurrence.weekday
    if wall_time_exists(result_local.date(), recurrence.local_time, ZoneInfo(recurrence.timezone)):
        assert result_local.time() == recurrence.local_time.replace(tzinfo=None, fold=0)


@PROPERTY_SETTINGS
@given(cases(cadence=EVERY_N_DAYS))
def test_every_n_days_occurrence_is_a_whole_number_of_intervals_from_the_anchor(case):
    recurrence, after = case
    day = local(next_occurrence(recurrence, after=after), recurrence).date()
    assert (day - recurrence.anchor).days % recurrence.interval_days == 0


@PROPERTY_SETTINGS
@given(cases(), st.integers(2, 6))
def test_successive_occurrences_are_exactly_one_period_apart_in_local_dates(case, count):
    recurrence, after = case
    results = [next_occurrence(recurrence, after=after)]
    for _ in range(count):
        results.append(next_occurrence(recurrence, after=results[-1]))
    days = [local(result, recurrence).date() for result in results]
    assert all(earlier < later for earlier, later in zip(results, results[1:], strict=False))
    assert len(set(days)) == len(days)  # never two occurrences on one local date
    assert all((later - earlier).days == recurrence.period_days for earlier, later in zip(days, days[1:], strict=False))


@PROPERTY_SETTINGS
@given(cases(), st.data())
def test_the_zone_the_given_instant_is_written_in_does_not_matter(case, data):
    recurrence, after = case
    written_elsewhere = data.draw(in_other_zones(after))
    assert next_occurrence(recurrence, after=written_elsewhere) == next_occurrence(recurrence, after=after)


@PROPERTY_SETTINGS
@given(cases())
def test_an_occurrence_is_not_after_itself(case):
    # Strictly after: asking from the exact instant of an occurrence gives the following one, and
    # asking from just before it gives that occurrence again.
    recurrence, after = case
    result = next_occurrence(recurrence, after=after)
    following = next_occurrence(recurrence, after=result)
    assert following > result
    assert next_occurrence(recurrence, after=result - timedelta(microseconds=1)) == result
    assert next_occurrence(recurrence, after=following - timedelta(microseconds=1)) == following


# --- Hand-checked examples (values verified with zoneinfo) --------------------------------------


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def weekly(at: time, zone: str, weekday: int = 6) -> Recurrence:
    return Recurrence(cadence=WEEKLY, local_time=at, timezone=zone, weekday=weekday)


def every(days: int, at: time, zone: str, anchor: date) -> Recurrence:
    return Recurrence(cadence=EVERY_N_DAYS, local_time=at, timezone=zone, interval_days=days, anchor=anchor)


def test_new_york_spring_forward_skipped_0230_happens_at_0330_edt_that_sunday():
    sundays_0230 = weekly(time(2, 30), "America/New_York")
    result = next_occurrence(sundays_0230, after=utc(2026, 3, 7, 12))
    assert result == utc(2026, 3, 8, 7, 30)
    assert result.astimezone(ZoneInfo("America/New_York")).isoformat() == "2026-03-08T03:30:00-04:00"


def test_new_york_sundays_0230_around_spring_forward_keep_their_local_time_on_the_other_sundays():
    sundays_0230 = weekly(time(2, 30), "America/New_York")
    assert next_occurrence(sundays_0230, after=utc(2026, 2, 28)) == utc(2026, 3, 1, 7, 30)  # 02:30 EST
    assert next_occurrence(sundays_0230, after=utc(2026, 3, 1, 7, 30)) == utc(2026, 3, 8, 7, 30)  # 03:30 EDT
    assert next_occurrence(sundays_0230, after=utc(2026, 3, 8, 7, 30)) == utc(2026, 3, 15, 6, 30)  # 02:30 EDT


def test_new_york_fall_back_ambiguous_0130_happens_once_at_the_first_edt_instant():
    sundays_0130 = weekly(time(1, 30), "America/New_York")
    first = next_occurrence(sundays_0130, after=utc(2026, 10, 31, 12))
    assert first == utc(2026, 11, 1, 5, 30)
    assert first.astimezone(ZoneInfo("America/New_York")).isoformat() == "2026-11-01T01:30:00-04:00"
    # Not again at 01:30 EST (06:30Z) that same night: the next one is a week later, 01:30 EST.
    assert next_occurrence(sundays_0130, after=first) == utc(2026, 11, 8, 6, 30)
    assert next_occurrence(sundays_0130, after=utc(2026, 11, 1, 6)) == utc(2026, 11, 8, 6, 30)


def test_lord_howe_half_hour_gap_shifts_0215_to_0245_daylight_time():
    sundays_0215 = weekly(time(2, 15), "Australia/Lord_Howe")
    result = next_occurrence(sundays_0215, after=utc(2026, 10, 1))
    assert result == utc(2026, 10, 3, 15, 45)
    assert result.astimezone(ZoneInfo("Australia/Lord_Howe")).isoformat() == "2026-10-04T02:45:00+11:00"


def test_lord_howe_half_hour_overlap_takes_the_first_0145():
    sundays_0145 = weekly(time(1, 45), "Australia/Lord_Howe")
    result = next_occurrence(sundays_0145, after=utc(2026, 4, 1))
    assert result == utc(2026, 4, 4, 14, 45)  # 01:45 +11:00; the second 01:45 (+10:30) is 15:15Z
    assert next_occurrence(sundays_0145, after=result) == utc(2026, 4, 11, 15, 15)


def test_riga_sundays_1900_stay_at_1900_local_across_the_march_and_october_changes():
    sundays_1900 = weekly(time(19, 0), "Europe/Riga")
    assert next_occurrence(sundays_1900, after=utc(2026, 3, 20)) == utc(2026, 3, 22, 17)  # EET, +02:00
    assert next_occurrence(sundays_1900, after=utc(2026, 3, 22, 17)) == utc(2026, 3, 29, 16)  # EEST, +03:00
    assert next_occurrence(sundays_1900, after=utc(2026, 10, 18, 16)) == utc(2026, 10, 25, 17)  # EET again


def test_sao_paulo_midnight_gap_shifts_0030_to_0130_and_its_overlap_takes_the_first_2330():
    sundays_0030 = weekly(time(0, 30), "America/Sao_Paulo")
    result = next_occurrence(sundays_0030, after=utc(2018, 11, 1))
    assert result == utc(2018, 11, 4, 3, 30)
    assert result.astimezone(ZoneInfo("America/Sao_Paulo")).isoformat() == "2018-11-04T01:30:00-02:00"
    saturdays_2330 = weekly(time(23, 30), "America/Sao_Paulo", weekday=5)
    first = next_occurrence(saturdays_2330, after=utc(2019, 2, 14))
    assert first == utc(2019, 2, 17, 1, 30)  # 23:30 -02:00 on Saturday 16 February, before clocks go back
    assert next_occurrence(saturdays_2330, after=first) == utc(2019, 2, 24, 2, 30)  # 23:30 -03:00


def test_chatham_gap_shifts_0300_to_0400_at_its_quarter_hour_offset():
    sundays_0300 = weekly(time(3, 0), "Pacific/Chatham")
    result = next_occurrence(sundays_0300, after=utc(2026, 9, 20))
    assert result == utc(2026, 9, 26, 14, 15)
    assert result.astimezone(ZoneInfo("Pacific/Chatham")).isoformat() == "2026-09-27T04:00:00+13:45"


def test_every_n_days_counts_whole_intervals_from_the_anchor():
    every_third_day = every(3, time(8, 30), "Asia/Kolkata", anchor=date(2026, 1, 1))  # +05:30, 03:00Z
    assert next_occurrence(every_third_day, after=utc(2026, 1, 1)) == utc(2026, 1, 1, 3)  # the anchor itself
    assert next_occurrence(every_third_day, after=utc(2026, 1, 1, 3)) == utc(2026, 1, 4, 3)
    assert next_occurrence(every_third_day, after=utc(2026, 1, 5)) == utc(2026, 1, 7, 3)
    assert next_occurrence(every_third_day, after=utc(2026, 3, 1)) == utc(2026, 3, 2, 3)  # 60 days after


def test_every_n_days_keeps_the_local_time_across_a_dst_change():
    every_other_day = every(2, time(19, 0), "Europe/Riga", anchor=date(2026, 3, 27))
    assert next_occurrence(every_other_day, after=utc(2026, 3, 27)) == utc(2026, 3, 27, 17)
    assert next_occurrence(every_other_day, after=utc(2026, 3, 27, 17)) == utc(2026, 3, 29, 16)
    assert next_occurrence(every_other_day, after=utc(2026, 3, 29, 16)) == utc(2026, 3, 31, 16)


def test_daily_schedule_skipped_by_spring_forward_still_happens_that_day():
    daily_0230 = every(1, time(2, 30), "America/New_York", anchor=date(2026, 1, 1))
    assert next_occurrence(daily_0230, after=utc(2026, 3, 7, 7, 30)) == utc(2026, 3, 8, 7, 30)  # 03:30 EDT
    assert next_occurrence(daily_0230, after=utc(2026, 3, 8, 7, 30)) == utc(2026, 3, 9, 6, 30)  # 02:30 EDT


def test_a_gap_just_before_midnight_moves_that_occurrence_into_the_next_local_date_without_losing_it():
    # Since tzdata 2023c, America/Nuuk springs forward from 23:00 on the last Saturday of March to
    # 00:00 on Sunday: 23:30 that Saturday does not exist and, by the rule, happens at 00:30 on
    # Sunday. (This is why the zones of the properties above are ones whose gaps stay within a
    # day.) The occurrence must still be found when asked from Sunday, local time, just before it.
    zone = ZoneInfo("America/Nuuk")
    saturdays_2330 = weekly(time(23, 30), "America/Nuuk", weekday=5)
    result = next_occurrence(saturdays_2330, after=utc(2026, 3, 28, 12))
    assert result == expected_occurrence(date(2026, 3, 28), time(23, 30), zone)
    assert next_occurrence(saturdays_2330, after=result - timedelta(minutes=1)) == result
    assert local(next_occurrence(saturdays_2330, after=result), saturdays_2330).date() == date(2026, 4, 4)
    if not wall_time_exists(date(2026, 3, 28), time(23, 30), zone):  # the tzdata in use has the 2023 rules
        assert result == utc(2026, 3, 29, 1, 30)
        assert result.astimezone(zone).isoformat() == "2026-03-29T00:30:00-01:00"


@pytest.mark.parametrize("zone", ZONES)
def test_given_instant_in_local_time_gives_the_same_answer_as_in_utc(zone):
    sundays_1900 = weekly(time(19, 0), zone)
    after = utc(2026, 3, 29, 12)
    assert next_occurrence(sundays_1900, after=after.astimezone(ZoneInfo(zone))) == next_occurrence(
        sundays_1900, after=after
    )
