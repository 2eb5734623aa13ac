"""The shapes of signals at the HTTP edge (and in the export). What a person may see is
signals/selectors.py's to decide; these only describe and render it, from the viewer's side
(`from`: "me" or "partner"), so they take the viewer in their context."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from foundation.serializers import MomentField, StrictSerializer
from signals.models import MESSAGE_MAX_LENGTH, Signal, validate_message


def _message_field(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        validators=[validate_message],
        help_text=help_text,
        error_messages={"max_length": f"A message is at most {MESSAGE_MAX_LENGTH} characters."},
    )


class SignalInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(
        choices=Signal.Kind.choices,
        help_text="space: I'm here, but I need a little space today. invite: I'd love some time with you; when "
        "suits you? thanks: Thank you.",
        error_messages={"invalid_choice": "A signal is space, invite or thanks."},
    )
    message = _message_field(f"Optional, at most {MESSAGE_MAX_LENGTH} characters on one line.")
    until = MomentField(
        required=False,
        help_text="A space only: when it ends (ISO 8601 with its offset), ahead and at most 7 days ahead. Left out, "
        "the end of the sender's local day.",
    )


class SignalReplyInputSerializer(StrictSerializer):
    reply = serializers.ChoiceField(
        choices=Signal.Reply.choices,
        help_text="To an invite: yes, later or not_now. To a space: ok. A thanks takes no reply.",
        error_messages={"invalid_choice": "A reply is yes, later or not_now (to an invitation), or ok (to a space)."},
    )
    message = _message_field(f"Optional, at most {MESSAGE_MAX_LENGTH} characters on one line.")


@extend_schema_field({"type": "string", "enum": ["me", "partner"]})
class FromField(serializers.Field):
    """Who sent it, as the person reading sees it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="sender_id", read_only=True, **kwargs)

    def to_representation(self, value: int) -> str:
        return "me" if value == self.context["viewer"].pk else "partner"


class SignalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Signal.Kind.choices)
    message = serializers.CharField(help_text="What the sender added, or empty.")
    until = serializers.DateTimeField(
        allow_null=True, help_text="A space's end (brought forward when it ended early); null for the others."
    )
    reply = serializers.ChoiceField(choices=Signal.Reply.choices, allow_null=True)
    reply_message = serializers.CharField(help_text="What the reply added, or empty.")
    replied_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_fields(self) -> dict[str, serializers.Field]:
        # `from` is a Python keyword, so it cannot be declared above; it goes after `kind`, as the contract lists it.
        fields = super().get_fields()
        ordered: dict[str, serializers.Field] = {}
        for name, field in fields.items():
            ordered[name] = field
            if name == "kind":
                ordered["from"] = FromField()
        return ordered

    def to_representation(self, instance: Signal) -> dict[str, Any]:
        shaped = super().to_representation(instance)
        shaped["reply"] = shaped["reply"] or None
        return shaped


class SignalExportSerializer(SignalSerializer):
    withdrawn_at = serializers.DateTimeField(allow_null=True, help_text="When its sender took it back.")


class SpacesSerializer(serializers.Serializer):
    me = SignalSerializer(allow_null=True, help_text="My live space (its end still ahead), or null.")
    partner = SignalSerializer(allow_null=True, help_text="My partner's live space, or null.")
