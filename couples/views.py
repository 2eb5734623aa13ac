"""HTTP edge of accounts and pairing: parse, call a service or selector, serialize.

The endpoints whose work spans the apps (me, export, join, schedule, leave) are in tandem/views.py.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from couples import devices, live, selectors, services
from couples.auth import AuthenticatedRequest
from couples.models import Couple, User, normalize_email
from couples.serializers import (
    AuthResultSerializer,
    CoupleSerializer,
    DeviceSerializer,
    InviteSerializer,
    LoginSerializer,
    RegisterSerializer,
)
from couples.throttles import InviteThrottle, LoginAccountThrottle, LoginThrottle, RegisterThrottle

WRONG_CREDENTIALS = "That email and password do not match an account."


def _auth_result(signed_in: devices.SignedIn) -> dict:
    return AuthResultSerializer({"token": signed_in.token, "user": signed_in.user}).data


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [RegisterThrottle]

    @extend_schema(request=RegisterSerializer, responses={201: AuthResultSerializer}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        form = RegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = services.user_register(
            email=form.validated_data["email"],
            password=form.validated_data["password"],
            display_name=form.validated_data["display_name"],
            timezone_name=form.validated_data["timezone"],
        )
        # As at login: a browser that proved its CSRF token is signed in with a session at once.
        signed_in = devices.sign_in(request=request, user=user)
        return Response(_auth_result(signed_in), status=status.HTTP_201_CREATED)


class LoginView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [LoginThrottle, LoginAccountThrottle]

    @extend_schema(request=LoginSerializer, responses={200: AuthResultSerializer}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        form = LoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        email = form.validated_data["email"]
        user = authenticate(request._request, username=normalize_email(email), password=form.validated_data["password"])
        if user is None:
            LoginAccountThrottle().failed(email=email)
            raise ValidationError({"non_field_errors": [WRONG_CREDENTIALS]})
        # A browser (that passed the CSRF check) gets a session, any other client a token.
        return Response(_auth_result(devices.sign_in(request=request, user=user)))


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


class InviteView(APIView):
    error_responses = {409}
    throttle_classes = [InviteThrottle]

    @extend_schema(request=None, responses={201: InviteSerializer}, tags=["pairing"])
    def post(self, request: AuthenticatedRequest) -> Response:
        issued = services.invite_create(user=request.user)
        join_url = f"{settings.APP_BASE_URL.rstrip('/')}/join?code={issued.code}"
        body = {"code": issued.code, "expires_at": issued.expires_at, "join_url": join_url}
        return Response(InviteSerializer(body).data, status=status.HTTP_201_CREATED)


def couple_body(couple: Couple, user: User) -> dict:
    return CoupleSerializer(
        {
            "id": couple.pk,
            "partner": selectors.partner_of(couple=couple, user=user),
            "paired_at": couple.paired_at,
            "schedule": couple.schedule,
        }
    ).data


def couple_or_404(user: User) -> Couple:
    couple = selectors.couple_current(user=user)
    if couple is None:
        raise NotFound("You are not paired yet.")
    return couple


class CoupleView(APIView):
    error_responses = {404}

    @extend_schema(responses={200: CoupleSerializer}, tags=["pairing"])
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(couple_body(couple_or_404(request.user), request.user))


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
