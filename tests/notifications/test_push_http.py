"""A push's HTTP exchange (notifications/push_http.py): the deliver worker's kept-open connections
send the push service what Web Push asks and read its answer back. That they refuse what the
server must not call is in test_push_endpoints.py."""

import ssl
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pywebpush import WebPusher

from notifications import push_http
from tests.notifications.fake_push import Browser

HEADERS = {"Authorization": "vapid t=a.b.c,k=key", "Urgency": "normal"}


def push(transport, browser: Browser, payload: str = '{"title": "Time for your check-in"}'):
    subscription = {"endpoint": browser.endpoint, "keys": {"p256dh": browser.p256dh, "auth": browser.auth}}
    return WebPusher(subscription, requests_session=transport).send(payload, dict(HEADERS), ttl=3600, timeout=5)


@pytest.mark.parametrize(
    "statuses,retry_after",
    [((201, 201, 201), None), ((410,), None), ((404,), None), ((429, 201), "120"), ((500,), None)],
)
def test_a_push_arrives_as_web_push_asks_and_its_answer_is_read_back(push_service, statuses, retry_after):
    browser = Browser.new(push_service.endpoint("someone"))
    push_service.answer(browser.endpoint, *statuses, retry_after=retry_after)
    connections = push_http.PushConnections()
    answers = [push(connections, browser) for _ in statuses]
    assert [(a.status_code, a.headers.get("retry-after")) for a in answers] == [(s, retry_after) for s in statuses]
    received = push_service.received_for(browser.endpoint)
    assert len(received) == len(statuses)
    for request in received:
        assert {name: request.headers[name] for name in ("ttl", "urgency", "content-encoding", "authorization")} == {
            "ttl": "3600",
            "urgency": "normal",
            "content-encoding": "aes128gcm",
            "authorization": HEADERS["Authorization"],
        }
        assert browser.read(request) == {"title": "Time for your check-in"}


def test_a_push_service_that_is_down_is_a_connection_error_not_an_answer(push_service):
    browser = Browser.new(push_service.endpoint("gone"))
    push_service.stop()
    with pytest.raises(Exception) as raised:
        push(push_http.PushConnections(), browser)
    assert "urllib3.exceptions" in type(raised.value).__module__


def certificate_for(name: str, directory) -> tuple[str, str]:
    """A self-signed certificate for the host `name` and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(certificate_path), str(key_path)


@contextmanager
def tls_push_service(certificate: tuple[str, str]):
    """A push service on https://127.0.0.1:<port> that answers 201 and serves `certificate`."""

    class Accepting(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server name
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):  # noqa: A002 - quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Accepting)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_tls_is_verified_against_the_host_name_while_the_checked_address_is_connected_to(tmp_path):
    # The connection goes to the address that was checked (127.0.0.1), and the certificate must
    # still be the host name's: a push service's certificate is for its name, never its address.
    certificate = certificate_for("localhost", tmp_path)
    with tls_push_service(certificate) as port:
        browser = Browser.new(f"https://localhost:{port}/push/abc")
        assert push(push_http.PushConnections(ca_certs=certificate[0]), browser).status_code == 201
        # A certificate the client does not trust is refused before anything is sent.
        (tmp_path / "other").mkdir()
        untrusted = certificate_for("localhost", tmp_path / "other")
        with pytest.raises(urllib3.exceptions.SSLError):
            push(push_http.PushConnections(ca_certs=untrusted[0]), browser)


def test_a_certificate_for_another_name_is_refused(tmp_path):
    certificate = certificate_for("push.example", tmp_path)
    with tls_push_service(certificate) as port:
        browser = Browser.new(f"https://localhost:{port}/push/abc")
        with pytest.raises(urllib3.exceptions.SSLError):
            push(push_http.PushConnections(ca_certs=certificate[0]), browser)
