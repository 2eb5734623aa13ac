"""HTTP edge of accounts and pairing: parse, call a service or selector, serialize.

The endpoints whose work spans the apps (registration, me, export, join, schedule, leave, and the
account changes that send an email) are in workflows/views.py.
"""

from django.conf import settings
from django.middleware.csrf import get_token
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from couples import devices, live, passkeys, selectors, services
from couples.auth import AuthenticatedRequest
from couples.errors import NotPaired
from couples.models import Couple, User
from couples.serializers import (
    AuthResultSerializer,
    CoupleSerializer,
    DeviceSerializer,
    InviteSerializer,
    LoginSerializer,
    PasskeyAddSerializer,
    PasskeySerializer,
    PasskeySignInSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
)
from couples.throttles import (
    AccountLinkThrottle,
    InviteThrottle,
    LoginAccountThrottle,
    LoginThrottle,
    PasskeyLoginThrottle,
    PasswordCheckThrottle,
)


def _auth_result(signed_in: devices.SignedIn) -> dict:
    return AuthResultSerializer({"token": signed_in.token, "user": signed_in.user}).data


class LoginView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [LoginThrottle, LoginAccountThrottle]

    @extend_schema(request=LoginSerializer, responses={200: AuthResultSerializer}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        form = LoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = services.password_sign_in(
            request=request._request, email=form.validated_data["email"], password=form.validated_data["password"]
        )
        return Response(sign_in(request, user))


def sign_in(request: Request, user: User) -> dict:
    """Sign `user` in on this request as a new device, the one way every way in does it (a password,
    a new account, a passkey): the body `{token, user}` to answer with (couples/devices.py)."""
    return _auth_result(devices.sign_in(request=request, user=user))


class CsrfView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses={200: inline_serializer("CsrfToken", {"csrf_token": serializers.CharField()})}, tags=["accounts"]
    )
    def get(self, request: Request) -> Response:
        """Sets the CSRF cookie that a browser sends back (as X-CSRFToken) when it logs in."""
        return Response({"csrf_token": get_token(request._request)})


