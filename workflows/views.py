"""HTTP edge of the endpoints whose work spans the apps (workflows/services.py): registration and
the account changes that send an email, an account's deletion and export, pairing, the schedule
and leaving. `me` is one path for reading, changing and deleting the account, so its reads and
changes are served here too."""

from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from couples.auth import AuthenticatedRequest
from couples.serializers import (
    AuthResultSerializer,
    CoupleSerializer,
    EmailChangeSerializer,
    EmailConfirmSerializer,
    JoinSerializer,
    LeaveSerializer,
    MeUpdateSerializer,
    PasswordConfirmSerializer,
    PasswordResetRequestSerializer,
    RegisterSerializer,
    ScheduleSerializer,
    ScheduleUpdateSerializer,
    UserSerializer,
)
from couples.throttles import (
    AccountLinkThrottle,
    EmailConfirmationThrottle,
    JoinAddressThrottle,
    JoinThrottle,
    PasswordCheckThrottle,
    PasswordResetEmailThrottle,
    PasswordResetThrottle,
    RegisterThrottle,
)
from couples.views import couple_body, sign_in
from foundation.schema import BodyOnDeleteSchema
from workflows import selectors as workflows_selectors
from workflows import services as workflows_services
from workflows.serializers import ExportSerializer


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [RegisterThrottle]

    @extend_schema(request=RegisterSerializer, responses={201: AuthResultSerializer}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        form = RegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = workflows_services.user_register(
            email=form.validated_data["email"],
            password=form.validated_data["password"],
            display_name=form.validated_data["display_name"],
            timezone_name=form.validated_data["timezone"],
        )
        return Response(sign_in(request, user), status=status.HTTP_201_CREATED)


Nothing = inline_serializer("Nothing", {})


class PasswordResetView(APIView):
    """Ask for a reset link. The same answer, in the same time, for every address: the lookup and
    the email happen later, in a worker (workflows/later.py)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PasswordResetThrottle, PasswordResetEmailThrottle]

    @extend_schema(request=PasswordResetRequestSerializer, responses={202: Nothing}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        form = PasswordResetRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        workflows_services.password_reset_request(email=form.validated_data["email"])
        return Response({}, status=status.HTTP_202_ACCEPTED)


class EmailConfirmView(APIView):
    """A confirmation link's token: no sign-in needed, so the link works on any device."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AccountLinkThrottle]

    @extend_schema(request=EmailConfirmSerializer, responses={200: UserSerializer}, tags=["accounts"])
    def post(self, request: Request) -> Response:
        form = EmailConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = workflows_services.email_confirm(token=form.validated_data["token"])
        return Response(UserSerializer(user).data)


class EmailView(APIView):
    throttle_classes = [PasswordCheckThrottle, EmailConfirmationThrottle]

    @extend_schema(request=EmailChangeSerializer, responses={202: UserSerializer}, tags=["accounts"])
    def post(self, request: AuthenticatedRequest) -> Response:
        """Ask to change the email: a link goes to the new address, and the change waits for it
        (`pending_email`). Giving the current address again takes back a change that waits."""
        form = EmailChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = workflows_services.email_change_request(
            user=request.user, email=form.validated_data["email"], password=form.validated_data["password"]
        )
        return Response(UserSerializer(user).data, status=status.HTTP_202_ACCEPTED)


class EmailConfirmationView(APIView):
    error_responses = {409}
    throttle_classes = [EmailConfirmationThrottle]

    @extend_schema(request=None, responses={202: Nothing}, tags=["accounts"])
    def post(self, request: AuthenticatedRequest) -> Response:
        """Send the link that confirms the waiting address again; 409 when no address waits."""
        workflows_services.email_confirmation_resend(user=request.user)
        return Response({}, status=status.HTTP_202_ACCEPTED)


class MeView(APIView):
    schema = BodyOnDeleteSchema()
    error_responses = {"DELETE": {429}}

    def get_throttles(self) -> list:
        # Deleting takes the password again: a guess at it, limited as the other guesses are.
        return [PasswordCheckThrottle()] if self.request.method == "DELETE" else super().get_throttles()

    @extend_schema(responses={200: UserSerializer}, tags=["accounts"])
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=MeUpdateSerializer, responses={200: UserSerializer}, tags=["accounts"])
    def patch(self, request: AuthenticatedRequest) -> Response:
        form = MeUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        user = workflows_services.user_update(
            user=request.user,
            display_name=form.validated_data.get("display_name"),
            timezone_name=form.validated_data.get("timezone"),
        )
        return Response(UserSerializer(user).data)

    @extend_schema(request=PasswordConfirmSerializer, responses={204: None}, tags=["accounts"])
    def delete(self, request: AuthenticatedRequest) -> Response:
        form = PasswordConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        workflows_services.user_delete(user=request.user, password=form.validated_data["password"])
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportView(APIView):
    @extend_schema(responses={200: ExportSerializer}, tags=["accounts"])
    def get(self, request: AuthenticatedRequest) -> Response:
        export = workflows_selectors.user_export(user=request.user)
        return Response(ExportSerializer(export, context={"viewer": request.user}).data)


class JoinView(APIView):
    error_responses = {409}
    throttle_classes = [JoinThrottle, JoinAddressThrottle]

    @extend_schema(request=JoinSerializer, responses={201: CoupleSerializer}, tags=["pairing"])
    def post(self, request: AuthenticatedRequest) -> Response:
        form = JoinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        pairing = workflows_services.couple_join(user=request.user, code=form.validated_data["code"])
        return Response(couple_body(pairing.couple, pairing.inviter), status=status.HTTP_201_CREATED)


class ScheduleView(APIView):
    error_responses = {404}

    @extend_schema(request=ScheduleUpdateSerializer, responses={200: ScheduleSerializer}, tags=["pairing"])
    def patch(self, request: AuthenticatedRequest) -> Response:
        form = ScheduleUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        schedule = workflows_services.schedule_update(user=request.user, changes=form.validated_data)
        return Response(ScheduleSerializer(schedule).data)


class LeaveView(APIView):
    error_responses = {404}

    @extend_schema(request=LeaveSerializer, responses={204: None}, tags=["pairing"])
    def post(self, request: AuthenticatedRequest) -> Response:
        form = LeaveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        workflows_services.couple_leave(user=request.user, remove_my_answers=form.validated_data["remove_my_answers"])
        return Response(status=status.HTTP_204_NO_CONTENT)
