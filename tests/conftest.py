"""Shared fixtures: the three seats every read endpoint is tested from (two partners and an
outsider), API clients logged in as each, the test broker's queue, and the rule that the suite
never skips a real server. What the fixtures are made of lives in tests/builders.py."""

import socket
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread

from couples.models import User
from tests import builders
from tests.broker import BrokerQueue
from tests.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    # On SQLite, tests that need PostgreSQL's concurrency are left out (deselected, not skipped):
    # the PostgreSQL run of `make test` runs them; so are those that would run the same on either
    # engine (marked `once`), so that the suite stays within its time.
    if connection.vendor == "postgresql":
        return
    kept: list[pytest.Item] = []
    left_out: list[pytest.Item] = []
    for item in items:
        (left_out if item.get_closest_marker("postgres") or item.get_closest_marker("once") else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


class SendsAtOnce(ThreadedWSGIServer):
    """The live server's sockets with Nagle's algorithm off, as gunicorn's are in production
    (gunicorn/sock.py). Django's server writes a response's headers and its body in two sends, and
    with Nagle on, the body waited for the client's delayed ACK: about 40 ms on every request of
    the browser tests and the schema fuzz, most of their time. Accepted sockets inherit the option."""

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().server_bind()


@pytest.fixture(scope="session", autouse=True)
def _live_server_sends_at_once() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", SendsAtOnce)
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters live in the cache; each test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


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


@pytest.fixture
def seats(db) -> builders.Seats:
    return builders.three_seats()


@pytest.fixture
def api():
    return builders.client_for


@pytest.fixture
def person(db) -> User:
    return UserFactory.create()
