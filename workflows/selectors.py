"""The reads that span the apps: the export of everything stored about a person."""

from typing import Any

from checkin import selectors as checkin_selectors
from couples import selectors as couples_selectors
from couples.models import User
from couples.serializers import PasskeySerializer
from notifications import selectors as notifications_selectors
from signals import selectors as signals_selectors
from signals.serializers import SignalExportSerializer


def user_export(*, user: User) -> dict[str, Any]:
    """Everything stored about `user`, and of a partner only the name they showed them."""
    return {
        **couples_selectors.person_export(user=user),
        # Names and dates, as the list in Settings shows them: never a key.
        "passkeys": PasskeySerializer(couples_selectors.passkeys_of(user=user), many=True).data,
        "checkins": checkin_selectors.export_of(user=user),
        "discussion_notes": checkin_selectors.notes_export_of(user=user),
        "notifications": notifications_selectors.export_of(user=user),
        "signals": SignalExportSerializer(
            signals_selectors.export_of(user=user), many=True, context={"viewer": user}
        ).data,
    }
