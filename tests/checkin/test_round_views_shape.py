"""One source for the shape of a round view: RoundSerializer shapes what the selectors decide a
person may see (records, not dicts in the API's shape), cached or not: the cache serves the very
text an uncached read builds."""

from typing import Any

import pytest
from django.core.cache import cache

from checkin import round_views
from checkin.serializers import RoundSerializer
from tests.builders import answer, open_round, revealed_round

pytestmark = pytest.mark.django_db


def _fields(serializer) -> set[str]:
    return set(serializer.fields)


def _a_round_of_each_kind(seats) -> None:
    revealed_round(seats, alice=(1, 5), bob=(5, 1))  # revealed and analysed: patterns and flags
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, note="mine", private_note="only mine")


def test_my_answer_is_returned_in_the_shape_the_schema_documents(seats):
    round_id = open_round(seats.alice_api)["id"]
    body = answer(seats.alice_api, round_id, note="mine").json()
    shape: Any = RoundSerializer()
    assert set(body) == _fields(shape.fields["me"].fields["response"])


def test_the_cache_serves_the_text_an_uncached_read_builds(seats):
    _a_round_of_each_kind(seats)
    for viewer in (seats.alice, seats.bob):
        for _ in range(2):  # built and cached, then from the cache
            assert round_views.current(user=viewer) == round_views.current(user=viewer, cached=False)
            page = slice(0, 20)
            assert round_views.History(user=viewer)[page] == round_views.History(user=viewer, cached=False)[page]
        cache.clear()
