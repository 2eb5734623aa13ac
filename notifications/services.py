"""The one way other apps tell people something: `notify` files it in their inboxes.

Callers call it inside the transaction that makes the event happen (the round opens, the couple
ends), so the inbox row commits or rolls back with the event itself: an event is never lost to a
crash between commit and hand-off, and never told twice (one row per person, kind and subject).
Delivery over Web Push and email starts from these rows (the notifications issue).
"""

from collections.abc import Iterable

from notifications.messages import TEXTS
from notifications.models import Notification


def notify(*, user_ids: Iterable[int], kind: str, subject: str, data: dict | None = None, **words: str) -> None:
    """File one notification of `kind` about `subject` for each person; repeats change nothing.

    `words` fill the placeholders of the text (a display name): never a rating or a note.
    """
    title, body = TEXTS[kind]
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                kind=kind,
                subject=subject,
                title=str(title).format(**words),
                body=str(body).format(**words),
                data=data or {},
            )
            for user_id in user_ids
        ],
        ignore_conflicts=True,
    )
