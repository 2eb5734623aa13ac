"""How a push's HTTP request reaches its push service: `PushConnections`, what pywebpush calls as
its "session". urllib3's connection pools, one kept open per push service origin and shared by a
process's sending threads: the herd's pushes go to a few push services, so each costs a request on
an open connection, not a new connection.

notifications/push_endpoints.py decides which endpoints may be called (SSRF); this applies its
rule where no caller can skip it: the URL before each send, and the addresses as a connection is
made, on the very address the socket connects to (a kept-open connection is checked once, on the
lookup it was made with). Behind an HTTPS proxy the proxy connects, so there the name is looked up
and checked before each send. A refusal raises `EndpointRefused`.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import certifi
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from notifications.push_endpoints import EndpointRefused, checked_addresses, endpoint_problem, url_problem

__all__ = ["EndpointRefused", "PushAnswer", "PushConnections"]

# A pool keeps at most this many idle connections to one push service: as many as the pushes a
# process has in flight (notifications/sending.py), so none is closed after a send for want of room.
CONNECTIONS_PER_SERVICE = 100


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
        options: dict[str, Any] = {
            "num_pools": 50,
            "maxsize": CONNECTIONS_PER_SERVICE,
            "block": False,
            "retries": False,
            "cert_reqs": "CERT_REQUIRED",
            "ca_certs": ca_certs or certifi.where(),
        }
        self._proxy = urllib.request.getproxies().get("https")
        if self._proxy:
            self._manager: urllib3.PoolManager = urllib3.ProxyManager(self._proxy, **options)
        else:
            self._manager = urllib3.PoolManager(**options)
            self._manager.pool_classes_by_scheme = {"http": _CheckedPool, "https": _CheckedHTTPSPool}

    def post(self, url: str, *, data: bytes, headers: dict[str, str], timeout: float, **_: object) -> PushAnswer:
        """POST as pywebpush asks; urllib3's errors (connection, timeout) propagate to the channel."""
        problem = endpoint_problem(url) if self._proxy else url_problem(url)
        if problem:
            raise EndpointRefused(problem)
        answer = self._manager.request(
            "POST", url, body=data, headers=headers, timeout=timeout, retries=False, redirect=False
        )
        return PushAnswer(status_code=answer.status, headers=answer.headers, text=answer.data.decode(errors="replace"))
