"""The one way other apps tell a person something: `notify` files it in their inbox.

Delivery over Web Push and email hangs off these rows (the notifications issue); callers only
name the person, the kind of event and what it is about.
"""

from django.db import IntegrityError, transaction

from notifications.messages import TEXTS
from notifications.models import Notification


def notify(*, user_id: int, kind: str, subject: str, data: dict | None = None, **words: str) -> Notification | None:
    """File one notification; a second hand-off of the same event changes nothing.

    `words` fill the placeholders of the text (a display name); never pass a rating or a note.
    """
    title, body = TEXTS[kind]
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user_id=user_id,
                kind=kind,
                subject=subject,
                title=str(title).format(**words),
                body=str(body).format(**words),
                data=data or {},
            )
    except IntegrityError:
        return None
