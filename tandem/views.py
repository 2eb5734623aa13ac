"""HTTP edge of the endpoints whose work spans the apps (tandem/services.py): an account's
deletion and export, pairing, the schedule and leaving. `me` is one path for reading, changing and
deleting the account, so its reads and changes are served here too."""

from django.contrib.auth import logout
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config.schema import BodyOnDeleteSchema
from couples.auth import AuthenticatedRequest
from couples.serializers import (
    CoupleSerializer,
    JoinSerializer,
    LeaveSerializer,
    MeUpdateSerializer,
    PasswordConfirmSerializer,
    ScheduleSerializer,
    ScheduleUpdateSerializer,
    UserSerializer,
)
from couples.throttles import JoinAddressThrottle, JoinThrottle
from couples.views import couple_body, couple_or_404
from tandem import selectors as tandem_selectors
from tandem import services as tandem_services


class MeView(APIView):
    schema = BodyOnDeleteSchema()

    @extend_schema(responses={200: UserSerializer}, tags=["accounts"])
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=MeUpdateSerializer, responses={200: UserSerializer}, tags=["accounts"])
    def patch(self, request: AuthenticatedRequest) -> Response:
        form = MeUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        user = tandem_services.user_update(
            user=request.user,
            display_name=form.validated_data.get("display_name"),
            timezone_name=form.validated_data.get("timezone"),
        )
        return Response(UserSerializer(user).data)

    @extend_schema(request=PasswordConfirmSerializer, responses={204: None}, tags=["accounts"])
    def delete(self, request: AuthenticatedRequest) -> Response:
        form = PasswordConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if not request.user.check_password(form.validated_data["password"]):
            raise ValidationError({"password": ["That is not your password. Enter it again to delete your account."]})
        tandem_services.user_delete(user=request.user)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportView(APIView):
    @extend_schema(responses={200: OpenApiResponse(description="Everything stored about me.")}, tags=["accounts"])
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(tandem_selectors.user_export(user=request.user))


class JoinView(APIView):
    error_responses = {409}
    throttle_classes = [JoinThrottle, JoinAddressThrottle]

    @extend_schema(request=JoinSerializer, responses={201: CoupleSerializer}, tags=["pairing"])
    def post(self, request: AuthenticatedRequest) -> Response:
        form = JoinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        tandem_services.couple_join(user=request.user, code=form.validated_data["code"])
        return Response(couple_body(couple_or_404(request.user), request.user), status=status.HTTP_201_CREATED)


class ScheduleView(APIView):
    error_responses = {404, 409}

    @extend_schema(request=ScheduleUpdateSerializer, responses={200: ScheduleSerializer}, tags=["pairing"])
    def patch(self, request: AuthenticatedRequest) -> Response:
        couple_or_404(request.user)
        form = ScheduleUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        schedule = tandem_services.schedule_update(user=request.user, changes=form.validated_data)
        return Response(ScheduleSerializer(schedule).data)


class LeaveView(APIView):
    error_responses = {404, 409}

    @extend_schema(request=LeaveSerializer, responses={204: None}, tags=["pairing"])
    def post(self, request: AuthenticatedRequest) -> Response:
        couple_or_404(request.user)
        form = LeaveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        tandem_services.couple_leave(user=request.user, remove_my_answers=form.validated_data["remove_my_answers"])
        return Response(status=status.HTTP_204_NO_CONTENT)
