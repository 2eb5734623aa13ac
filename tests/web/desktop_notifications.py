"""A desktop's notification service, over D-Bus, that a test can click.

Chromium on Linux shows a web notification through the desktop's `org.freedesktop.Notifications`
service on the session bus, and when the person clicks it the service emits `ActionInvoked(id,
"default")`, upon which Chromium fires a real, trusted `notificationclick` in the service worker,
with the window interaction (focus, openWindow) only a click grants. DevTools has no command for
that click, so this module is the desktop: a tiny session bus on a Unix socket of its own (just
enough of the D-Bus wire protocol for Chromium's calls) that also is the notification service.
Chromium is started with DBUS_SESSION_BUS_ADDRESS pointing at it; `click(notification)` is the
person's tap.
"""

import os
import socket
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BUS = "org.freedesktop.DBus"
SERVICE = "org.freedesktop.Notifications"
SERVICE_PATH = "/org/freedesktop/Notifications"
SERVICE_OWNER = ":1.0"  # the service's unique name on this bus
METHOD_CALL, METHOD_RETURN, ERROR, SIGNAL = 1, 2, 3, 4
NO_REPLY_EXPECTED = 0x1
# Header field codes.
PATH, INTERFACE, MEMBER, ERROR_NAME, REPLY_SERIAL, DESTINATION, SENDER, SIGNATURE = range(1, 9)
FIELD_TYPES = {PATH: "o", INTERFACE: "s", MEMBER: "s", ERROR_NAME: "s", REPLY_SERIAL: "u"}
FIELD_TYPES |= {DESTINATION: "s", SENDER: "s", SIGNATURE: "g"}


@dataclass
class Shown:
    """A notification Chromium asked the desktop to show."""

    id: int
    summary: str
    body: str
    connection: "Connection"


class Writer:
    """D-Bus marshalling (little-endian) of the few types this bus speaks: y b u i s o g as v."""

    def __init__(self, start: int = 0):
        self.data = bytearray()
        self.start = start  # the offset alignment counts from (the message's start)

    def align(self, n: int) -> None:
        while (self.start + len(self.data)) % n:
            self.data.append(0)

    def write(self, signature: str, value) -> None:
        if signature == "y":
            self.data.append(value)
        elif signature in ("u", "b"):
            self.align(4)
            self.data += struct.pack("<I", int(value))
        elif signature == "i":
            self.align(4)
            self.data += struct.pack("<i", value)
        elif signature in ("s", "o"):
            encoded = value.encode()
            self.align(4)
            self.data += struct.pack("<I", len(encoded)) + encoded + b"\0"
        elif signature == "g":
            encoded = value.encode()
            self.data += bytes([len(encoded)]) + encoded + b"\0"
        elif signature == "as":
            self.align(4)
            length_at = len(self.data)
            self.data += b"\0\0\0\0"
            first = len(self.data)
            for item in value:
                self.write("s", item)
            struct.pack_into("<I", self.data, length_at, len(self.data) - first)
        elif signature.startswith("v"):  # ("v", (inner signature, value))
            inner, inner_value = value
            self.write("g", inner)
            self.write(inner, inner_value)
        else:
            raise ValueError(signature)


class Reader:
    def __init__(self, data: bytes, position: int = 0):
        self.data, self.position = data, position

    def align(self, n: int) -> None:
        self.position += -self.position % n

    def read(self, signature: str):
        if signature == "y":
            self.position += 1
            return self.data[self.position - 1]
        if signature in ("u", "b", "i"):
            self.align(4)
            (value,) = struct.unpack_from("<i" if signature == "i" else "<I", self.data, self.position)
            self.position += 4
            return value
        if signature in ("s", "o"):
            self.align(4)
            (length,) = struct.unpack_from("<I", self.data, self.position)
            self.position += 4
            text = self.data[self.position : self.position + length].decode()
            self.position += length + 1
            return text
        if signature == "g":
            length = self.data[self.position]
            text = self.data[self.position + 1 : self.position + 1 + length].decode()
            self.position += length + 2
            return text
        raise ValueError(signature)


def message(kind: int, serial: int, fields: dict[int, str | int], signature: str = "", values: tuple = ()) -> bytes:
    body = Writer()
    for part, value in zip(_split(signature), values, strict=True):
        body.write(part, value)
    if signature:
        fields = {**fields, SIGNATURE: signature}
    header = Writer()
    for code, value in (("y", ord("l")), ("y", kind), ("y", 0), ("y", 1)):
        header.write(code, value)
    header.write("u", len(body.data))
    header.write("u", serial)
    array = Writer(start=16)
    for field_code, field_value in fields.items():
        array.align(8)
        array.write("y", field_code)
        array.write("v", (FIELD_TYPES[field_code], field_value))
    header.write("u", len(array.data))
    header.data += array.data
    header.align(8)
    return bytes(header.data + body.data)


def _split(signature: str) -> list[str]:
    """Single complete types of a signature (only the ones this bus writes)."""
    parts, i = [], 0
    while i < len(signature):
        step = 2 if signature[i] == "a" else 1
        parts.append(signature[i : i + step])
        i += step
    return parts


