"""The account emails (policy.ACCOUNT_KINDS) as they are written when sent: their words, the link
with a token made at that moment (couples/account_links.py: nothing stored, so no token is in the
database or a notification's text), and the address each goes to; and when an email to confirm an
address is no longer wanted."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from couples import account_links
from couples.models import User
from notifications.models import Delivery, Notification

Kind = Notification.Kind


def message(delivery: Delivery, connection: BaseEmailBackend | None = None) -> EmailMessage | None:
    """The email of an account delivery; None when there is no longer anything to send (the address
    it was to confirm was confirmed or replaced meanwhile). Reads only what the batch loaded."""
    notification = delivery.notification
    user = notification.user
    base = settings.APP_BASE_URL.rstrip("/")
    if notification.kind == Kind.PASSWORD_RESET:
        to = user.email
        link = f"{base}/reset-password?{urlencode({'token': account_links.password_reset_token(user)})}"
    elif notification.kind == Kind.EMAIL_CONFIRM:
        address, token = account_links.address_to_confirm(user), account_links.confirmation_token(user)
        if address is None or token is None:
            return None
        to, link = address, f"{base}/confirm-email?{urlencode({'token': token})}"
    elif notification.kind == Kind.EMAIL_CHANGED:
        to, link = delivery.address, f"{base}/signin"
    else:
        raise ValueError(f"{notification.kind} is not an account email")
    # No List-Unsubscribe: the person asked for these (or must hear of a change), and switching
    # reminders off does not stop them.
    return EmailMessage(
        subject=notification.title, body=f"{notification.body}\n\n{link}\n", to=[to], connection=connection
    )


def confirmations_still_wanted(notifications: list[Notification]) -> set[int]:
    """Of these EMAIL_CONFIRM notifications, those whose person still has an address waiting for
    confirmation that no other account uses: a link to an address another account has is never
    sent, so that asking to change to it answers as for any address and its owner hears nothing."""
    people = User.objects.in_bulk({n.user_id for n in notifications})
    waiting = {pk: account_links.address_to_confirm(user) for pk, user in people.items()}
    owners = dict(
        User.objects.filter(email__in={address for address in waiting.values() if address}).values_list("email", "pk")
    )
    return {
        n.pk
        for n in notifications
        if (address := waiting.get(n.user_id)) is not None and owners.get(address, n.user_id) == n.user_id
    }
