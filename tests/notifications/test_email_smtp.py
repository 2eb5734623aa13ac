"""Emails as a mail program reads them, sent over one SMTP connection to a real SMTP server on
127.0.0.1 (aiosmtpd), as a batch sends them: every kind of reminder has its headers, its words, a
link to it and one-click unsubscribe; a word or a line outside plain ASCII arrives as written."""

import email
import email.policy
import re
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.mail import get_connection

from notifications import channels, policy
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


def sent_over_one_connection(*deliveries: Delivery) -> None:
    connection = get_connection(timeout=5)
    for delivery in deliveries:
        channels.EmailChannel().send(delivery, connection=connection)
    connection.close()


def as_read(raw: bytes) -> tuple[dict[str, str], str]:
    """The headers and the text, as a mail program decodes them."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    return {name: str(value) for name, value in message.items()}, message.get_content().replace("\r\n", "\n")


def delivery_for(kind=Notification.Kind.ROUND_OPENED, *, partner="Sam", pk=7) -> Delivery:
    title, body = TEXTS[kind]
    user = UserFactory.build(pk=pk, email="ann@example.com")
    notification = Notification(pk=pk, user=user, kind=kind, title=str(title), body=str(body).format(partner=partner))
    return Delivery(pk=pk, notification=notification, channel=Delivery.Channel.EMAIL)


REMINDERS = [kind for kind in TEXTS if kind not in policy.ACCOUNT_KINDS]


@pytest.mark.django_db
def test_every_kind_of_reminder_arrives_with_its_headers_words_link_and_one_click_unsubscribe(smtp_server):
    sent_over_one_connection(*(delivery_for(kind, pk=pk) for pk, kind in enumerate(REMINDERS, start=1)))
    assert [(sender, recipients) for sender, recipients, _ in smtp_server.received] == [
        ("hello@tandem.invalid", ["ann@example.com"])
    ] * len(REMINDERS)
    for pk, (kind, (_, _, raw)) in enumerate(zip(REMINDERS, smtp_server.received, strict=True), start=1):
        headers, text = as_read(raw)
        unsubscribe = re.search(r"Stop them with one click: (\S+)\n", text)
        assert unsubscribe and channels.unsubscribe_user_id(unsubscribe[1].split("token=")[1]) == pk
        assert headers["Subject"] == str(TEXTS[kind][0])
        assert (headers["From"], headers["To"]) == (settings.DEFAULT_FROM_EMAIL, "ann@example.com")
        assert headers["List-Unsubscribe"] == f"<{unsubscribe[1]}>"
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert email.utils.parsedate_to_datetime(headers["Date"]) is not None
        assert re.fullmatch(r"<[^@>]+@[^@>]+>", headers["Message-ID"])
        assert text.startswith(str(TEXTS[kind][1]).format(partner="Sam") + "\n\n")
        assert f"Open Tandem: {settings.APP_BASE_URL.rstrip('/')}/notifications/{pk}\n" in text


@pytest.mark.django_db
def test_a_word_or_a_line_beyond_plain_ascii_arrives_as_written_over_the_same_connection(smtp_server):
    long_name = "x" * 1200  # a line longer than SMTP allows
    sent_over_one_connection(
        *(
            delivery_for(Notification.Kind.INVITE_ACCEPTED, partner=name, pk=pk)
            for pk, name in enumerate(("Zoë", "Sam", long_name), start=1)
        )
    )
    texts = [as_read(raw) for _, _, raw in smtp_server.received]
    assert [headers["Subject"] for headers, _ in texts] == ["You are paired"] * 3
    assert [text.split("\n")[0] for _, text in texts] == [
        f"{name} joined you on Tandem." for name in ("Zoë", "Sam", long_name)
    ]
