"""Which push endpoints the server may POST to. A subscription's endpoint is a URL the client
chose; unchecked, it would let anyone make the server call into internal networks (SSRF)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


def endpoint_problem(url: str) -> str | None:
    """Why the server must not send to `url`, in words for the client; None when it may."""
    problem = url_problem(url)
    if problem:
        return problem
    parts = urlsplit(url)
    return checked_addresses(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))[0]


def url_problem(url: str) -> str | None:
    """What is wrong with `url` itself, before any host name is looked up."""
    parts = urlsplit(url)
    if not parts.hostname:
        return "The endpoint must be a full URL."
    if parts.scheme != "https" and not (settings.PUSH_ALLOW_LOOPBACK_ENDPOINTS and parts.scheme == "http"):
        return "The endpoint must be an https URL."
    return None


def checked_addresses(host: str, port: int) -> tuple[str | None, list[str]]:
    """(why not, []) when the server must not connect to `host`; (None, the addresses to connect
    to, in the resolver's order) when it may. Every address the name resolves to must be allowed:
    a name that also points inside is refused, whichever address a connection would take."""
    try:
        addresses = [str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]
    except (socket.gaierror, UnicodeError, ValueError):
        return "The endpoint's host name does not resolve.", []
    loopback_allowed = settings.PUSH_ALLOW_LOOPBACK_ENDPOINTS
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if ip.is_global:
            continue
        if loopback_allowed and ip.is_loopback:
            continue
        return "The endpoint must be a public push service, not a private or local address.", []
    return None, list(dict.fromkeys(addresses))
