"""Hostile bodies on every endpoint that takes one: nested too deep is a 400 and too large a 413,
both JSON, before the body becomes Python objects (foundation/parsers.py, config/middleware.py), with
DEBUG on or off; and never a 500 for any body (the property test below)."""

import json
import re

import pytest
from django.test import Client
from drf_spectacular.generators import EndpointEnumerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from couples import devices
from foundation.parsers import MAX_DEPTH, nesting_depth
from tests.builders import open_round

pytestmark = pytest.mark.django_db

TOO_DEEP = {"detail": f"JSON parse error - nested more than {MAX_DEPTH} levels deep."}
MEGABYTE = 1024 * 1024


def endpoints_taking_a_body() -> list[tuple[str, str]]:
    """(method, path) of every API operation that may take a body, ids in the path as 1."""
    return sorted(
        (method, re.sub(r"\{[^}]+\}", "1", path))
        for path, _regex, method, _view in EndpointEnumerator().get_api_endpoints()
        if method in {"POST", "PUT", "PATCH", "DELETE"}
    )


def client_of(user=None) -> Client:
    """`user`'s client (anonymous for None) that hands back what a server error answers."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {devices.token_issue(user=user)[0]}"
    return client


def send(client: Client, method: str, path: str, body: str | bytes):
    return client.generic(method, path, body, content_type="application/json")


def is_json_or_empty(response) -> bool:
    return not response.content or response["Content-Type"] == "application/json"


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def test_every_endpoint_taking_a_body_refuses_one_nested_a_hundred_thousand_deep(seats, debug):
    endpoints = endpoints_taking_a_body()
    assert ("POST", "/api/v1/auth/login") in endpoints and ("PUT", "/api/v1/checkins/1/response") in endpoints
    for client in (client_of(None), client_of(seats.alice)):
        for method, path in endpoints:
            response = send(client, method, path, "[" * 100_000)
            assert response.status_code < 500 and is_json_or_empty(response), (method, path, response.content)
    for path in ("/api/v1/auth/login", "/api/v1/auth/register"):
        response = send(client_of(None), "POST", path, "[" * 100_000)
        assert (response.status_code, response.json()) == (400, TOO_DEEP)


def test_the_quick_read_of_an_answer_refuses_a_body_nested_too_deep(seats, debug):
    round_id = open_round(seats.bob_api)["id"]
    deep = '{"connection": 3, "independence": 3, "note": ' + "[" * 40 + "]" * 40 + "}"
    response = send(client_of(seats.alice), "PUT", f"/api/v1/checkins/{round_id}/response", deep)
    assert (response.status_code, response.json()) == (400, TOO_DEEP)


def test_a_body_nested_as_deep_as_allowed_is_read(seats):
    # The limit refuses depth only: a body just within it reaches the serializer, which names the field.
    within = '{"email": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + ', "password": "x"}'
    response = send(client_of(None), "POST", "/api/v1/auth/login", within)
    assert response.status_code == 400 and "email" in response.json()


@pytest.mark.parametrize("megabytes", [3, 10])
def test_a_body_over_the_upload_limit_is_a_json_413_saying_the_limit(seats, debug, megabytes):
    body = json.dumps({"email": "a" * (megabytes * MEGABYTE), "password": "x"})
    too_large = {"detail": "The request body is too large: at most 2621440 bytes."}  # Django's 2.5 MB
    for client, method, path in [
        (client_of(None), "POST", "/api/v1/auth/login"),
        (client_of(seats.alice), "PATCH", "/api/v1/me"),
    ]:
        response = send(client, method, path, body)
        assert (response.status_code, response["Content-Type"], response.json()) == (413, "application/json", too_large)


# Shapes of hostile bodies: nested deep (valid JSON or cut off), control characters in every
# string, and plain junk. A body over the upload limit is left to the test above: it is slow to make.
OPENERS = ["[", '{"a":', '[{"b":', '{"email":[']
CONTROL = st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1)
FIELDS = ["email", "password", "display_name", "timezone", "code", "text", "note", "private_note", "endpoint"]


@st.composite
def nested(draw) -> str:
    opener = draw(st.sampled_from(OPENERS))
    depth = draw(st.integers(MAX_DEPTH + 1, 100_000))
    closed = draw(st.booleans())
    closer = "".join("]" if c == "[" else "}" for c in reversed(opener) if c in "[{")
    return opener * depth + ("0" + closer * depth if closed else "")


hostile_bodies = st.one_of(
    nested(),
    st.dictionaries(st.sampled_from(FIELDS), st.one_of(CONTROL, st.just("Sam\nBcc: x@example.com")), min_size=1).map(
        json.dumps
    ),
    st.binary(max_size=64),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=hostile_bodies, endpoint=st.sampled_from(sorted(set(endpoints_taking_a_body()))), signed_in=st.booleans())
def test_no_body_is_a_server_error_on_any_endpoint(seats, body, endpoint, signed_in):
    method, path = endpoint
    response = send(client_of(seats.alice if signed_in else None), method, path, body)
    assert response.status_code < 500 and is_json_or_empty(response), response.content


def depth_of(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    return 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),  # text with brackets, quotes and backslashes
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300)
@given(value=json_values, indent=st.sampled_from([None, 1]))
def test_the_depth_read_without_parsing_is_the_depth_of_the_value(value, indent):
    assert nesting_depth(json.dumps(value, indent=indent, ensure_ascii=False)) == depth_of(value)
