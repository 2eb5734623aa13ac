"""A pytest plugin for the whole suite (pyproject.toml's addopts): every change to what a round
shows moves Round.version on, in the same statement (checkin/round_changes.py, `rounds_change`).

Each test's SQL is watched: an UPDATE of the rounds' table that sets a column the round views show
(any column not in checkin.round_changes.ROUND_FIELDS_NOT_SHOWN) without setting `version` fails the
test, whichever writer it came from, so a new writer that misses the rule fails the first test
that runs it. (Answers and flags are written in transactions that move their round's version on;
the round views' cache tests read them back through the cache.)
"""

import re

import pytest
from django.db import connections

# Loaded as a plugin before Django is set up, so the app's modules are imported when first used.
_ROUND_UPDATE = re.compile(r'UPDATE\s+"?checkin_round"?\s+SET\s+(.*?)\s+WHERE\b', re.IGNORECASE | re.DOTALL)
_SET_COLUMN = re.compile(r'(?:^|,)\s*"?(\w+)"?\s*=')


def columns_set_without_version(sql: str) -> set[str]:
    """The shown columns of rounds that `sql` sets in an UPDATE that does not move the version."""
    from checkin.models import Round
    from checkin.round_changes import ROUND_FIELDS_NOT_SHOWN

    assert Round._meta.db_table == "checkin_round"
    missed: set[str] = set()
    for assignments in _ROUND_UPDATE.findall(sql):
        columns = set(_SET_COLUMN.findall(assignments))
        if "version" not in columns:
            missed |= columns - ROUND_FIELDS_NOT_SHOWN
    return missed


class _Watch:
    def __init__(self) -> None:
        self.missed: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if isinstance(sql, str) and "checkin_round" in sql and (missed := columns_set_without_version(sql)):
            self.missed.append(f"{sorted(missed)} in: {sql[:300]}")
        return execute(sql, params, many, context)


@pytest.fixture(autouse=True)
def _round_changes_move_the_version_on():
    watch = _Watch()
    connection = connections["default"]
    with connection.execute_wrapper(watch):
        yield
    assert not watch.missed, "A round changed without moving Round.version on: " + "; ".join(watch.missed)
