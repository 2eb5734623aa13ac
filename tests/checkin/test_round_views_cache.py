"""The current round and the history are cached: read again unchanged, they cost no query of
their own; every change to what a round shows is on the very next read; a partner is never
served the other's view; a cache that is down costs speed, never an answer. They are cached as
the JSON text of the response, which is exactly what DRF would write for it."""

import os
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from checkin import round_views, scheduler, services
from tests.builders import answer, client_for, open_round, revealed_round
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET = "alice-private-9d2c"
CURRENT, HISTORY = "/api/v1/checkins/current", "/api/v1/checkins"
REDIS_CACHE_URL = os.environ.get("TEST_CACHE_REDIS_URL", "redis://127.0.0.1:6379/14")


def _read(client, path) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json(), len(captured)


@pytest.mark.parametrize("path", [CURRENT, HISTORY])
def test_a_view_read_again_unchanged_costs_the_token_and_its_key_only(seats, path):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id)
    first, first_queries = _read(seats.bob_api, path)
    again, again_queries = _read(seats.bob_api, path)
    assert again == first
    # The token, the key (the rounds' versions), and on the first read the view itself; seeing the
    # open round the first time also marks Bob's "a check-in is open" read, which the key told of.
    assert (first_queries, again_queries) == ((4 if path == CURRENT else 3), 2)


@pytest.mark.parametrize("path", [CURRENT, HISTORY])
def test_my_partners_answer_shows_on_my_next_read(seats, path):
    round_id = open_round(seats.alice_api)["id"]
    before, _ = _read(seats.bob_api, path)
    answer(seats.alice_api, round_id)
    after, _ = _read(seats.bob_api, path)
    partner = (lambda body: body["partner"]) if path == CURRENT else (lambda body: body["results"][0]["partner"])
    assert partner(before) == {"display_name": "Alice", "answered": False, "response": None, "removed": False}
    assert partner(after) == {"display_name": "Alice", "answered": True, "response": None, "removed": False}


@pytest.mark.parametrize("path", [CURRENT, HISTORY])
def test_my_edit_shows_on_my_next_read(seats, path):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, connection=1, independence=1, note="first thought")
    _read(seats.alice_api, path)
    answer(seats.alice_api, round_id, connection=5, independence=2, note="second thought")
    body, _ = _read(seats.alice_api, path)
    mine = (body if path == CURRENT else body["results"][0])["me"]["response"]
    assert (mine["connection"], mine["independence"], mine["note"]) == (5, 2, "second thought")


def test_the_reveal_shows_on_the_next_read_and_the_round_is_no_longer_current(seats):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, connection=2, independence=5, note="for bob")
    _read(seats.bob_api, HISTORY), _read(seats.alice_api, CURRENT)
    answer(seats.bob_api, round_id, connection=5, independence=2)
    assert seats.alice_api.get(CURRENT).status_code == 404
    shown, _ = _read(seats.bob_api, HISTORY)
    assert shown["results"][0]["status"] == "revealed"
    assert shown["results"][0]["partner"]["response"]["note"] == "for bob"


def test_a_round_the_tick_closes_shows_as_expired_on_the_next_read(seats):
    opened = open_round(seats.alice_api)
    answer(seats.alice_api, opened["id"])
    assert _read(seats.alice_api, HISTORY)[0]["results"][0]["status"] == "open"
    _read(seats.alice_api, CURRENT)
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        assert scheduler.close_ended_rounds(now=timezone.now()) == 1
    assert _read(seats.alice_api, HISTORY)[0]["results"][0]["status"] == "expired"
    assert seats.alice_api.get(CURRENT).status_code == 404


def test_the_flags_of_the_analysis_show_on_the_next_read(seats):
    checkin_round = revealed_round(seats, alice=(1, 5), bob=(5, 1), analyse=False)
    assert _read(seats.alice_api, HISTORY)[0]["results"][0]["flags"] == []
    services.round_analyse(round_id=checkin_round.pk)
    flags = _read(seats.alice_api, HISTORY)[0]["results"][0]["flags"]
    assert "pursue_withdraw" in {flag["kind"] for flag in flags}


@pytest.mark.parametrize("path", [CURRENT, HISTORY])
def test_my_cached_view_is_never_served_to_my_partner(seats, path):
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, note="hers to share later", private_note=SECRET)
    assert SECRET in seats.alice_api.get(path).content.decode()
    for _ in range(2):  # the first read builds Bob's view; the second is served from the cache
        text = seats.bob_api.get(path).content.decode()
        assert SECRET not in text and "hers to share later" not in text


def test_a_new_couples_round_joins_my_history_on_the_next_read_and_theirs_holds_only_it(seats):
    old = revealed_round(seats)
    assert _read(seats.alice_api, HISTORY)[0]["count"] == 1
    seats.alice_api.post("/api/v1/couple/leave")
    newcomer = UserFactory.create()
    code = client_for(newcomer).post("/api/v1/couple/invites").json()["code"]
    assert seats.alice_api.post("/api/v1/couple/join", {"code": code}, format="json").status_code == 201
    assert [r["id"] for r in _read(seats.alice_api, HISTORY)[0]["results"]] == [old.pk]
    round_id = open_round(seats.alice_api)["id"]
    history, _ = _read(seats.alice_api, HISTORY)
    assert [r["id"] for r in history["results"]] == [round_id, old.pk]
    assert [r["id"] for r in _read(client_for(newcomer), HISTORY)[0]["results"]] == [round_id]