class Connection:
    """One client of the bus (Chromium opens several)."""

    def __init__(self, daemon: "NotificationDaemon", sock: socket.socket, name: str):
        self.daemon, self.sock, self.name = daemon, sock, name
        self.serial = 0
        self.lock = threading.Lock()

    def send(self, kind: int, fields: dict, signature: str = "", values: tuple = ()) -> None:
        with self.lock:
            self.serial += 1
            try:
                self.sock.sendall(message(kind, self.serial, fields, signature, values))
            except OSError:
                pass

    def serve(self) -> None:
        try:
            buffer = self._authenticate()
            if buffer is None:
                return
            while True:
                while len(buffer) < 16:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                body_length, _serial, fields_length = struct.unpack_from("<III", buffer, 4)
                total = 16 + fields_length + (-(16 + fields_length) % 8) + body_length
                while len(buffer) < total:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                self._handle(buffer[:total])
                buffer = buffer[total:]
        except OSError:
            return
        finally:
            self.sock.close()

    def _authenticate(self) -> bytes | None:
        """The SASL exchange before the messages; returns what came after BEGIN (None: hung up)."""
        pending = b""
        while True:
            chunk = self.sock.recv(4096)
            if not chunk:
                return None
            pending += chunk.lstrip(b"\0") if not pending else chunk
            while b"\r\n" in pending:
                line, pending = pending.split(b"\r\n", 1)
                if line.startswith(b"AUTH EXTERNAL") or line.startswith(b"DATA"):
                    self.sock.sendall(b"OK 0123456789abcdef0123456789abcdef\r\n")
                elif line.startswith(b"AUTH"):
                    self.sock.sendall(b"REJECTED EXTERNAL\r\n")
                elif line.startswith(b"NEGOTIATE_UNIX_FD"):
                    self.sock.sendall(b"ERROR\r\n")
                elif line.startswith(b"BEGIN"):
                    return pending
                else:
                    self.sock.sendall(b"ERROR\r\n")

    def _handle(self, raw: bytes) -> None:
        assert raw[0:1] == b"l", "big-endian clients are not spoken to here"
        kind, flags = raw[1], raw[2]
        (serial,) = struct.unpack_from("<I", raw, 8)
        (fields_length,) = struct.unpack_from("<I", raw, 12)
        reader, fields = Reader(raw, 16), {}
        while reader.position < 16 + fields_length:
            reader.align(8)
            code = reader.read("y")
            fields[code] = reader.read(reader.read("g"))
        reader.align(8)
        if kind != METHOD_CALL:
            return
        destination, member = fields.get(DESTINATION), fields.get(MEMBER)
        replies = not flags & NO_REPLY_EXPECTED
        answer = {REPLY_SERIAL: serial, DESTINATION: self.name}

        def reply(signature: str = "", *values) -> None:
            if replies:
                sender = SERVICE_OWNER if destination in (SERVICE, SERVICE_OWNER) else BUS
                self.send(METHOD_RETURN, {**answer, SENDER: sender}, signature, values)

        def refuse(error: str) -> None:
            if replies:
                self.send(ERROR, {**answer, ERROR_NAME: error, SENDER: BUS}, "s", (error,))

        if destination == BUS:
            if member == "Hello":
                reply("s", self.name)
            elif member == "NameHasOwner":
                reply("b", reader.read("s") == SERVICE)
            elif member == "GetNameOwner":
                if reader.read("s") == SERVICE:
                    reply("s", SERVICE_OWNER)
                else:
                    refuse("org.freedesktop.DBus.Error.NameHasNoOwner")
            elif member in ("AddMatch", "RemoveMatch"):
                reply()
            elif member == "ListNames":
                reply("as", [BUS, SERVICE, SERVICE_OWNER, self.name])
            else:
                refuse("org.freedesktop.DBus.Error.UnknownMethod")
        elif destination in (SERVICE, SERVICE_OWNER):
            if member == "GetCapabilities":
                reply("as", ["actions", "body"])
            elif member == "GetServerInformation":
                reply("ssss", "tandem-tests", "tandem", "1", "1.2")
            elif member == "Notify":
                reader.read("s")  # app name
                reader.read("u")  # replaces id
                reader.read("s")  # icon
                summary, body = reader.read("s"), reader.read("s")
                shown = self.daemon._shown(summary, body, self)
                reply("u", shown.id)
            elif member == "CloseNotification":
                reply()
            else:
                refuse("org.freedesktop.DBus.Error.UnknownMethod")
        else:
            refuse("org.freedesktop.DBus.Error.ServiceUnknown")


class NotificationDaemon:
    """The bus and the notification service; `address` goes in DBUS_SESSION_BUS_ADDRESS."""

    def __init__(self, folder: Path):
        self.path = folder / "bus"
        self.notifications: list[Shown] = []
        self._lock = threading.Lock()
        self._clients = 0
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(self.path))
        self._server.listen()
        self._thread = threading.Thread(target=self._accept, name="desktop-notifications", daemon=True)

    @property
    def address(self) -> str:
        return f"unix:path={self.path}"

    def start(self) -> "NotificationDaemon":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.close()
        if self.path.exists():
            os.unlink(self.path)

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self._clients += 1
                name = f":1.{self._clients}"
            threading.Thread(target=Connection(self, sock, name).serve, daemon=True).start()

    def _shown(self, summary: str, body: str, connection: Connection) -> Shown:
        with self._lock:
            shown = Shown(id=len(self.notifications) + 1, summary=summary, body=body, connection=connection)
            self.notifications.append(shown)
            return shown

    def wait_for_notification(self, number: int = 1, timeout: float = 15) -> Shown:
        """The `number`th notification shown (1-based), once it is."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.notifications) >= number:
                    return self.notifications[number - 1]
            time.sleep(0.05)
        raise AssertionError("Chromium showed no notification on the desktop")

    def click(self, shown: Shown) -> None:
        """The person taps the notification: its default action, as a desktop reports it."""
        fields = {PATH: SERVICE_PATH, INTERFACE: SERVICE, MEMBER: "ActionInvoked", SENDER: SERVICE_OWNER}
        shown.connection.send(SIGNAL, {**fields, DESTINATION: shown.connection.name}, "us", (shown.id, "default"))
