"""The ways a notification leaves Tandem. Each channel has one method, `send(delivery)`, and
raises PermanentError (do not try again) or TemporaryError (try again later) when it fails, so a
new channel is a new class here, not a branch everywhere.

A send only talks to the outside world: it reads the delivery as loaded and writes no row (what
the outcome means for the database is notifications/sending.py's to record), so sends can run in
threads side by side. The connections to the push services stay open between sends, shared by a
process's threads (notifications/push_http.py), and a batch of emails can share one SMTP connection
(`connection=`).
"""

import base64
import json
import logging
import os
import smtplib
import time
from datetime import timedelta
from typing import Protocol, cast
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.utils.crypto import salted_hmac
from pywebpush import WebPusher, WebPushException

from foundation import metrics
from notifications import account_emails, policy, push_http, quick_email, vapid
from notifications.models import Delivery

log = logging.getLogger(__name__)

PUSH_TIMEOUT_SECONDS = 10
UNSUBSCRIBE_SALT = "tandem.notifications.unsubscribe"


class PermanentError(Exception):
    """Sending can never succeed (a push subscription that is gone, a refused address)."""


class SubscriptionGone(PermanentError):
    """The push service no longer knows the subscription (404/410): it is to be forgotten."""

    def __init__(self, message: str, subscription_id: int):
        super().__init__(message)
        self.subscription_id = subscription_id


