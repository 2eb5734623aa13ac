"""The ways a notification leaves Tandem. Each channel has one method, `send(delivery)`, and
raises PermanentError (do not try again) or TemporaryError (try again later) when it fails, so a
new channel is a new class here, not a branch everywhere."""

import json
import logging
import smtplib
from typing import Protocol

import requests
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from pywebpush import WebPushException, webpush

from notifications import policy
from notifications.models import Delivery, PushSubscription
from notifications.push_endpoints import endpoint_problem

log = logging.getLogger(__name__)

PUSH_TIMEOUT_SECONDS = 10
UNSUBSCRIBE_SALT = "tandem.notifications.unsubscribe"


class PermanentError(Exception):
    """Sending can never succeed (a push subscription that is gone, a refused address)."""


class TemporaryError(Exception):
    """Sending may succeed later; `retry_after` is the server's own word, in seconds, if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Channel(Protocol):
    def send(self, delivery: Delivery) -> None: ...


def _retry_after(response) -> float | None:
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


class PushChannel:
    def send(self, delivery: Delivery) -> None:
        subscription = delivery.subscription
        if subscription is None:
            raise PermanentError("the push subscription was removed")
        if not settings.VAPID_PRIVATE_KEY:
            raise PermanentError("VAPID keys are not configured")
        # Checked again at send time: a host name can be re-pointed after registration.
        problem = endpoint_problem(subscription.endpoint)
        if problem:
            raise PermanentError(problem)
        kind = delivery.notification.kind
        try:
            webpush(
                subscription_info={
                    "endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                },
                data=push_payload(delivery),
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                # A fresh dict every time: pywebpush writes the audience ("aud") into the one it
                # is given, and a shared dict would carry one push service's audience to another.
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=policy.TTL_SECONDS[kind],
                timeout=PUSH_TIMEOUT_SECONDS,
                headers={"Urgency": policy.URGENCY[kind]},
            )
        except WebPushException as error:
            response = error.response
            status = getattr(response, "status_code", None)
            if status in (404, 410):
                # The browser unsubscribed or the subscription expired: forget it.
                PushSubscription.objects.filter(pk=subscription.pk).delete()
                raise PermanentError(f"push service answered {status}: subscription gone") from None
            if status == 429 or (status is not None and status >= 500):
                raise TemporaryError(f"push service answered {status}", retry_after=_retry_after(response)) from None
            raise PermanentError(f"push service answered {status}") from None
        except (requests.ConnectionError, requests.Timeout) as error:
            raise TemporaryError(f"push service unreachable: {type(error).__name__}") from None


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps({"user": user_id, "channel": "email"}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_user_id(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=UNSUBSCRIBE_SALT)["user"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_url(user_id: int) -> str:
    return f"{settings.API_BASE_URL.rstrip('/')}/api/v1/notifications/unsubscribe?token={unsubscribe_token(user_id)}"


class EmailChannel:
    def send(self, delivery: Delivery) -> None:
        notification = delivery.notification
        user = notification.user
        unsubscribe = unsubscribe_url(user.pk)
        text = (
            f"{notification.body}\n\n"
            f"Open Tandem: {settings.APP_BASE_URL.rstrip('/')}/notifications/{notification.pk}\n\n"
            f"You get these emails because you use Tandem. Stop them with one click: {unsubscribe}\n"
        )
        message = EmailMessage(
            subject=notification.title,
            body=text,
            to=[user.email],
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            connection=get_connection(timeout=PUSH_TIMEOUT_SECONDS),
        )
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused:
            raise PermanentError("the mail server refused the address") from None
        except OSError as error:  # smtplib's errors are OSErrors too: connection, timeout, refusal
            raise TemporaryError(f"mail server: {type(error).__name__}") from None


CHANNELS: dict[str, Channel] = {Delivery.Channel.PUSH: PushChannel(), Delivery.Channel.EMAIL: EmailChannel()}
