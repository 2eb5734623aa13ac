"""One source for the shape of a round view: RoundSerializer shapes what the selectors decide a
person may see, cached or not. The selectors' data and the serializer cannot drift apart: every
key of the one is a field of the other, at every level; and the cache serves the very text an
uncached read builds."""

from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from checkin import round_views, selectors
from checkin.models import Round
from checkin.serializers import RoundSerializer
from tests.builders import answer, open_round, revealed_round

pytestmark = pytest.mark.django_db


def _fields(serializer) -> set[str]:
    return set(serializer.fields)


def _a_round_of_each_kind(seats) -> None:
    revealed_round(seats, alice=(1, 5), bob=(5, 1))  # revealed and analysed: patterns and flags
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, note="mine", private_note="only mine")


def test_every_key_of_a_round_view_is_a_field_of_round_serializer_at_every_level(seats):
    _a_round_of_each_kind(seats)
    shape: Any = RoundSerializer()  # its nested fields are serializers: read as such below
    me, partner = shape.fields["me"], shape.fields["partner"]
    seen_flag = seen_shared = False
    for viewer in (seats.alice, seats.bob):
        for view in selectors.round_views(
            rounds=Round.objects.filter(couple=seats.couple), viewer=viewer, now=timezone.now()
        ):
            assert set(view) == _fields(shape)
            assert set(view["me"]) == _fields(me)
            assert set(view["partner"]) == _fields(partner)
            if view["me"]["response"]:
                assert set(view["me"]["response"]) == _fields(me.fields["response"])
            if view["partner"]["response"]:
                assert set(view["partner"]["response"]) == _fields(partner.fields["response"])
                seen_shared = True
            if view["patterns"]:
                assert set(view["patterns"]) == _fields(shape.fields["patterns"])
            for flag in view["flags"]:
                assert set(flag) == _fields(shape.fields["flags"].child)
                seen_flag = True
    assert seen_flag and seen_shared


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