def test_a_partner_leaving_with_their_answers_shows_them_removed_on_my_next_read(seats):
    revealed_round(seats, alice=(4, 4), bob=(1, 2))
    before, _ = _read(seats.alice_api, HISTORY)
    assert before["results"][0]["partner"]["response"]["connection"] == 1
    seats.bob_api.post("/api/v1/couple/leave", {"remove_my_answers": True}, format="json")
    after, _ = _read(seats.alice_api, HISTORY)
    removed = {"display_name": "Bob", "answered": True, "response": None, "removed": True}
    assert after["results"][0]["partner"] == removed


def test_a_partners_new_name_shows_on_my_next_read_of_our_rounds_and_of_a_former_couples(seats):
    revealed_round(seats)
    _read(seats.alice_api, HISTORY)
    seats.bob_api.patch("/api/v1/me", {"display_name": "Robert"}, format="json")
    assert _read(seats.alice_api, HISTORY)[0]["results"][0]["partner"]["display_name"] == "Robert"
    seats.bob_api.post("/api/v1/couple/leave")
    _read(seats.alice_api, HISTORY)
    seats.bob_api.patch("/api/v1/me", {"display_name": "Rob"}, format="json")
    assert _read(seats.alice_api, HISTORY)[0]["results"][0]["partner"]["display_name"] == "Rob"


def test_a_former_partners_cached_history_is_the_text_an_uncached_read_builds(seats):
    revealed_round(seats, alice=(1, 5), bob=(5, 1))
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, note="mine", private_note=SECRET)
    seats.bob_api.post("/api/v1/couple/leave", {"remove_my_answers": True}, format="json")
    page = slice(0, 20)
    for viewer in (seats.alice, seats.bob):
        for _ in range(2):  # built and cached, then from the cache
            assert round_views.History(user=viewer)[page] == round_views.History(user=viewer, cached=False)[page]
    assert SECRET not in str(round_views.History(user=seats.bob)[page])


@pytest.mark.parametrize("path", [CURRENT, HISTORY])
def test_reads_are_answered_from_the_database_when_the_cache_is_down(seats, settings, path, caplog):
    # Nothing listens on port 1: every cache call fails at once.
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, connection=2, independence=3)
    for _ in range(2):
        body, _ = _read(seats.alice_api, path)
        mine = (body if path == CURRENT else body["results"][0])["me"]["response"]
        assert (mine["connection"], mine["independence"]) == (2, 3)
    assert "round views cache cannot be read" in caplog.text


def test_with_the_production_cache_a_change_shows_on_the_next_read(seats, settings):
    # Production keeps the cache in Redis (config/settings/production.py): the same rules hold there.
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_CACHE_URL}}
    # Ids start again in every test database, and the keys are made of them: start empty.
    cache.clear()
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, private_note=SECRET)
    assert _read(seats.bob_api, CURRENT)[1] == 4  # built, and Bob's "a check-in is open" read
    assert _read(seats.bob_api, CURRENT)[1] == 2
    assert SECRET not in seats.bob_api.get(CURRENT).content.decode()
    answer(seats.bob_api, round_id)
    history, _ = _read(seats.bob_api, HISTORY)
    assert history["results"][0]["status"] == "revealed"
    assert SECRET not in str(history)


# Characters JSON writers treat differently: non-ASCII, quotes, and the two line separators that
# DRF always escapes (so that the text is also valid JavaScript).
AWKWARD_NOTE = 'Café, "us" ✓ \u2028 next line \u2029 </script>'


def _a_round_of_each_kind(seats) -> None:
    revealed_round(seats, alice=(1, 5), bob=(5, 1))  # revealed, with flags
    round_id = open_round(seats.alice_api)["id"]
    answer(seats.alice_api, round_id, note=AWKWARD_NOTE, private_note=AWKWARD_NOTE)


@pytest.mark.parametrize("path", [CURRENT, HISTORY])
def test_a_cached_view_is_the_very_text_drf_writes_for_it(seats, path):
    _a_round_of_each_kind(seats)
    built = seats.alice_api.get(path)
    cached = seats.alice_api.get(path)
    cache.clear()
    rebuilt = seats.alice_api.get(path)
    assert built.content == cached.content == rebuilt.content
    assert built.content == DRFJSONRenderer().render(built.json())
    assert built["Content-Type"] == "application/json"
    body = built.json()
    assert (body if path == CURRENT else body["results"][0])["me"]["response"]["note"] == AWKWARD_NOTE


@pytest.mark.parametrize("path", [CURRENT, HISTORY])
def test_a_view_asked_for_indented_is_indented_from_the_cache_too(seats, path):
    _a_round_of_each_kind(seats)
    indented = "application/json; indent=2"
    for _ in range(2):  # built, then from the cache
        response = seats.alice_api.get(path, HTTP_ACCEPT=indented)
        assert response.status_code == 200
        assert response.content == DRFJSONRenderer().render(response.json(), indented)
        assert response.content.startswith(b'{\n  "')
