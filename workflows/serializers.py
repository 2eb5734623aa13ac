"""The shape of the export (GET /me/export), made of each app's shapes of its own rows."""

from rest_framework import serializers

from checkin.serializers import ExportedDiscussionNoteSerializer, ExportedRoundSerializer
from couples.serializers import (
    ExportedCoupleSerializer,
    ExportedDeviceSerializer,
    ExportedInviteSerializer,
    ExportedUserSerializer,
    PasskeySerializer,
)
from notifications.serializers import ExportedNotificationSerializer
from signals.serializers import SignalExportSerializer


class ExportSerializer(serializers.Serializer):
    """Everything stored about me (workflows.selectors.Export). Signals need the reader in the
    context (`viewer`): they say who sent each, "me" or "partner"."""

    user = ExportedUserSerializer(source="person.user")
    couples = ExportedCoupleSerializer(source="person.memberships", many=True)
    invites = ExportedInviteSerializer(source="person.invites", many=True)
    devices = ExportedDeviceSerializer(source="person.devices", many=True)
    # Names and dates, as the list in Settings shows them: never a key.
    passkeys = PasskeySerializer(many=True)
    checkins = ExportedRoundSerializer(many=True)
    discussion_notes = ExportedDiscussionNoteSerializer(many=True)
    notifications = ExportedNotificationSerializer(many=True)
    signals = SignalExportSerializer(many=True)
