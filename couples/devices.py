"""Every sign-in is a device of its own: a browser's session, or a token of its own for any other
client (API-next, "Devices and passkeys"). The one owner of signing in and out: a password sign-in,
a registration, a passkey, a password reset (`sign_out_devices`) or change (`sign_out_other_devices`)
all come through here, so a device is never left behind or made another way.

A token is shown once, when it is issued, and kept only as its digest. Browsers never get one:
their credential is the session cookie, which page scripts cannot read.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from rest_framework.authentication import CSRFCheck
from rest_framework.request import Request

from couples import live
from couples.models import USER_AGENT_MAX_LENGTH, BrowserSession, Device, User
from foundation.errors import NotFound

# In a browser's session: which device it is, the session key it was linked under (a new key, as
# Django makes at sign-in or after a password change, means the link went with the old row) and when
# its use was last written (seconds since the epoch).
SESSION_MARKER = "tandem.device"


@dataclass(frozen=True)
class SignedIn:
    """What a sign-in made: the device, and for a token client the key, shown this once."""

    user: User
    device: Device
    token: str | None


def sign_in(*, request: Request | HttpRequest, user: User) -> SignedIn:
    """Signs `user` in on this request as a new device: a browser session when the request passes
    Django's CSRF check (the app fetches its CSRF token from /auth/csrf first; this stops a forged
    sign-in into someone else's account), else a token of its own. The caller has checked who the
    person is (password, passkey, a fresh registration)."""
    http = _http(request)
    user_agent = _user_agent(http)
    if not _csrf_passes(http):
        key, device = token_issue(user=user, user_agent=user_agent)
        return SignedIn(user=user, device=device, token=key)
    with transaction.atomic():
        # Django picks the backend when there is one; a person found another way (a passkey) is
        # still loaded by the first, which looks people up by id.
        backend = getattr(user, "backend", None) or settings.AUTHENTICATION_BACKENDS[0]
        login(http, user, backend=backend)  # a new session key; another person's session is gone
        http.session.save()  # the row exists now, saying whose it is
        device = Device.objects.create(
            user=user, kind=Device.Kind.BROWSER, session_id=http.session.session_key, user_agent=user_agent
        )
        _mark(http.session, device)
    return SignedIn(user=user, device=device, token=None)


def token_issue(*, user: User, user_agent: str = "") -> tuple[str, Device]:
    """A new token device for `user`: the key (to hand over once) and its row."""
    key = token_key_new()
    device = Device.objects.create(
        user=user, kind=Device.Kind.TOKEN, token_digest=token_digest(key), user_agent=user_agent[:USER_AGENT_MAX_LENGTH]
    )
    return key, device


def token_key_new() -> str:
    return secrets.token_urlsafe(32)


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def sign_out(*, request: Request) -> None:
    """Signs out the device this request came from, and no other."""
    device = request.auth if isinstance(request.auth, Device) else None
    if request.user.is_authenticated:
        live.devices_signed_out(user_id=request.user.pk)
    if device is not None:
        Device.objects.filter(pk=device.pk).delete()
    else:
        # The session row goes, and its device with it.
        logout(_http(request))


def sign_out_device(*, request: Request, user: User, device_id: int) -> None:
    """Signs out one of `user`'s devices at once: a browser's session is deleted, a token refused
    from its next use. Another person's device, or none, is a NotFound."""
    device = Device.objects.filter(user=user, pk=device_id).first()
    if device is None:
        raise NotFound("You have no device with that id; it may be signed out already.")
    if device.pk == current_device_id(request):
        sign_out(request=request)
    else:
        _end(user, Device.objects.filter(pk=device.pk), sessions=BrowserSession.objects.filter(pk=device.session_id))


def sign_out_devices(*, user: User, keep: Device | None = None) -> None:
    """Signs out every device of `user`, or all but `keep` (the one a password change came from).
    Browsers signed in without a device row (the admin's own sign-in) go too: their sessions say
    whose they are."""
    devices = Device.objects.filter(user=user)
    sessions = BrowserSession.objects.filter(user_id=user.pk)
    if keep is not None:
        devices = devices.exclude(pk=keep.pk)
        if keep.session_id is not None:
            sessions = sessions.exclude(pk=keep.session_id)
    _end(user, devices, sessions=sessions)


