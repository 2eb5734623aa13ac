"""Throttles on the doors a stranger can knock on: register, login (password or passkey), join,
invite creation, and the account emails (a reset link, a confirmation link) and the password checks
of Settings.

Rates live in settings (DEFAULT_THROTTLE_RATES); couples/invites.py works out what they mean
for guessing an invite code.

An address is the one the connection came from (REMOTE_ADDR). `X-Forwarded-For` is believed only
from the proxies the deployment names (TRUSTED_PROXIES): anyone can send the header, so believing
it from any client let each request claim a fresh address and walk past every per-address limit.
"""

import hashlib
import hmac
from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import cast

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.utils.connection import ConnectionProxy
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from couples.models import normalize_email

Network = IPv4Network | IPv6Network

# The counters' own cache alias: under `make run` one that every process shares (config/settings).
throttles_cache = cast(BaseCache, ConnectionProxy(caches, "throttles"))  # as Django's own `cache` is


def client_address(*, remote_addr: str, forwarded_for: str | None, trusted_proxies: Sequence[Network]) -> str:
    """The address of the client, as far as the named proxies vouch for it.

    Each proxy appends the address it was reached from to `X-Forwarded-For`, so the list is read
    from the right: a hop is believed only while the one that appended it (the connection's peer,
    then each believed proxy in turn) is a trusted proxy. The first hop that is not a proxy is the
    client; whatever lies to its left is the client's own claim and is ignored. A hop that is no
    address (a misconfigured proxy) stops the walk at the last proxy believed.
    """
    believed = remote_addr
    if not forwarded_for or not _is_trusted(believed, trusted_proxies):
        return believed
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if _parse(hop) is None:
            return believed
        believed = hop
        if not _is_trusted(believed, trusted_proxies):
            return believed
    return believed


def _parse(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text)
    except ValueError:
        return None


def _is_trusted(text: str, trusted_proxies: Sequence[Network]) -> bool:
    address = _parse(text)
    return address is not None and any(address in network for network in trusted_proxies)


class _Throttle(SimpleRateThrottle):
    cache = throttles_cache

    def get_ident(self, request: Request) -> str:
        return client_address(
            remote_addr=request.META.get("REMOTE_ADDR", ""),
            forwarded_for=request.headers.get("x-forwarded-for"),
            trusted_proxies=settings.TRUSTED_PROXIES,
        )


class _PerAddressThrottle(_Throttle):
    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _PerPersonThrottle(_Throttle):
    def get_cache_key(self, request: Request, view: APIView) -> str:
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class RegisterThrottle(_PerAddressThrottle):
    scope = "register"


class LoginThrottle(_PerAddressThrottle):
    scope = "login"


class PasskeyLoginThrottle(_PerAddressThrottle):
    """Both calls of a passkey sign-in (its options, its answer). A wrong answer needs no count of
    its own per account, as wrong passwords do: nobody guesses a signature."""

    scope = "passkey_login"


class LoginAccountThrottle(SimpleRateThrottle):
    """Wrong passwords for one email, from any number of addresses.

    Only failures count (couples.services.password_sign_in calls `failed` on a wrong password), so
    a person who logs in on many devices is never held up, and an email with no account is counted
    the same way as one with an account, so the answer tells nothing. The key is a keyed hash of
    the folded email: no address is written into the cache.
    """

    scope = "login_account"
    cache = throttles_cache

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        email = request.data.get("email") if isinstance(request.data, dict) else None
        return self.key_for(email) if isinstance(email, str) else None

    def key_for(self, email: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": _email_digest(email)}

    def throttle_success(self) -> bool:
        return True  # a request let through is not yet a failure

    def failed(self, *, email: str) -> None:
        """Count one wrong password for `email`."""
        _, duration = self.parse_rate(self.rate)
        if duration is None:  # no limit set
            return
        key = self.key_for(email)
        now = self.timer()
        history = [moment for moment in self.cache.get(key, []) if moment > now - duration]
        self.cache.set(key, [now, *history], duration)


def _email_digest(email: str) -> str:
    """A keyed hash of the folded address: no address is written into the cache."""
    key = hashlib.sha256(f"tandem.login-account:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, normalize_email(email).encode(), hashlib.sha256).hexdigest()


class PasswordCheckThrottle(LoginAccountThrottle):
    """Wrong passwords given in Settings (to change the password or the email, to delete the
    account; couples.services.password_confirm counts them), counted with the wrong passwords of
    login for the same account: both are guesses at one password, so a stolen session guesses no
    faster than a stranger at the login door."""

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.key_for(request.user.email) if request.user.is_authenticated else None


class PasswordResetThrottle(_PerAddressThrottle):
    scope = "password_reset"


class PasswordResetEmailThrottle(SimpleRateThrottle):
    """Reset requests for one email, from any number of addresses, known or not alike (so the
    429 tells nothing either): a mailbox is not flooded with reset links."""

    scope = "password_reset_email"
    cache = throttles_cache

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str):
            return None
        return self.cache_format % {"scope": self.scope, "ident": _email_digest(email)}


class AccountLinkThrottle(_PerAddressThrottle):
    """Uses of a reset or confirmation link: a token cannot be guessed, but nobody needs to try."""

    scope = "account_link"


class EmailConfirmationThrottle(_PerPersonThrottle):
    """Confirmation links a person has sent (a change of email, "send the link again"): each goes
    to an address of their choosing, so a few an hour."""

    scope = "email_confirmation"


class JoinThrottle(_PerPersonThrottle):
    scope = "join"


class JoinAddressThrottle(_PerAddressThrottle):
    scope = "join_address"


class InviteThrottle(_PerPersonThrottle):
    scope = "invite"
