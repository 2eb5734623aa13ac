"""The reads that span the apps: the export of everything stored about a person."""

from dataclasses import dataclass

from django.db.models import QuerySet

from checkin import selectors as checkin_selectors
from checkin.models import DiscussionNote
from couples import selectors as couples_selectors
from couples.models import Passkey, User
from notifications import selectors as notifications_selectors
from notifications.models import Notification
from signals import selectors as signals_selectors
from signals.models import Signal


@dataclass(frozen=True)
class Export:
    """Everything stored about a person, and of a partner only the name they showed them
    (workflows/serializers.py shapes it)."""

    person: couples_selectors.PersonExport
    passkeys: QuerySet[Passkey]
    checkins: list[checkin_selectors.RoundView]
    discussion_notes: QuerySet[DiscussionNote]
    notifications: QuerySet[Notification]
    signals: QuerySet[Signal]


def user_export(*, user: User) -> Export:
    return Export(
        person=couples_selectors.person_export(user=user),
        passkeys=couples_selectors.passkeys_of(user=user),
        checkins=checkin_selectors.export_of(user=user),
        discussion_notes=checkin_selectors.notes_export_of(user=user),
        notifications=notifications_selectors.export_of(user=user),
        signals=signals_selectors.export_of(user=user),
    )
