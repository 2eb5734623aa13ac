"""HTTP edge of signals: parse, call a service or selector, serialize."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from couples.auth import AuthenticatedRequest
from couples.errors import NotPaired
from signals import selectors, services
from signals.errors import NoSuchSignal
from signals.serializers import (
    SignalInputSerializer,
    SignalReplyInputSerializer,
    SignalSerializer,
    SpacesSerializer,
)


class SignalListView(GenericAPIView):
    error_responses = {"POST": {404, 429}}
    serializer_class = SignalSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": self.request.user}

    @extend_schema(responses={200: SignalSerializer(many=True)}, tags=["signals"])
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(selectors.signals_of(user=request.user))
        services.signals_seen(user=request.user, signals=page or [])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=SignalInputSerializer, responses={201: SignalSerializer}, tags=["signals"])
    def post(self, request: AuthenticatedRequest) -> Response:
        form = SignalInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        signal = services.signal_send(user=request.user, **form.validated_data)
        return Response(self.get_serializer(signal).data, status=status.HTTP_201_CREATED)


class SignalCurrentView(APIView):
    error_responses = {404}

    @extend_schema(responses={200: SpacesSerializer}, tags=["signals"])
    def get(self, request: AuthenticatedRequest) -> Response:
        spaces = selectors.spaces_current(user=request.user, now=timezone.now())
        if spaces is None:
            raise NotPaired()
        services.signals_seen(user=request.user, signals=[s for s in (spaces.me, spaces.partner) if s is not None])
        return Response(SpacesSerializer(spaces, context={"viewer": request.user}).data)


class SignalReplyView(APIView):
    error_responses = {409}

    @extend_schema(request=SignalReplyInputSerializer, responses={200: SignalSerializer}, tags=["signals"])
    def post(self, request: AuthenticatedRequest, signal_id: int) -> Response:
        if not selectors.signals_of(user=request.user).filter(pk=signal_id).exists():
            raise NoSuchSignal()  # another couple's: a 404 whatever the body
        form = SignalReplyInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        signal = services.signal_reply(user=request.user, signal_id=signal_id, **form.validated_data)
        return Response(SignalSerializer(signal, context={"viewer": request.user}).data)


class SignalDetailView(APIView):
    error_responses = {409}  # not the sender's, or a couple that has ended

    @extend_schema(responses={204: None}, tags=["signals"])
    def delete(self, request: AuthenticatedRequest, signal_id: int) -> Response:
        services.signal_withdraw(user=request.user, signal_id=signal_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
