"""A real Web Push service on 127.0.0.1, and the browser side of a push subscription.

`FakePushService` is an HTTP server (ThreadingHTTPServer on port 0, in a background thread) that
stands in for a browser vendor's push service: it records every request Tandem makes (the
subscription's path, the TTL, Urgency, Authorization and Content-Encoding headers and the
encrypted body), answers 201 Created by default or the statuses a test queues for an endpoint
(410, 404, 429 with Retry-After, 500), and can hold the Nth request unanswered until the test
releases it, telling whether the client hung up meanwhile. Only a request answered 2xx counts as
accepted: a held request whose client went away was never taken by the push service. With
`delay` it takes that long over every answer, as a real push service does, and counts how many
requests it had in hand at once (`max_in_flight`).

`Browser` is what a browser does when it subscribes: an EC P-256 key pair and a 16-byte auth
secret of its own. It registers through the API like the PWA does, and keeps its private key,
so a test decrypts what the push service received (RFC 8291, aes128gcm) and reads the payload.
"""

import base64
import json
import os
import secrets
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid02

from notifications.vapid import generate_key_pair

PUSH_SUBSCRIPTIONS_URL = "/api/v1/push/subscriptions"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def vapid_key_pair() -> tuple[str, str]:
    """A fresh VAPID key pair (private, public) for the server, as `manage.py vapid_keys` prints it."""
    return generate_key_pair()


def jwt_claims(authorization: str) -> dict:
    """The claims of a `vapid t=<jwt>,k=<key>` Authorization header, once its signature checks out."""
    assert Vapid02.verify(authorization), f"the VAPID signature does not verify: {authorization}"
    token = authorization.split(" ", 1)[1].split(",")[0].removeprefix("t=")
    return json.loads(b64url_decode(token.split(".")[1]))


def vapid_public_key(authorization: str) -> str:
    return dict(part.split("=", 1) for part in authorization.split(" ", 1)[1].split(","))["k"]


@dataclass
class PushRequest:
    """One POST the push service received, and what became of it."""

    number: int  # 1-based, in the order the service received them
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    status: int | None = None  # what the service answered; None while held or when never answered
    client_hung_up: bool = False

    @property
    def accepted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def token(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def claims(self) -> dict:
        return jwt_claims(self.headers["authorization"])


class Hold:
    """Holds the Nth request without answering until `release()`."""

    def __init__(self, number: int):
        self.number = number
        self.held = threading.Event()  # set once the Nth request has arrived and is held
        self.done = threading.Event()  # set once the held request has been answered or dropped
        self._released = threading.Event()
        self.request: PushRequest | None = None
        self._connection: socket.socket | None = None

    def wait_until_held(self, timeout: float) -> PushRequest:
        assert self.held.wait(timeout), f"request {self.number} never reached the push service"
        assert self.request is not None
        return self.request

    def client_gone(self) -> bool:
        """Whether the client has closed (or lost) the connection of the held request."""
        connection = self._connection
        if connection is None:
            return False
        try:
            return connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False  # still connected, waiting for the answer
        except OSError:
            return True  # reset

    def release(self) -> None:
        self._released.set()


class FakePushService:
    def __init__(self, delay: float = 0.0):
        self.requests: list[PushRequest] = []
        self.delay = delay
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self._queued: dict[str, deque[tuple[int, dict[str, str]]]] = defaultdict(deque)
        self._holds: dict[int, Hold] = {}
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-push-service", daemon=True
        )

    # Set-up

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def endpoint(self, token: str | None = None) -> str:
        return f"{self.origin}/push/{token or secrets.token_urlsafe(12)}"

    def answer(self, endpoint: str, *statuses: int, retry_after: str | int | None = None) -> None:
        """Answer the next requests to `endpoint` with these statuses (then 201 again)."""
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        path = _path(endpoint)
        with self._lock:
            self._queued[path].extend((status, headers) for status in statuses)

    def hold(self, number: int) -> Hold:
        """Hold the `number`th request (1-based, counting every request) until released."""
        hold = Hold(number)
        with self._lock:
            self._holds[number] = hold
        return hold

    # What it received

    @property
    def accepted(self) -> list[PushRequest]:
        with self._lock:
            return [r for r in self.requests if r.accepted]

    def received_for(self, endpoint: str) -> list[PushRequest]:
        path = _path(endpoint)
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def accepted_for(self, endpoint: str) -> list[PushRequest]:
        return [r for r in self.received_for(endpoint) if r.accepted]

    # Life cycle

    def start(self) -> "FakePushService":
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            holds = list(self._holds.values())
        for hold in holds:
            hold.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # Called from the server's threads

    def _receive(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            self._answer(handler)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            request = PushRequest(
                number=len(self.requests) + 1,
                path=handler.path,
                headers={name.lower(): value for name, value in handler.headers.items()},
                body=body,
            )
            self.requests.append(request)
            hold = self._holds.get(request.number)
            queued = self._queued[request.path]
            status, headers = queued.popleft() if queued else (201, {})
        if hold is not None:
            hold.request, hold._connection = request, handler.connection
            hold.held.set()
            hold._released.wait()
            gone = hold.client_gone()
            hold._connection = None
            if gone:
                # Nobody to answer: the push service never took this message.
                request.client_hung_up = True
                handler.close_connection = True
                hold.done.set()
                return
        # Recorded before the answer goes out, so that a client that has its answer finds it recorded.
        request.status = status
        try:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            if 200 <= status < 300:
                handler.send_header("Location", f"{self.origin}/message/{request.number}")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            handler.wfile.flush()
        except OSError:
            request.status, request.client_hung_up = None, True
        finally:
            if hold is not None:
                hold.done.set()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a batch's pushes connect at once: none waits for a retransmitted SYN


def _path(endpoint: str) -> str:
    return "/" + endpoint.split("://", 1)[1].split("/", 1)[1]


def _handler_for(service: FakePushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server name
            service._receive(self)

        def log_message(self, format, *args):  # noqa: A002 - quiet
            pass

    return Handler


@contextmanager
def running_push_service(delay: float = 0.0) -> Iterator[FakePushService]:
    service = FakePushService(delay).start()
    try:
        yield service
    finally:
        service.stop()


@dataclass
class Browser:
    """The browser side of one push subscription: it can read what was pushed to it."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    auth_secret: bytes = field(repr=False)

    @classmethod
    def new(cls, endpoint: str) -> "Browser":
        return cls(endpoint=endpoint, private_key=ec.generate_private_key(ec.SECP256R1()), auth_secret=os.urandom(16))

    @property
    def p256dh(self) -> str:
        public = self.private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return b64url(public)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def subscription_json(self) -> dict:
        """What `PushSubscription.toJSON()` gives the PWA to post."""
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

    def subscribe(self, api):
        """Register through the API as the PWA does; returns the response."""
        return api.post(PUSH_SUBSCRIPTIONS_URL, self.subscription_json(), format="json")

    def read(self, request: PushRequest) -> dict:
        """Decrypt a message the push service received for this subscription."""
        assert request.path == _path(self.endpoint), (request.path, self.endpoint)
        plain = http_ece.decrypt(
            request.body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return json.loads(plain)
