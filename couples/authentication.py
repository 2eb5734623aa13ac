"""How a request proves who it is (REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES): DRF's token
and session authentication, each knowing the device it signs in (couples/devices.py)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from couples import devices
from couples.models import Device, User


class DeviceTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, looked up by the key's digest: one query, and a second only
    when the last use is older than DEVICE_TOUCH_MINUTES. A token unused for DEVICE_IDLE_DAYS is
    refused, and removed on sight. `request.auth` is the Device."""

    def authenticate_credentials(self, key: str) -> tuple[User, Device]:
        device = (
            Device.objects.select_related("user")
            .filter(kind=Device.Kind.TOKEN, token_digest=devices.token_digest(key))
            .first()
        )
        if device is None or not device.user.is_active:
            raise AuthenticationFailed(_("Invalid token."))
        if not devices.token_seen(device=device):
            raise AuthenticationFailed("This token expired after a long time unused. Sign in again.")
        return device.user, device


class DeviceSessionAuthentication(authentication.SessionAuthentication):
    """Django's session (with DRF's CSRF check), whose browser is a device of its own: its last use
    moves on now and then; a session whose device was signed out ends."""

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        signed_in = super().authenticate(request)
        if signed_in is None:
            return None
        user = signed_in[0]
        if not devices.browser_seen(request=request._request, user=user):
            return None
        return user, None


class DeviceSessionScheme(SessionScheme):
    """Tells the schema that DeviceSessionAuthentication is the session cookie, as DRF's is:
    drf-spectacular's own extension matches DRF's class only, not its subclasses. (Defined here so
    that it is registered whenever the authentication classes are loaded.)"""

    target_class = "couples.authentication.DeviceSessionAuthentication"
