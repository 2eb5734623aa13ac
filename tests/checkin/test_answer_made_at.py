"""PUT /checkins/{id}/response with `made_at`: of two edits, the one made later on its device is
kept, whichever arrives last; what a wrong clock or no made_at counts as; who sees it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from checkin.models import Answer, Round
from tests.builders import answer, open_round

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)  # the round opens
NOW = T0 + timedelta(hours=2)  # the answers arrive


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"  # as the app writes it (toISOString)


def shown(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")  # as the API writes it


@pytest.fixture
def round_id(seats) -> int:
    with time_machine.travel(T0, tick=False):
        return open_round(seats.alice_api)["id"]


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def kept(seats, round_id: int) -> dict:
    return seats.alice_api.get(f"/api/v1/checkins/{round_id}").json()["me"]["response"]


def test_an_edit_made_before_the_answer_kept_changes_nothing_and_is_answered_with_the_answer_that_stays(
    seats, round_id, at_now
):
    newer = answer(seats.alice_api, round_id, connection=5, independence=2, made_at=stamp(NOW - timedelta(minutes=1)))

    older = answer(seats.alice_api, round_id, connection=1, independence=1, made_at=stamp(NOW - timedelta(minutes=2)))

    assert older.status_code == 200
    assert older.json() == newer.json() == kept(seats, round_id)
    assert (older.json()["connection"], older.json()["made_at"]) == (5, shown(NOW - timedelta(minutes=1)))


def test_an_edit_made_later_replaces_the_answer(seats, round_id, at_now):
    answer(seats.alice_api, round_id, connection=1, independence=1, made_at=stamp(NOW - timedelta(minutes=2)))
    newer = answer(seats.alice_api, round_id, connection=5, independence=2, made_at=stamp(NOW - timedelta(minutes=1)))
    assert (newer.json()["connection"], newer.json()["made_at"]) == (5, shown(NOW - timedelta(minutes=1)))
    assert kept(seats, round_id) == newer.json()


def test_a_made_at_ahead_of_the_servers_clock_counts_as_made_on_arrival_so_a_later_edit_still_wins(
    seats, round_id, at_now
):
    ahead = answer(seats.alice_api, round_id, connection=1, independence=1, made_at=stamp(NOW + timedelta(days=3)))
    assert ahead.status_code == 200
    assert ahead.json()["made_at"] == shown(NOW)

    at_now.shift(timedelta(minutes=1))
    later = answer(seats.alice_api, round_id, connection=4, independence=4)
    assert (later.json()["connection"], later.json()["made_at"]) == (4, shown(NOW + timedelta(minutes=1)))


@pytest.mark.parametrize(
    "made_at",
    [T0 - timedelta(seconds=1), datetime(2001, 1, 1, tzinfo=UTC)],
    ids=["just before the round opened", "years before"],
)
def test_a_made_at_before_the_round_opened_is_accepted_as_the_oldest_edit(seats, round_id, at_now, made_at):
    first = answer(seats.alice_api, round_id, connection=2, independence=3, made_at=stamp(made_at))
    assert first.status_code == 200
    assert (first.json()["connection"], first.json()["made_at"]) == (2, shown(T0))

    # Any edit made since the round opened is later; another from before it is as old, and the
    # one that arrives last of two equally old is kept.
    answer(seats.alice_api, round_id, connection=4, independence=4, made_at=stamp(T0 + timedelta(seconds=1)))
    older = answer(seats.alice_api, round_id, connection=1, independence=1, made_at=stamp(made_at))
    assert older.json()["connection"] == 4


def test_an_answer_without_made_at_counts_as_made_when_it_arrives(seats, round_id, at_now):
    answer(seats.alice_api, round_id, connection=1, independence=1, made_at=stamp(NOW - timedelta(minutes=30)))
    plain = answer(seats.alice_api, round_id, connection=3, independence=3)
    assert (plain.json()["connection"], plain.json()["made_at"]) == (3, shown(NOW))

    # An edit made before it arrived is older, one made after it (sent later) newer.
    stale = answer(seats.alice_api, round_id, connection=5, independence=5, made_at=stamp(NOW - timedelta(seconds=1)))
    assert stale.json()["connection"] == 3
    at_now.shift(timedelta(seconds=2))
    fresh = answer(seats.alice_api, round_id, connection=5, independence=5, made_at=stamp(NOW + timedelta(seconds=1)))
    assert fresh.json()["connection"] == 5


@pytest.mark.parametrize(
    "made_at",
    ["2026-03-01T19:00:00", "yesterday", "0001-01-01T00:00:00+01:00", "", None, 1772388000],
    ids=["no offset", "words", "out of range in UTC", "empty", "null", "a number"],
)
def test_a_made_at_that_is_not_a_moment_is_a_400_naming_it(seats, round_id, at_now, made_at):
    refused = answer(seats.alice_api, round_id, connection=2, independence=2, made_at=made_at)
    assert refused.status_code == 400
    assert "made_at" in refused.json(), refused.json()
    assert not Answer.objects.exists()


def test_a_made_at_with_an_offset_means_the_same_moment_in_utc(seats, round_id, at_now):
    made = answer(seats.alice_api, round_id, connection=2, independence=2, made_at="2026-03-01T21:30:00.000+02:00")
    assert made.json()["made_at"] == shown(datetime(2026, 3, 1, 19, 30, tzinfo=UTC))


def test_only_its_author_sees_when_an_answer_was_made(seats, round_id, at_now):
    answer(seats.alice_api, round_id, connection=2, independence=5, made_at=stamp(NOW - timedelta(minutes=5)))
    answer(seats.bob_api, round_id, connection=4, independence=1)  # the reveal

    seen_by_bob = seats.bob_api.get(f"/api/v1/checkins/{round_id}").json()
    assert seen_by_bob["status"] == "revealed"
    assert "made_at" not in seen_by_bob["partner"]["response"]
    assert seen_by_bob["me"]["response"]["made_at"] == shown(NOW)
    assert kept(seats, round_id)["made_at"] == shown(NOW - timedelta(minutes=5))


def test_an_edit_older_than_the_answer_kept_is_answered_with_it_even_once_that_answer_revealed_the_round(
    seats, round_id, at_now
):
    # Alice's two tabs: the newer answer arrived first and revealed the round; the older one is not
    # refused as too late (it would not have been kept anyway), it learns what stays.
    answer(seats.bob_api, round_id, connection=4, independence=1)
    newer = answer(seats.alice_api, round_id, connection=5, independence=2, made_at=stamp(NOW - timedelta(minutes=1)))
    older = answer(seats.alice_api, round_id, connection=1, independence=1, made_at=stamp(NOW - timedelta(minutes=2)))
    assert older.status_code == 200
    assert older.json() == newer.json()
    assert Round.objects.get(pk=round_id).status == Round.Status.REVEALED

    # An edit made after it is refused as ever: the partner has seen the answer.
    assert answer(seats.alice_api, round_id, connection=1, independence=1).status_code == 409