def sign_out_other_devices(*, request: Request, user: User) -> None:
    """After `user`'s password changed on this request: every other device is signed out, and
    this one stays signed in as the same device. Django renews a browser's session key so that it
    holds under the new password (update_session_auth_hash); the device moves to the new key."""
    current = current_device(request)
    sign_out_devices(user=user, keep=current)
    if current is None or current.kind != Device.Kind.BROWSER:
        return
    http = _http(request)
    with transaction.atomic():
        update_session_auth_hash(http, user)  # the old session row goes, and its device row with it
        current.session_id = http.session.session_key
        current.save(force_insert=True)  # the same id, first use and user agent
        _mark(http.session, current)


def current_device(request: Request) -> Device | None:
    """The device this request came from (for `sign_out_devices(keep=...)`), or None."""
    if isinstance(request.auth, Device):
        return request.auth
    device_id = current_device_id(request)
    return None if device_id is None else Device.objects.filter(pk=device_id).first()


def current_device_id(request: Request) -> int | None:
    if isinstance(request.auth, Device):
        return request.auth.pk
    marker = _http(request).session.get(SESSION_MARKER) if request.user.is_authenticated else None
    return marker["id"] if marker else None


def browser_seen(*, request: HttpRequest, user: User) -> bool:
    """A browser signed in as `user` made this request: its device's last use moves on (once in
    DEVICE_TOUCH_MINUTES; the marker in the session says when it last did, so most requests write
    nothing). A session that has no device yet (signed in before devices were kept, or through the
    admin) gets one. False when its device was signed out meanwhile: the session ends here too."""
    session = request.session
    marker = session.get(SESSION_MARKER)
    now = time.time()
    if marker is None or marker.get("key") != session.session_key:
        try:
            device, _ = Device.objects.get_or_create(
                session_id=session.session_key,
                defaults={"user": user, "kind": Device.Kind.BROWSER, "user_agent": _user_agent(request)},
            )
        except IntegrityError:  # the session was deleted meanwhile: signed out elsewhere
            logout(request)
            return False
        _mark(session, device)
        return True
    if now - marker["seen"] < settings.DEVICE_TOUCH_MINUTES * 60:
        return True
    if not Device.objects.filter(pk=marker["id"]).update(last_used_at=timezone.now()):
        logout(request)
        return False
    _mark(session, marker["id"])
    return True


def token_seen(*, device: Device) -> bool:
    """A token device made this request: False if it idled out (then it is removed at once), else
    its last use moves on, once in DEVICE_TOUCH_MINUTES, so that most requests write nothing."""
    now = timezone.now()
    if device.last_used_at < now - timedelta(days=settings.DEVICE_IDLE_DAYS):
        Device.objects.filter(pk=device.pk).delete()
        return False
    if device.last_used_at < now - timedelta(minutes=settings.DEVICE_TOUCH_MINUTES):
        Device.objects.filter(pk=device.pk).update(last_used_at=now)
        device.last_used_at = now
    return True


def devices_sweep() -> int:
    """Removes the tokens unused for DEVICE_IDLE_DAYS (refused already; this keeps the table to the
    living) and the browser sessions that expired, with their devices. Returns how many tokens went."""
    cutoff = timezone.now() - timedelta(days=settings.DEVICE_IDLE_DAYS)
    removed, _ = Device.objects.filter(kind=Device.Kind.TOKEN, last_used_at__lt=cutoff).delete()
    # The devices of expired sessions go with them (the foreign key cascades).
    BrowserSession.objects.filter(expire_date__lt=timezone.now()).delete()
    return removed


def _end(user: User, devices: QuerySet[Device], *, sessions: QuerySet[BrowserSession]) -> None:
    live.devices_signed_out(user_id=user.pk)  # their live cursors hold no more
    with transaction.atomic():
        # Sessions first: their devices go with them, and a browser's next request finds no session.
        sessions.delete()
        devices.delete()


def _mark(session: SessionBase, device: Device | int) -> None:
    device_id = device if isinstance(device, int) else device.pk
    session[SESSION_MARKER] = {"id": device_id, "key": session.session_key, "seen": int(time.time())}


def _user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH]


def _http(request: Request | HttpRequest) -> HttpRequest:
    return request._request if isinstance(request, Request) else request


def _csrf_passes(request: HttpRequest) -> bool:
    # The middleware's check alone: it goes on to no view and no further middleware. DRF's subclass
    # of it refuses without logging, as a client that is not a browser is no forgery.
    check = CSRFCheck(_no_view)
    check.process_request(request)
    return check.process_view(request, _no_view, (), {}) is None


def _no_view(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the CSRF check calls no view")
