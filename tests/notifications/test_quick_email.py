"""An email written out at once (notifications/quick_email.py) is the same email as Django's MIME
classes write (the reference): a mail program reads the same headers, the same text. What the quick
writer does not cover (a non-ASCII word, an over-long line) goes the reference's way, and arrives
readable. Sent through a real SMTP server on 127.0.0.1 (aiosmtpd), as a batch sends them."""

import email
import email.policy
import re
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage, get_connection

from notifications import channels, quick_email
from notifications.messages import TEXTS
from notifications.models import Delivery, Notification
from tests.factories import UserFactory


class Inbox:
    """What the SMTP server accepted: (envelope sender, recipients, message bytes)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's controller cannot be given port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


def as_read(raw: bytes) -> tuple[list[tuple[str, str]], str]:
    """The headers (Date and Message-ID checked for form, their values set aside) and the text, as
    a mail program decodes them; the unsubscribe token (signed with the time) masked, and folding
    whitespace left out."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    headers = []
    for name, value in message.items():
        if name in ("Date", "Message-ID"):
            assert message["Date"].datetime if name == "Date" else value.startswith("<") and "@" in value
            value = "(present)"
        headers.append((name, _masked(str(value).strip())))
    return headers, _masked(message.get_content())


def _masked(text: str) -> str:
    return re.sub(r"token=[\w:-]+", "token=(signed)", text)


def delivery_for(kind=Notification.Kind.ROUND_OPENED, *, partner="Sam", address="ann@example.com", pk=7) -> Delivery:
    title, body = TEXTS[kind]
    user = UserFactory.build(pk=pk, email=address)
    notification = Notification(pk=pk, user=user, kind=kind, title=str(title), body=str(body).format(partner=partner))
    return Delivery(pk=pk, notification=notification, channel=Delivery.Channel.EMAIL)


def reminder(kind=Notification.Kind.ROUND_OPENED, **changes) -> EmailMessage:
    return channels.reminder_email(delivery_for(kind, **changes))


@pytest.mark.parametrize("kind", list(TEXTS))
def test_every_kind_of_email_reads_the_same_written_quickly_as_by_djangos_mime_classes(kind):
    message = reminder(kind)
    quick = quick_email.quick_bytes(message)
    assert quick is not None, "Tandem's English emails are the simple shape"
    assert as_read(quick) == as_read(quick_email.reference_bytes(message))
    headers, text = as_read(quick)
    assert ("To", "ann@example.com") in headers and ("Subject", str(TEXTS[kind][0])) in headers
    assert "List-Unsubscribe-Post" in dict(headers) and "/api/v1/notifications/unsubscribe?token=" in text


@pytest.mark.parametrize(
    "change",
    [
        {"partner": "Zoë"},  # a name in the text
        {"address": "zoë@example.com"},  # an address
        {"partner": "x" * 1200},  # a line longer than SMTP allows
    ],
)
def test_what_the_quick_writer_does_not_cover_is_left_to_the_reference(change):
    message = reminder(Notification.Kind.INVITE_ACCEPTED, **change)
    assert quick_email.quick_bytes(message) is None


@pytest.mark.django_db
def test_a_batch_connection_sends_the_quick_bytes_and_the_server_reads_the_reference_message(smtp_server):
    connection = get_connection(timeout=5)
    for pk in (1, 2):
        channels.EmailChannel().send(delivery_for(pk=pk), connection=connection)
    connection.close()
    assert [(sender, recipients) for sender, recipients, _ in smtp_server.received] == [
        ("hello@tandem.invalid", ["ann@example.com"]),
        ("hello@tandem.invalid", ["ann@example.com"]),
    ]
    assert as_read(smtp_server.received[0][2]) == as_read(quick_email.reference_bytes(reminder(pk=1)))


@pytest.mark.django_db
def test_an_email_the_quick_writer_leaves_alone_arrives_readable_over_the_same_connection(smtp_server):
    connection = get_connection(timeout=5)
    for address, partner in (("ann@example.com", "Zoë"), ("ann@example.com", "Sam")):
        channels.EmailChannel().send(
            delivery_for(Notification.Kind.INVITE_ACCEPTED, partner=partner, address=address), connection=connection
        )
    connection.close()
    texts = [as_read(raw) for _, _, raw in smtp_server.received]
    assert [("Subject", "You are paired") in headers for headers, _ in texts] == [True, True]
    assert "Zoë joined you on Tandem." in texts[0][1] and "Sam joined you on Tandem." in texts[1][1]
