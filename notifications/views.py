"""HTTP edge of the inbox, preferences, push subscriptions and one-click unsubscribe."""

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from couples.auth import AuthenticatedRequest
from foundation.errors import NotFound
from foundation.pagination import PageNumbers
from notifications import channels, selectors, services
from notifications.serializers import (
    InboxFilterSerializer,
    InboxPage,
    InboxPageSerializer,
    NotificationSerializer,
    PreferencesSerializer,
    PreferencesUpdateSerializer,
    PushSubscriptionInputSerializer,
    PushSubscriptionSerializer,
    VapidPublicKeySerializer,
)


class InboxView(GenericAPIView):
    serializer_class = NotificationSerializer

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="true: only unread; false: only read")],
        responses={200: InboxPageSerializer},
        tags=["notifications"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        query = InboxFilterSerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        paginator = PageNumbers()
        page = paginator.paginate_queryset(
            selectors.inbox_of(user=request.user, unread=query.validated_data.get("unread")), request, view=self
        )
        assert paginator.page is not None  # paginate_queryset has read the page (or raised a 404)
        inbox = InboxPage(
            count=paginator.page.paginator.count,
            next=paginator.get_next_link(),
            previous=paginator.get_previous_link(),
            results=page or [],
            unread_count=services.unread_count(user=request.user),
        )
        return Response(InboxPageSerializer(inbox).data)


class NotificationDetailView(APIView):
    @extend_schema(
        operation_id="v1_notification_retrieve", responses={200: NotificationSerializer}, tags=["notifications"]
    )
    def get(self, request: AuthenticatedRequest, notification_id: int) -> Response:
        """One notification of mine: what a push's or an email's link opens (the app reads its
        kind and data to show the screen it is about)."""
        notification = selectors.inbox_of(user=request.user).filter(pk=notification_id).first()
        if notification is None:
            raise NotFound("No such notification.")
        return Response(NotificationSerializer(notification).data)


class NotificationReadView(APIView):
    @extend_schema(request=None, responses={200: NotificationSerializer}, tags=["notifications"])
    def post(self, request: AuthenticatedRequest, notification_id: int) -> Response:
        notification = selectors.inbox_of(user=request.user).filter(pk=notification_id).first()
        if notification is None:
            raise NotFound("No such notification.")
        return Response(NotificationSerializer(services.notification_mark_read(notification=notification)).data)


class NotificationReadAllView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "ReadAll", {"marked_read": serializers.IntegerField(), "unread_count": serializers.IntegerField()}
            )
        },
        tags=["notifications"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        marked = services.notifications_mark_all_read(user=request.user)
        return Response({"marked_read": marked, "unread_count": 0})


class PreferencesView(APIView):
    @extend_schema(responses={200: PreferencesSerializer}, tags=["notifications"])
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(PreferencesSerializer(selectors.preferences_of(user=request.user)).data)

    @extend_schema(request=PreferencesUpdateSerializer, responses={200: PreferencesSerializer}, tags=["notifications"])
    def patch(self, request: AuthenticatedRequest) -> Response:
        form = PreferencesUpdateSerializer(
            instance=selectors.preferences_of(user=request.user), data=request.data, partial=True
        )
        form.is_valid(raise_exception=True)
        prefs = services.preferences_update(user=request.user, changes=form.validated_data)
        return Response(PreferencesSerializer(prefs).data)


class VapidPublicKeyView(APIView):
    @extend_schema(
        responses={
            200: VapidPublicKeySerializer,
            503: OpenApiResponse(description="This server has no VAPID key: push cannot be used, email still works."),
        },
        tags=["notifications"],
    )
    def get(self, request: Request) -> Response:
        if not settings.VAPID_PUBLIC_KEY:
            # An empty key would let a client subscribe to nothing and wait for pushes that never come.
            return Response(
                {"detail": "Push notifications are not set up on this server; email reminders still work."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response({"public_key": settings.VAPID_PUBLIC_KEY})


class PushSubscriptionsView(APIView):
    @extend_schema(
        request=PushSubscriptionInputSerializer, responses={201: PushSubscriptionSerializer}, tags=["notifications"]
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        form = PushSubscriptionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        subscription, _ = services.push_subscription_add(
            user=request.user,
            endpoint=form.validated_data["endpoint"],
            p256dh=form.validated_data["keys"]["p256dh"],
            auth=form.validated_data["keys"]["auth"],
        )
        return Response(PushSubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)


class PushSubscriptionDetailView(APIView):
    @extend_schema(responses={204: None}, tags=["notifications"])
    def delete(self, request: AuthenticatedRequest, subscription_id: int) -> Response:
        subscription = selectors.push_subscriptions_of(user=request.user).filter(pk=subscription_id).first()
        if subscription is None:
            raise NotFound("No such push subscription.")
        services.push_subscription_remove(subscription=subscription)
        return Response(status=status.HTTP_204_NO_CONTENT)


_PAGE = """<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Tandem emails</title><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto">{}</body>"""


_EXPIRED = (
    "<p>This unsubscribe link is more than 60 days old and no longer works.</p>"
    "<p>You can switch Tandem emails off in the app: open Settings and untick Email reminders.</p>"
)
_NOTHING_TO_UNSUBSCRIBE = (
    "<p>There is nothing to unsubscribe: this account no longer exists, and Tandem sends it no emails.</p>"
)


@extend_schema(exclude=True)
@csrf_exempt
def unsubscribe(request: HttpRequest) -> HttpResponse:
    """One-click unsubscribe (RFC 8058): a POST switches email off with no login. A GET, which
    mail scanners also make, only shows a button, so a scanner never unsubscribes anyone."""
    token = request.GET.get("token", "")
    try:
        user_id = channels.unsubscribe_user_id(token)
    except signing.SignatureExpired:
        return HttpResponse(_PAGE.format(_EXPIRED), status=410)
    if user_id is None:
        return HttpResponse(_PAGE.format("<p>This unsubscribe link is not valid.</p>"), status=400)
    if request.method == "POST":
        if not services.email_unsubscribe(user_id=user_id):
            # The account was deleted: it gets no emails, and the link has nothing left to do.
            return HttpResponse(_PAGE.format(_NOTHING_TO_UNSUBSCRIBE))
        return HttpResponse(
            _PAGE.format("<p>Done: Tandem will not email you any more. You can switch emails back on in the app.</p>")
        )
    form = f'<form method="post" action="?token={escape(token)}"><button>Stop Tandem emails</button></form>'
    return HttpResponse(_PAGE.format(f"<p>Stop receiving Tandem emails?</p>{form}"))
