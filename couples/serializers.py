"""The shapes of accounts, couples, invites and schedules at the HTTP edge."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from couples.models import (
    DISPLAY_NAME_MAX_LENGTH,
    Device,
    Passkey,
    Schedule,
    User,
    validate_display_name,
    validate_timezone,
)
from foundation.serializers import HourMinuteField, StrictSerializer


class TimezoneField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)
        self.validators.append(_timezone_validator)


def _timezone_validator(value: str) -> None:
    try:
        validate_timezone(value)
    except DjangoValidationError as error:  # turned into DRF's
        raise serializers.ValidationError(error.messages[0]) from None


class DisplayNameField(serializers.CharField):
    """1 to 60 characters, none of them a control character. Spaces around it are trimmed, but a
    line break or a tab is refused wherever it is, not trimmed away: the person learns that it is
    not allowed rather than finding it silently gone."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", DISPLAY_NAME_MAX_LENGTH)
        super().__init__(**kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if isinstance(data, str):
            try:
                validate_display_name(data)
            except DjangoValidationError as error:  # turned into DRF's
                raise serializers.ValidationError(error.messages[0]) from None
        return super().run_validation(data)


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name", "timezone", "email_confirmed", "pending_email"]
        read_only_fields = fields
        extra_kwargs = {
            "email_confirmed": {
                "help_text": "Whether the person opened the link that confirms `email`. Email "
                "reminders go only to a confirmed address."
            },
            "pending_email": {
                "help_text": "The address the person asked to change to, until its link is opened "
                "(`email` stays until then); null when none waits."
            },
        }


class RegisterSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)
    display_name = DisplayNameField()
    timezone = TimezoneField(required=False, default="UTC")


class LeaveSerializer(StrictSerializer):
    remove_my_answers = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Take my answers and notes (shared, private and in talks) along: the partner keeps reading the "
        "couple's check-ins, with mine shown as removed. By default both keep everything that was shared.",
    )


class LoginSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)


class AuthResultSerializer(serializers.Serializer):
    token = serializers.CharField(
        allow_null=True,
        help_text="The key for `Authorization: Token <key>`, shown this once: a device of its own. Null when "
        "the sign-in started a browser session instead (the request passed the CSRF check).",
    )
    user = UserSerializer()


class DeviceSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="The device this request came from.")

    class Meta:
        model = Device
        fields = ["id", "kind", "user_agent", "created_at", "last_used_at", "current"]
        read_only_fields = fields

    def get_current(self, device: Device) -> bool:
        return device.pk == self.context["current_device_id"]


class MeUpdateSerializer(StrictSerializer):
    display_name = DisplayNameField(required=False)
    timezone = TimezoneField(required=False)


def _password_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(write_only=True, trim_whitespace=False, max_length=128, **kwargs)


# An account link's token: at most a few dozen characters; anything longer is no token of ours.
ACCOUNT_LINK_TOKEN_MAX_LENGTH = 200


class PasswordResetRequestSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(StrictSerializer):
    token = serializers.CharField(max_length=ACCOUNT_LINK_TOKEN_MAX_LENGTH, help_text="The `token` of the link.")
    password = _password_field(help_text="The new password.")


class PasswordChangeSerializer(StrictSerializer):
    current_password = _password_field()
    new_password = _password_field()


class EmailChangeSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254, help_text="The new address; it takes effect once confirmed.")
    password = _password_field(help_text="The current password.")


class EmailConfirmSerializer(StrictSerializer):
    token = serializers.CharField(max_length=ACCOUNT_LINK_TOKEN_MAX_LENGTH, help_text="The `token` of the link.")


class PasswordConfirmSerializer(StrictSerializer):
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)


class InviteSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Ten characters shown as two groups of five, e.g. 7KQ2M-XR4PD.")
    expires_at = serializers.DateTimeField()
    join_url = serializers.URLField(help_text="A link that opens the app's join screen with the code filled in.")


class JoinSerializer(StrictSerializer):
    code = serializers.CharField(max_length=32, help_text="The invite code, in any case, with or without the dash.")


class ScheduleSerializer(serializers.ModelSerializer):
    time = HourMinuteField(source="local_time")
    timezone = TimezoneField()

    class Meta:
        model = Schedule
        fields = ["cadence", "weekday", "interval_days", "time", "timezone", "window_hours", "next_checkin_at"]
        read_only_fields = ["next_checkin_at"]


class ScheduleUpdateSerializer(StrictSerializer):
    cadence = serializers.ChoiceField(choices=Schedule.Cadence.choices, required=False)
    weekday = serializers.IntegerField(min_value=0, max_value=6, required=False, help_text="0 = Monday .. 6 = Sunday")
    interval_days = serializers.IntegerField(min_value=1, max_value=Schedule.MAX_INTERVAL_DAYS, required=False)
    time = HourMinuteField(source="local_time", required=False, help_text="HH:MM, local time")
    timezone = TimezoneField(required=False)
    window_hours = serializers.IntegerField(min_value=1, max_value=Schedule.MAX_WINDOW_HOURS, required=False)


class PartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class CoupleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    partner = PartnerSerializer()
    paired_at = serializers.DateTimeField()
    schedule = ScheduleSerializer()


class PasskeySerializer(serializers.ModelSerializer):
    class Meta:
        model = Passkey
        fields = ["id", "name", "created_at", "last_used_at"]
        read_only_fields = fields


_CREDENTIAL_HELP = (
    "What the browser's navigator.credentials.{call}() gave, as its toJSON() writes it "
    "(id, rawId, type and response, binary values in base64url)."
)


class PasskeyAddSerializer(StrictSerializer):
    credential = serializers.DictField(help_text=_CREDENTIAL_HELP.format(call="create"))
    # A passkey's name follows a display name's rule: 1 to 60 characters, no control characters.
    name = DisplayNameField(
        required=False, help_text="What to call it in the list. By default the device's kind: 'Passkey on iPhone'."
    )


class PasskeySignInSerializer(StrictSerializer):
    credential = serializers.DictField(help_text=_CREDENTIAL_HELP.format(call="get"))


# The export (GET /me/export): everything stored about a person, in these shapes (workflows/serializers.py).


class ExportedUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name", "timezone", "date_joined", "email_confirmed", "pending_email"]
        read_only_fields = fields


class ExportedScheduleSerializer(serializers.ModelSerializer):
    time = HourMinuteField(source="local_time")

    class Meta:
        model = Schedule
        fields = ["cadence", "weekday", "interval_days", "time", "timezone", "window_hours"]
        read_only_fields = fields


class ExportedCoupleSerializer(serializers.Serializer):
    """A couple the person is or was in, read from their membership of it."""

    id = serializers.IntegerField(source="couple_id")
    paired_at = serializers.DateTimeField(source="couple.paired_at")
    ended_at = serializers.DateTimeField(source="couple.ended_at", allow_null=True)
    left_at = serializers.DateTimeField(allow_null=True)
    partner_display_name = serializers.CharField(allow_null=True)
    schedule = ExportedScheduleSerializer(source="couple.schedule", allow_null=True)


class ExportedInviteSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    used_at = serializers.DateTimeField(allow_null=True)


class ExportedDeviceSerializer(serializers.ModelSerializer):
    """What a sign-in is, never its secret (a token's digest, a session's key)."""

    class Meta:
        model = Device
        fields = ["id", "kind", "user_agent", "created_at", "last_used_at"]
        read_only_fields = fields
