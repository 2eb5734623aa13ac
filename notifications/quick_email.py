"""An email's bytes written out at once, for the deliver worker. Django builds a MIME tree that the
standard library then folds and encodes header by header, which on the herd costs more than the
SMTP conversation itself; Tandem's emails are one plain-text part, and in English every header and
line is ASCII, so for that shape the bytes are a few `Name: value` lines and the text. Anything
else (a non-ASCII word in a translation or an address, a line longer than SMTP allows, another
header, an attachment) returns None, and the channel sends it with Django's classes.
"""

from __future__ import annotations

import functools
import re
from email.utils import formatdate, make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME

# A line written as it is: printable ASCII and tabs, at most 998 characters (RFC 5322 2.1.1).
_PLAIN_LINE = re.compile(r"[\t\x20-\x7e]{0,998}")
# The headers Django writes for a plain-text message in UTF-8 whose text is ASCII, in its order.
_PLAIN_TEXT_HEADERS = (
    'Content-Type: text/plain; charset="utf-8"\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: 7bit\r\n'
)


def envelope(message: EmailMessage) -> tuple[str, list[str]]:
    """(sender, recipients) for the SMTP envelope: the bare addresses (the recipients are bare
    already in the simple shape)."""
    return _bare_address(message.from_email), list(message.recipients())


@functools.lru_cache(maxsize=8)
def _bare_address(address: str) -> str:
    return parseaddr(address)[1]  # one sender for every message: parsed once


def quick_bytes(message: EmailMessage) -> bytes | None:
    """`message` as it goes over SMTP, or None when it is not the simple shape written here."""
    if (
        message.content_subtype != "plain"
        or message.attachments
        or getattr(message, "alternatives", None)
        or message.cc
        or message.bcc
        or message.reply_to
        or message.encoding not in (None, "utf-8")
        or settings.EMAIL_USE_LOCALTIME
    ):
        return None
    extra = {name.lower() for name in message.extra_headers}
    if extra & {"from", "to", "date", "message-id", "subject", "content-type", "mime-version"}:
        return None
    headers = [
        ("Subject", message.subject),
        ("From", message.from_email),
        ("To", ", ".join(message.to)),
        ("Date", formatdate()),
        ("Message-ID", make_msgid(domain=DNS_NAME)),
        *message.extra_headers.items(),
    ]
    lines = [f"{name}: {value}" for name, value in headers]
    if any(not _plain(line) for line in lines):
        return None
    body_lines = message.body.split("\n")
    if any(not _plain(line) for line in body_lines):
        return None
    text = _PLAIN_TEXT_HEADERS + "\r\n".join(lines) + "\r\n\r\n" + "\r\n".join(body_lines)
    return text.encode("ascii")


def _plain(line: str) -> bool:
    return _PLAIN_LINE.fullmatch(line) is not None
