"""A real SMTP server on 127.0.0.1 (aiosmtpd) for tests whose emails leave another process (the
Celery worker of the browser tests): what it accepted, read back as messages."""

import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Mailbox:
    """Every message the server accepted, in order."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def wait_for(self, to: str, subject: str, timeout: float = 30) -> EmailMessage:
        """The first message to `to` with `subject`, once it has arrived (the worker sends it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for message in self.messages:
                    if message["To"] == to and message["Subject"] == subject:
                        return message
            time.sleep(0.1)
        arrived = [(m["To"], m["Subject"]) for m in self.messages]
        raise AssertionError(f"no email '{subject}' to {to} arrived; got {arrived}")


@contextmanager
def running_smtp_server() -> Iterator[Mailbox]:
    with socket.socket() as probe:  # a free port (aiosmtpd's controller cannot be given port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox(port)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
