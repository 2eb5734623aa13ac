"""Which push endpoints the server may POST to. A subscription's endpoint is a URL the client
chose; unchecked, it would let anyone make the server call into internal networks (SSRF)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


def endpoint_problem(url: str) -> str | None:
    """Why the server must not send to `url`, in words for the client; None when it may."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        return "The endpoint must be a full URL."
    loopback_allowed = settings.PUSH_ALLOW_LOOPBACK_ENDPOINTS
    if parts.scheme != "https" and not (loopback_allowed and parts.scheme == "http"):
        return "The endpoint must be an https URL."
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)}
    except (socket.gaierror, UnicodeError, ValueError):
        return "The endpoint's host name does not resolve."
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if ip.is_global:
            continue
        if loopback_allowed and ip.is_loopback:
            continue
        return "The endpoint must be a public push service, not a private or local address."
    return None
