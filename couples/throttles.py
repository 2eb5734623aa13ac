"""Throttles on the doors a stranger can knock on: register, login, join and invite creation.

Rates live in settings (DEFAULT_THROTTLE_RATES); couples/invites.py works out what they mean
for guessing an invite code.
"""

from rest_framework.throttling import SimpleRateThrottle


class _PerAddressThrottle(SimpleRateThrottle):
    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _PerPersonThrottle(SimpleRateThrottle):
    def get_cache_key(self, request, view) -> str:
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class RegisterThrottle(_PerAddressThrottle):
    scope = "register"


class LoginThrottle(_PerAddressThrottle):
    scope = "login"


class JoinThrottle(_PerPersonThrottle):
    scope = "join"


class JoinAddressThrottle(_PerAddressThrottle):
    scope = "join_address"


class InviteThrottle(_PerPersonThrottle):
    scope = "invite"