class TemporaryError(Exception):
    """Sending may succeed later; `retry_after` is the server's own word, in seconds, if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Channel(Protocol):
    def send(self, delivery: Delivery) -> None: ...


def _retry_after(response: push_http.PushAnswer | None) -> float | None:
    value = (response.headers or {}).get("Retry-After") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date; the backoff decides instead


def push_payload(delivery: Delivery) -> str:
    """What the service worker shows. `tag` lets the browser fold a repeat into one notification."""
    notification = delivery.notification
    return json.dumps(
        {
            "id": notification.pk,
            "kind": notification.kind,
            "title": notification.title,
            "body": notification.body,
            "tag": f"tandem-{notification.pk}",
            "url": f"{settings.APP_BASE_URL.rstrip('/')}/notifications/{notification.pk}",
        }
    )


PUSH_TOPIC_SALT = "tandem.notifications.push-topic"


def push_topic(subject: str) -> str:
    """The RFC 8030 `Topic` of a push about `subject`: a newer message on the same subject (the
    nudge after the round opened, the reveal after the nudge, the latest of folded schedule
    changes) replaces one the push service still holds. Subjects name the couple's own things
    ("round:40", "schedule:12"), so a topic is per couple and subject. The push service sees it, so
    it is a keyed hash of the subject (the deployment's secret key): 32 characters of the URL-safe
    base64 alphabet, as RFC 8030 allows, telling nothing of what it is about."""
    # The "@" part of a subject tells events about one thing apart, not what it is about: when a
    # folded message goes out (notifications.services.notify_at_most_every), which signal of the
    # couple's (signals/subjects.py).
    about = subject.split("@", 1)[0]
    digest = salted_hmac(PUSH_TOPIC_SALT, about, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


_connections: tuple[int, push_http.PushConnections] | None = None


def _push_connections() -> push_http.PushConnections:
    """This process's connections to the push services (made again in a forked process, which must
    not share its parent's sockets)."""
    global _connections
    if _connections is None or _connections[0] != os.getpid():
        _connections = (os.getpid(), push_http.PushConnections())
    return _connections[1]


def _audience(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


class PushChannel:
    def send(self, delivery: Delivery) -> None:
        subscription = delivery.subscription
        if subscription is None:
            raise PermanentError("the push subscription was removed")
        if not settings.VAPID_PRIVATE_KEY:
            raise PermanentError("VAPID keys are not configured")
        kind = delivery.notification.kind
        authorization = vapid.authorization(
            settings.VAPID_PRIVATE_KEY,
            subject=settings.VAPID_SUBJECT,
            audience=_audience(subscription.endpoint),
            now=time.time(),
        )
        try:
            pusher = WebPusher(
                {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
                requests_session=_push_connections(),
            )
            response = pusher.send(
                push_payload(delivery),
                {
                    "Authorization": authorization,
                    "Urgency": policy.URGENCY[kind],
                    "Topic": push_topic(delivery.notification.subject),
                },
                ttl=policy.TTL_SECONDS[kind],
                timeout=PUSH_TIMEOUT_SECONDS,
            )
            metrics.push_answer_counted(response.status_code)
            if response.status_code > 202:  # as pywebpush's own webpush() judges an answer
                raise WebPushException(f"Push failed: {response.status_code}", response=response)
        except WebPushException as error:
            response = error.response
            status = getattr(response, "status_code", None)
            if status in (404, 410):
                # The browser unsubscribed or the subscription expired: to be forgotten.
                raise SubscriptionGone(f"push service answered {status}: subscription gone", subscription.pk) from None
            if status == 429 or (status is not None and status >= 500):
                raise TemporaryError(f"push service answered {status}", retry_after=_retry_after(response)) from None
            raise PermanentError(f"push service answered {status}") from None
        except push_http.EndpointRefused as error:
            raise PermanentError(error.problem) from None
        except urllib3.exceptions.HTTPError as error:  # no answer: the connection failed or timed out
            metrics.push_answer_counted(None)
            raise TemporaryError(f"push service unreachable: {type(error).__name__}") from None


# An unsubscribe link works this long after its email was written (the token carries when it was
# signed); an older one says how to switch emails off in the app instead.
UNSUBSCRIBE_LINK_MAX_AGE = timedelta(days=60)


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps({"user": user_id, "channel": "email"}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_user_id(token: str) -> int | None:
    """The person an unsubscribe link is for; None when it is not one of ours. Raises
    signing.SignatureExpired for a link of ours older than UNSUBSCRIBE_LINK_MAX_AGE."""
    try:
        return int(signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_LINK_MAX_AGE)["user"])
    except signing.SignatureExpired:
        raise
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_url(user_id: int) -> str:
    return f"{settings.API_BASE_URL.rstrip('/')}/api/v1/notifications/unsubscribe?token={unsubscribe_token(user_id)}"


def reminder_email(delivery: Delivery, connection: BaseEmailBackend | None = None) -> EmailMessage:
    """The email of a notification: its words, a link to it in the app and one-click unsubscribe."""
    notification = delivery.notification
    user = notification.user
    unsubscribe = unsubscribe_url(user.pk)
    text = (
        f"{notification.body}\n\n"
        f"Open Tandem: {settings.APP_BASE_URL.rstrip('/')}/notifications/{notification.pk}\n\n"
        f"You get these emails because you use Tandem. Stop them with one click: {unsubscribe}\n"
    )
    return EmailMessage(
        subject=notification.title,
        body=text,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        connection=connection,
    )


class EmailChannel:
    def send(self, delivery: Delivery, connection: BaseEmailBackend | None = None) -> None:
        """Send over `connection` (a batch's mail backend, kept open afterwards) or, without one,
        over a connection of its own. A connection that failed is closed, so that the next message
        sent over it reconnects."""
        own = connection is None
        connection = connection or email_connection()
        if delivery.notification.kind in policy.ACCOUNT_KINDS:
            account_email = account_emails.message(delivery, connection)
            if account_email is None:
                raise PermanentError("no address waits for confirmation any more")
            message = account_email
        else:
            message = reminder_email(delivery, connection)
        try:
            connection.open()  # again after a failure closed it; nothing when it is open
            quick = quick_email.quick_bytes(message) if isinstance(connection, SMTPBackend) else None
            if quick is None:
                message.send()  # not the plain shape quick_email writes: Django's MIME classes do
            else:
                sender, recipients = quick_email.envelope(message)
                smtp = cast(SMTPBackend, connection).connection  # quick bytes are made for an SMTP backend only
                cast(smtplib.SMTP, smtp).sendmail(sender, recipients, quick)  # open() above connected it
        except smtplib.SMTPRecipientsRefused:
            raise PermanentError("the mail server refused the address") from None
        except OSError as error:  # smtplib's errors are OSErrors too: connection, timeout, refusal
            close_quietly(connection)
            raise TemporaryError(f"mail server: {type(error).__name__}") from None
        finally:
            if own:
                close_quietly(connection)


def close_quietly(connection: BaseEmailBackend) -> None:
    """Close a mail connection that failed; saying goodbye to a server that is gone may fail too."""
    try:
        connection.close()
    except (OSError, smtplib.SMTPException):
        pass


def email_connection() -> BaseEmailBackend:
    """A mail backend connection for a batch of emails, not yet open (the first send opens it)."""
    return get_connection(timeout=PUSH_TIMEOUT_SECONDS)


CHANNELS: dict[str, Channel] = {Delivery.Channel.PUSH: PushChannel(), Delivery.Channel.EMAIL: EmailChannel()}
