"""The Round.version rule has one owner (checkin/round_changes.py) and a watch over the whole suite
(tests/round_versions.py): these hold the watch itself to what it must catch."""

import dataclasses
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from checkin import services
from checkin.models import Round
from checkin.round_changes import ROUND_FIELDS_NOT_SHOWN
from checkin.selectors import RoundView
from tests.builders import revealed_round
from tests.round_versions import columns_set_without_version


def shown_of(round_id: int, api) -> dict:
    """Every view of the round that Alice's app reads (the check-in, the history, the open one)."""
    paths = (f"/api/v1/checkins/{round_id}", "/api/v1/checkins", "/api/v1/checkins/current")
    return {path: (response.status_code, response.json()) for path in paths for response in [api.get(path)]}


def another_value(checkin_round: Round, field: str):
    current = getattr(checkin_round, field)
    if Round._meta.get_field(field).get_internal_type() == "DateTimeField":
        return (current or checkin_round.opens_at) + timedelta(minutes=7)
    return current + 1


def test_every_field_of_a_round_is_either_shown_or_declared_not_shown():
    fields = {field.attname for field in Round._meta.concrete_fields}
    # What a round view shows of the round's own fields (its sides, patterns and flags come from
    # answers, people and flags).
    shown = {field.name for field in dataclasses.fields(RoundView)} & fields
    assert shown | ROUND_FIELDS_NOT_SHOWN == fields, "classify the new field of Round in checkin/round_changes.py"
    assert not shown & ROUND_FIELDS_NOT_SHOWN


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["open", "revealed"])
def test_a_field_declared_not_shown_changes_nothing_a_round_shows(seats, status):
    fields = {field.attname for field in Round._meta.concrete_fields}
    assert ROUND_FIELDS_NOT_SHOWN <= fields, "a field declared not shown that Round no longer has"
    if status == "open":
        checkin_round = services.round_open(couple=seats.couple, window_hours=48, now=timezone.now())
    else:
        checkin_round = revealed_round(seats)
    before = shown_of(checkin_round.pk, seats.alice_api)
    for field in sorted(ROUND_FIELDS_NOT_SHOWN - {"version"}):
        checkin_round.refresh_from_db()
        # With the version moved on, no cached copy can hide the change if the field is shown.
        Round.objects.filter(pk=checkin_round.pk).update(
            **{field: another_value(checkin_round, field)}, version=F("version") + 1
        )
        assert shown_of(checkin_round.pk, seats.alice_api) == before, f"{field} is shown"


def test_the_watch_catches_a_change_to_what_a_round_shows_that_does_not_move_the_version():
    orm = 'UPDATE "checkin_round" SET "status" = %s, "closed_at" = %s WHERE "checkin_round"."id" = %s'
    assert columns_set_without_version(orm) == {"status"}
    moved = 'UPDATE "checkin_round" SET "status" = %s, "version" = ("checkin_round"."version" + %s) WHERE id = 1'
    assert columns_set_without_version(moved) == set()
    written_out = "WITH locked AS (UPDATE checkin_round SET version = version + 1 WHERE id = %(id)s) SELECT 1"
    assert columns_set_without_version(written_out) == set()
    assert columns_set_without_version('UPDATE "checkin_round" SET "nudged_at" = %s WHERE id = 1') == set()
    assert columns_set_without_version("UPDATE checkin_round SET analysed_at = now() WHERE id = 1") == {"analysed_at"}
