"""The shapes of the inbox, preferences and push subscriptions at the HTTP edge."""

from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from foundation.serializers import HourMinuteField, StrictSerializer
from notifications.messages import app_path
from notifications.models import Notification, Preferences, PushSubscription
from notifications.push_endpoints import endpoint_problem
from notifications.push_keys import auth_problem, p256dh_problem


class NotificationSerializer(serializers.ModelSerializer):
    path = serializers.SerializerMethodField(help_text="The app's screen of what this notification is about")

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "created_at", "read_at", "path"]

    def get_path(self, notification: Notification) -> str:
        return app_path(kind=notification.kind, data=notification.data)


@dataclass(frozen=True)
class InboxPage:
    """A page of the inbox, with how many of all the person's notifications are unread."""

    count: int
    next: str | None
    previous: str | None
    results: list[Notification]
    unread_count: int


class InboxPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = NotificationSerializer(many=True)
    unread_count = serializers.IntegerField(help_text="Of all my notifications, not only this page's.")


class InboxFilterSerializer(StrictSerializer):
    unread = serializers.BooleanField(required=False)
    page = serializers.IntegerField(min_value=1, required=False)


class PreferencesSerializer(serializers.ModelSerializer):
    quiet_hours_start = HourMinuteField(allow_null=True, required=False, help_text="HH:MM local, or null")
    quiet_hours_end = HourMinuteField(allow_null=True, required=False, help_text="HH:MM local, or null")

    class Meta:
        model = Preferences
        fields = list(Preferences.FIELDS)


class PreferencesUpdateSerializer(StrictSerializer, PreferencesSerializer):
    class Meta(PreferencesSerializer.Meta):
        extra_kwargs = {
            "push": {"required": False},
            "email": {"required": False},
            "paused_until": {"required": False},
            "signal_text": {"required": False},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance
        start = attrs.get("quiet_hours_start", getattr(instance, "quiet_hours_start", None))
        end = attrs.get("quiet_hours_end", getattr(instance, "quiet_hours_end", None))
        if (start is None) != (end is None):
            missing = "quiet_hours_end" if end is None else "quiet_hours_start"
            raise serializers.ValidationError({missing: ["Quiet hours need both a start and an end (or neither)."]})
        if start is not None and start == end:
            raise serializers.ValidationError(
                {"quiet_hours_end": ["Quiet hours must end at a different time than they start."]}
            )
        return attrs


class PushKeysSerializer(StrictSerializer):
    p256dh = serializers.CharField(max_length=200, help_text="base64url of a 65-byte uncompressed P-256 point")
    auth = serializers.CharField(max_length=100, help_text="base64url of 16 bytes")

    def validate_p256dh(self, value: str) -> str:
        problem = p256dh_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate_auth(self, value: str) -> str:
        problem = auth_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class PushSubscriptionInputSerializer(StrictSerializer):
    endpoint = serializers.URLField(max_length=2000)
    keys = PushKeysSerializer()
    # Browsers send this with the subscription; it is accepted and not used.
    expirationTime = serializers.IntegerField(required=False, allow_null=True)  # noqa: N815 - the browser's name

    def validate_endpoint(self, value: str) -> str:
        problem = endpoint_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class PushSubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "created_at"]


class VapidPublicKeySerializer(serializers.Serializer):
    public_key = serializers.CharField()


class ExportedNotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["kind", "title", "body", "created_at", "read_at"]
        read_only_fields = fields
