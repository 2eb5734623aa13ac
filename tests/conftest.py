"""Shared fixtures: the three seats every read endpoint is tested from (two partners and an
outsider), API clients logged in as each, and the rule that the suite never skips a real server."""

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from couples import services
from couples.models import Couple, User
from tests.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    # On SQLite, tests that need PostgreSQL's concurrency are left out (deselected, not skipped):
    # the PostgreSQL run of `make test` runs them.
    if connection.vendor == "postgresql":
        return
    kept: list[pytest.Item] = []
    left_out: list[pytest.Item] = []
    for item in items:
        (left_out if item.get_closest_marker("postgres") else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters live in the cache; each test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


class BrokerQueue:
    """The messages waiting in the real Redis broker's default queue, as (task name, args)."""

    def __init__(self, url: str):
        self.client = redis.Redis.from_url(url)

    def __iter__(self):
        # kombu LPUSHes and workers BRPOP, so the list holds the newest first.
        for raw in reversed(self.client.lrange("celery", 0, -1)):
            message = json.loads(raw)
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            yield message["headers"]["task"], tuple(args)


@pytest.fixture
def broker_messages(settings) -> Iterator[BrokerQueue]:
    """An empty queue on the test broker (a Redis database of its own) before and after."""
    queue = BrokerQueue(settings.CELERY_BROKER_URL)
    queue.client.flushdb()
    yield queue
    queue.client.flushdb()


@pytest.fixture
def sent(broker_messages) -> BrokerQueue:
    """The tasks sent to the real broker (`.delay()`, e.g. the analysis of a revealed round, or a
    notification's fan-out), read back from its queue as (task name, args), oldest first."""
    return broker_messages


def analyses(sent: BrokerQueue) -> list[int]:
    """The ids of the rounds whose analysis was sent to the broker, in order."""
    return [args[0] for name, args in sent if name == "checkin.round_analyse"]


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        token = services.auth_token_issue(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@dataclass
class Seats:
    """Alice and Bob are a couple; Charlie is an outsider who is paired with Dana."""

    couple: Couple
    alice: User
    bob: User
    charlie: User
    alice_api: APIClient
    bob_api: APIClient
    charlie_api: APIClient
    anonymous_api: APIClient


def pair(inviter: User, joiner: User) -> Couple:
    invite = services.invite_create(user=inviter)
    return services.couple_join(user=joiner, code=invite.code)


@pytest.fixture
def seats(db) -> Seats:
    alice = UserFactory.create(display_name="Alice", email="alice@example.com")
    bob = UserFactory.create(display_name="Bob", email="bob@example.com")
    charlie = UserFactory.create(display_name="Charlie", email="charlie@example.com")
    dana = UserFactory.create(display_name="Dana", email="dana@example.com")
    couple = pair(alice, bob)
    pair(charlie, dana)
    return Seats(
        couple=couple,
        alice=alice,
        bob=bob,
        charlie=charlie,
        alice_api=client_for(alice),
        bob_api=client_for(bob),
        charlie_api=client_for(charlie),
        anonymous_api=client_for(None),
    )


@pytest.fixture
def api():
    return client_for


@pytest.fixture
def person(db) -> User:
    return UserFactory.create()
