"""Which push endpoints the server may POST to, the one place that decides. A subscription's
endpoint is a URL the client chose; unchecked, it would let anyone make the server call into
internal networks (SSRF).

The rule: https, port 443, no user name or password, and every address the host name resolves to
globally routable: no private, local, reserved or multicast address, nor one that embeds such an
IPv4 address (IPv4-mapped, 6to4, NAT64, IPv4-compatible). Under PUSH_ALLOW_LOOPBACK_ENDPOINTS
(development and tests, for the local fake push service) a loopback address may also be called,
over http or https and on any port.

It is applied twice: when a subscription is made (`endpoint_problem`, the serializer), and when a
push is sent (by notifications/push_http.py: `url_problem` before each send and `checked_addresses`
on the very addresses a connection's socket connects to, so a name re-pointed after subscribing
is refused too; behind an HTTPS proxy, which connects for us, `endpoint_problem` before each send).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

PUBLIC_ONLY = "The endpoint must be a public push service, not a private or local address."

# Networks that Python's `is_global` (3.11) calls global but that no push service is in.
_NOT_GLOBAL = (
    ipaddress.ip_network("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215): the IPv4 inside is anyone's
    ipaddress.ip_network("192.0.0.0/24"),  # IETF protocol assignments (RFC 6890)
)
# NAT64's well-known prefix (RFC 6052): the last 32 bits are the IPv4 address reached.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IPv4-compatible addresses (deprecated by RFC 4291): the last 32 bits are an IPv4 address.
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class EndpointRefused(Exception):
    """The server must not send to this endpoint; `problem` says why, in words for the client."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def endpoint_problem(url: str) -> str | None:
    """Why the server must not send to `url`, in words for the client; None when it may. Looks the
    host name up (as a subscription is made, or before a send through a proxy)."""
    problem = url_problem(url)
    if problem:
        return problem
    parts = urlsplit(url)
    try:
        checked_addresses(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    except EndpointRefused as refused:
        return refused.problem
    return None


def url_problem(url: str) -> str | None:
    """What is wrong with `url` itself, before any host name is looked up."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return "The endpoint's port is not a number."
    if not parts.hostname:
        return "The endpoint must be a full URL."
    if parts.username is not None or parts.password is not None:
        return "The endpoint must not carry a user name or password."
    loopback_allowed = settings.PUSH_ALLOW_LOOPBACK_ENDPOINTS
    if parts.scheme != "https" and not (loopback_allowed and parts.scheme == "http"):
        return "The endpoint must be an https URL."
    if port not in (None, 443) and not loopback_allowed:
        return "The endpoint must use the https port, 443."
    return None


def checked_addresses(host: str, port: int) -> list[str]:
    """The addresses to connect to for `host`, in the resolver's order, once each is allowed;
    raises EndpointRefused otherwise. Every address the name resolves to must be allowed: a name
    that also points inside is refused, whichever address a connection would take."""
    try:
        addresses = [str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]
    except (socket.gaierror, UnicodeError, ValueError):
        raise EndpointRefused("The endpoint's host name does not resolve.") from None
    for address in addresses:
        problem = address_problem(address, port=port)
        if problem:
            raise EndpointRefused(problem)
    return list(dict.fromkeys(addresses))


def address_problem(address: str, *, port: int) -> str | None:
    """Why the server must not connect to `address` on `port`; None when it may."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if settings.PUSH_ALLOW_LOOPBACK_ENDPOINTS and ip.is_loopback:
        return None
    if not is_public(ip):
        return PUBLIC_ONLY
    if port != 443:
        return "The endpoint must use the https port, 443."
    return None


def is_public(ip: IPAddress) -> bool:
    """Whether `ip` is a globally routable unicast address, and so is any IPv4 address inside it."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return is_public(ip.ipv4_mapped)
    if ip.is_multicast or not ip.is_global or any(ip in network for network in _NOT_GLOBAL):
        return False
    return all(is_public(inner) for inner in _embedded_ipv4(ip))


def _embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a packet to `ip` may end up at, by the standard translations."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    inner = []
    if ip.sixtofour is not None:
        inner.append(ip.sixtofour)
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        inner.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.teredo is not None:
        inner.extend(ip.teredo)
    return inner