class LogoutView(APIView):
    @extend_schema(request=None, responses={204: None}, tags=["accounts"])
    def post(self, request: AuthenticatedRequest) -> Response:
        """Signs out the device this call came from (its token or its browser session), no other."""
        devices.sign_out(request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DevicesView(APIView):
    @extend_schema(responses={200: DeviceSerializer(many=True)}, tags=["accounts"])
    def get(self, request: AuthenticatedRequest) -> Response:
        """Every device signed in as me: browsers and token clients, the most recently used first."""
        context = {"current_device_id": devices.current_device_id(request)}
        return Response(DeviceSerializer(selectors.devices_of(user=request.user), many=True, context=context).data)


class DeviceView(APIView):
    error_responses = {404}

    @extend_schema(request=None, responses={204: None}, tags=["accounts"])
    def delete(self, request: AuthenticatedRequest, device_id: int) -> Response:
        """Signs that device out at once: a browser's session ends, a token is refused."""
        devices.sign_out_device(request=request, user=request.user, device_id=device_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetConfirmView(APIView):
    """A reset link's token and a new password: no sign-in needed, so the link works on any device."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AccountLinkThrottle]

    @extend_schema(request=PasswordResetConfirmSerializer, responses={204: None}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        form = PasswordResetConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.password_reset_confirm(token=form.validated_data["token"], password=form.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordView(APIView):
    throttle_classes = [PasswordCheckThrottle]

    @extend_schema(request=PasswordChangeSerializer, responses={204: None}, tags=["accounts"])
    def post(self, request: AuthenticatedRequest) -> Response:
        form = PasswordChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.password_change(
            request=request,
            user=request.user,
            current_password=form.validated_data["current_password"],
            new_password=form.validated_data["new_password"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class InviteView(APIView):
    error_responses = {409}
    throttle_classes = [InviteThrottle]

    @extend_schema(request=None, responses={201: InviteSerializer}, tags=["pairing"])
    def post(self, request: AuthenticatedRequest) -> Response:
        issued = services.invite_create(user=request.user)
        join_url = f"{settings.APP_BASE_URL.rstrip('/')}/join?code={issued.code}"
        body = {"code": issued.code, "expires_at": issued.expires_at, "join_url": join_url}
        return Response(InviteSerializer(body).data, status=status.HTTP_201_CREATED)


def couple_body(couple: Couple, partner: User | None) -> dict:
    return CoupleSerializer(
        {"id": couple.pk, "partner": partner, "paired_at": couple.paired_at, "schedule": couple.schedule}
    ).data


class CoupleView(APIView):
    error_responses = {404}

    @extend_schema(responses={200: CoupleSerializer}, tags=["pairing"])
    def get(self, request: AuthenticatedRequest) -> Response:
        couple = selectors.couple_current(user=request.user)
        if couple is None:
            raise NotPaired()
        return Response(couple_body(couple, selectors.partner_of(couple=couple, user=request.user)))


class ChangesSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="Pass it back as `since` next time.")
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=[topic.value for topic in live.Topic]),
        help_text="What changed since the cursor given (none on a first call): refetch what shows these.",
    )


class ChangesView(APIView):
    """What changed for me since a cursor, by topic: the app in view asks it while it waits on the
    partner (couples/live.py). With `since`, the signed cursor stands for the sign-in, so nothing
    here touches the session, the token or the database: no authentication runs until
    `request.user` is read, which only a first call (no `since`) does, or a cursor that no longer
    holds (one issued before a device of the person was signed out, say)."""

    permission_classes: list = []

    def perform_authentication(self, request: Request) -> None:
        pass

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                str,
                required=False,
                description="The cursor of the last answer. Without it: a first cursor (signed in).",
            )
        ],
        responses={
            200: ChangesSerializer,
            204: OpenApiResponse(description="Nothing changed since the cursor: ask again later with the same one."),
            401: OpenApiResponse(
                description="Nobody is signed in, for a first cursor or one that no longer holds (expired, "
                "another sign-in's, not Tandem's, or issued before a device of the person was signed out); "
                "signed in, such a cursor is answered 200 with a new one and every topic."
            ),
        },
        tags=["accounts"],
    )
    def get(self, request: Request) -> Response:
        credential = _credential_of(request)
        since = request.query_params.get("since")
        if since is None:
            if not request.user.is_authenticated:
                raise NotAuthenticated()
            user_id, topics = request.user.pk, []
        else:
            seen: dict[str, str] | None
            try:
                user_id, seen = live.cursor_read(since, credential=credential)
            except live.CursorRefused:
                # Expired, or issued to the sign-in this browser had before (a partner signing in on
                # the same phone), or not ours: whoever is signed in gets a cursor of their own and
                # refetches everything, as after any gap; nobody signed in gets the 401.
                if not request.user.is_authenticated:
                    raise NotAuthenticated() from None
                user_id, seen = request.user.pk, None
        stamps = live.stamps_of(user_id)
        if since is not None and seen is not None and live.signed_out_since(seen=seen, now=stamps):
            # A device of the person was signed out: this one may be it, so the question
            # authenticates; one still signed in gets a new cursor and refetches everything.
            if not request.user.is_authenticated:
                raise NotAuthenticated()
            seen = None
        if since is not None:
            everything = [topic.value for topic in live.Topic]
            topics = everything if seen is None else live.changed_topics(seen=seen, now=stamps)
            if not topics:
                return Response(status=status.HTTP_204_NO_CONTENT)
        cursor = live.cursor_issue(user_id=user_id, credential=credential, stamps=stamps)
        return Response(ChangesSerializer({"cursor": cursor, "topics": topics}).data)


def _credential_of(request: Request) -> str:
    """The credential the call came with, as DRF tries them (couples' settings: the token first),
    read from the request alone."""
    return request.META.get("HTTP_AUTHORIZATION") or request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")


# Passkeys: the ceremonies (couples/passkeys.py) and the person's list.

_CREATION_OPTIONS = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="PublicKeyCredentialCreationOptionsJSON (WebAuthn): pass it to "
    "PublicKeyCredential.parseCreationOptionsFromJSON(), then navigator.credentials.create(), and POST the "
    "credential's toJSON() to /me/passkeys within 5 minutes. Its challenge answers once.",
)
_REQUEST_OPTIONS = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="PublicKeyCredentialRequestOptionsJSON (WebAuthn), with no allowCredentials (any passkey of "
    "this site): pass it to PublicKeyCredential.parseRequestOptionsFromJSON(), then navigator.credentials.get(), "
    "and POST the credential's toJSON() to /auth/passkey within 5 minutes. Its challenge answers once.",
)


class PasskeyAddOptionsView(APIView):
    @extend_schema(request=None, responses={200: _CREATION_OPTIONS}, tags=["accounts"])
    def post(self, request: AuthenticatedRequest) -> Response:
        """What the browser needs to make a passkey for me."""
        mine = list(selectors.passkeys_of(user=request.user))
        return Response(passkeys.registration_options(user=request.user, passkeys=mine))


class PasskeysView(APIView):
    @extend_schema(responses={200: PasskeySerializer(many=True)}, tags=["accounts"])
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(PasskeySerializer(selectors.passkeys_of(user=request.user), many=True).data)

    @extend_schema(request=PasskeyAddSerializer, responses={201: PasskeySerializer}, tags=["accounts"])
    def post(self, request: AuthenticatedRequest) -> Response:
        """Add the passkey the browser made from /me/passkeys/options."""
        form = PasskeyAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        name = form.validated_data.get("name") or passkeys.default_name(request.headers.get("user-agent", ""))
        passkey = services.passkey_add(user=request.user, credential=form.validated_data["credential"], name=name)
        return Response(PasskeySerializer(passkey).data, status=status.HTTP_201_CREATED)


class PasskeyView(APIView):
    @extend_schema(responses={204: None}, tags=["accounts"])
    def delete(self, request: AuthenticatedRequest, passkey_id: int) -> Response:
        services.passkey_remove(user=request.user, passkey_id=passkey_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasskeySignInOptionsView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PasskeyLoginThrottle]

    @extend_schema(request=None, responses={200: _REQUEST_OPTIONS}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        """What the browser needs to sign in with a passkey."""
        return Response(passkeys.authentication_options())


class PasskeySignInView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PasskeyLoginThrottle]

    @extend_schema(request=PasskeySignInSerializer, responses={200: AuthResultSerializer}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        """Sign in with a passkey, as a password login does (the same answer; a session for a
        browser whose CSRF check passes)."""
        form = PasskeySignInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = services.passkey_sign_in(credential=form.validated_data["credential"])
        return Response(sign_in(request, user))
