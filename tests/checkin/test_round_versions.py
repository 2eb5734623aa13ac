"""The Round.version rule has one owner (checkin/round_changes.py) and a watch over the whole suite
(tests/round_versions.py): these hold the watch itself to what it must catch."""

import dataclasses

from checkin.models import Round
from checkin.round_changes import ROUND_FIELDS_NOT_SHOWN
from checkin.selectors import RoundView
from tests.round_versions import columns_set_without_version


def test_every_field_of_a_round_is_either_shown_or_declared_not_shown():
    fields = {field.attname for field in Round._meta.concrete_fields}
    # What a round view shows of the round's own fields (its sides, patterns and flags come from
    # answers, people and flags).
    shown = {field.name for field in dataclasses.fields(RoundView)} & fields
    assert shown | ROUND_FIELDS_NOT_SHOWN == fields, "classify the new field of Round in checkin/round_changes.py"
    assert not shown & ROUND_FIELDS_NOT_SHOWN


def test_the_watch_catches_a_change_to_what_a_round_shows_that_does_not_move_the_version():
    orm = 'UPDATE "checkin_round" SET "status" = %s, "closed_at" = %s WHERE "checkin_round"."id" = %s'
    assert columns_set_without_version(orm) == {"status"}
    moved = 'UPDATE "checkin_round" SET "status" = %s, "version" = ("checkin_round"."version" + %s) WHERE id = 1'
    assert columns_set_without_version(moved) == set()
    written_out = "WITH locked AS (UPDATE checkin_round SET version = version + 1 WHERE id = %(id)s) SELECT 1"
    assert columns_set_without_version(written_out) == set()
    assert columns_set_without_version('UPDATE "checkin_round" SET "nudged_at" = %s WHERE id = 1') == set()
    assert columns_set_without_version("UPDATE checkin_round SET analysed_at = now() WHERE id = 1") == {"analysed_at"}
