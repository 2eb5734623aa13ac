"""How a push's HTTP request reaches its push service: what pywebpush calls as its "session".

Two transports that must agree (tests/notifications/test_push_http.py sends the same pushes through
both to a real local push service and compares what it received and what each answered):

- `reference_session()`, the plain one: a requests.Session, pywebpush's own default.
- `PushConnections`, what the deliver worker uses: urllib3's connection pools directly, one kept-open
  pool per push service origin per process, shared by the process's sending threads. requests'
  layer above urllib3 (hooks, cookies, the environment's settings merged at every send) was 0.25 of
  the 0.5 ms of CPU a push's HTTP exchange cost (bench/RESULTS.md).

Both transports apply notifications/push_endpoints.py's rule themselves (SSRF), so no caller can
send without it: the URL before each send, and the addresses at connect time, on the very address
the socket connects to, once per connection. A check of the host name before each send would both
look the name up again for every push and check another lookup than the one a kept-open connection
was made with. The reference session cannot see its sockets' addresses, and behind an HTTPS proxy
(when it is the transport used) the proxy connects, so it looks the name up and checks it before
each send instead. A refusal raises `EndpointRefused`.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import certifi
import requests
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from notifications.push_endpoints import EndpointRefused, checked_addresses, endpoint_problem, url_problem

__all__ = ["EndpointRefused", "PushAnswer", "PushConnections", "proxied", "reference_session"]

# A pool keeps at most this many idle connections to one push service: as many as the pushes a
# process has in flight (notifications/sending.py), so none is closed after a send for want of room.
CONNECTIONS_PER_SERVICE = 100


def proxied() -> bool:
    """Whether the environment sends HTTPS through a proxy (then the reference transport is used)."""
    return "https" in urllib.request.getproxies()


class _CheckedSession(requests.Session):
    # requests also takes a URL as bytes; pywebpush, its one caller here, gives text.
    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        problem = endpoint_problem(url)
        if problem:
            raise EndpointRefused(problem)
        return super().request(method, url, *args, **kwargs)


def reference_session() -> requests.Session:
    """The plain transport: a requests session with the environment's proxies read once (with
    `trust_env` on, requests reads ~/.netrc and the proxy variables again at every send), which
    looks each endpoint's name up and checks it before sending."""
    session = _CheckedSession()
    session.trust_env = False
    proxies = urllib.request.getproxies()
    session.proxies.update({scheme: proxies[scheme] for scheme in ("http", "https") if scheme in proxies})
    return session


@dataclass
class PushAnswer:
    """What pywebpush and the channel read of a push service's answer."""

    status_code: int
    headers: Mapping[str, str] = field(default_factory=dict)  # urllib3's: names in any case
    text: str = ""


class _CheckedConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:  # urllib3's hook for making the socket
        addresses = checked_addresses(self._dns_host, self.port or self.default_port)
        # Connect to an address that was checked, not to a second lookup of the name, trying each
        # in turn as a connection to the name would (an IPv6 address first on a host without IPv6).
        # urllib3 reads the host name (for TLS's SNI and the certificate check) from the same
        # attribute, so the name is put back as soon as the socket is made.
        name = self._dns_host
        try:
            for number, address in enumerate(addresses, start=1):
                self._dns_host = address
                try:
                    return super()._new_conn()
                except (NewConnectionError, ConnectTimeoutError):
                    if number == len(addresses):
                        raise
        finally:
            self._dns_host = name
        raise AssertionError("unreachable: a name that resolves has at least one address")


class _CheckedHTTPSConnection(_CheckedConnection, HTTPSConnection):
    pass


class _CheckedPool(HTTPConnectionPool):
    ConnectionCls = _CheckedConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class PushConnections:
    """Kept-open connections to every push service, shared by a process's threads."""

    def __init__(self, *, ca_certs: str | None = None) -> None:
        # Certificates are checked against Mozilla's authorities (certifi), as requests does, not
        # against whatever the host happens to have installed.
        self._manager = urllib3.PoolManager(
            num_pools=50,
            maxsize=CONNECTIONS_PER_SERVICE,
            block=False,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=ca_certs or certifi.where(),
        )
        self._manager.pool_classes_by_scheme = {"http": _CheckedPool, "https": _CheckedHTTPSPool}

    def post(self, url: str, *, data: bytes, headers: dict[str, str], timeout: float, **_: object) -> PushAnswer:
        """POST as pywebpush asks; urllib3's errors (connection, timeout) propagate to the channel."""
        problem = url_problem(url)
        if problem:
            raise EndpointRefused(problem)
        answer = self._manager.request(
            "POST", url, body=data, headers=headers, timeout=timeout, retries=False, redirect=False
        )
        return PushAnswer(status_code=answer.status, headers=answer.headers, text=answer.data.decode(errors="replace"))
