"""Error reports: a real web process (the Procfile's gunicorn) with SENTRY_DSN naming a local HTTP
endpoint, which receives what sentry-sdk sends (its envelopes) as Sentry would. The error is a real
one: the database turned read-only under the app (as in a failover), so that saving an answer fails."""

import gzip
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli  # type: ignore[import-untyped]
import pytest
import redis
from django.conf import settings

from couples import devices
from tests.builders import client_for, open_round, pair
from tests.factories import UserFactory
from tests.integration.processes import Http, start_web, stop, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


DECOMPRESS = {"gzip": gzip.decompress, "br": brotli.decompress}


class SentryIngest:
    """Every envelope POSTed to it, decompressed, in order."""

    def __init__(self) -> None:
        self.envelopes: list[str] = []
        ingest = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                encoding = self.headers.get("Content-Encoding", "")
                body = (
                    gzip.decompress(body)
                    if encoding == "gzip"
                    else brotli.decompress(body)
                    if encoding == "br"
                    else body
                )
                ingest.envelopes.append(body.decode())
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format, *args):  # noqa: A002 - quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.server.server_address[1]}/1"

    def events(self) -> list[dict]:
        """The error events of every envelope (an envelope is lines of JSON: a header, then items)."""
        found = []
        for envelope in self.envelopes:
            lines = envelope.splitlines()
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if json.loads(header).get("type") == "event":
                    found.append(json.loads(payload))
        return found


@contextmanager
def running_sentry_ingest() -> Iterator[SentryIngest]:
    ingest = SentryIngest()
    thread = threading.Thread(target=ingest.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield ingest
    finally:
        ingest.server.shutdown()
        ingest.server.server_close()


def test_an_unexpected_error_reaches_sentry_without_notes_ratings_tokens_cookies_or_addresses(tmp_path):
    broker = settings.CELERY_BROKER_URL
    alice = UserFactory.create()
    pair(alice, UserFactory.create())
    checkin = open_round(client_for(alice))
    token, _ = devices.token_issue(user=alice)
    note, private_note = "alice-shares-marmot-lighthouse", "alice-keeps-ibis-orchard"
    session, csrf = "sessionid-value-9d41f0c2", "csrftoken-value-77ab3e1f"
    with running_sentry_ingest() as ingest:
        web, origin = start_web(
            broker=broker,
            log_path=tmp_path / "web.log",
            env={"SENTRY_DSN": ingest.dsn, "PGOPTIONS": "-c default_transaction_read_only=on"},
        )
        try:
            status, _, _ = Http(origin).call(
                "PUT",
                f"/api/v1/checkins/{checkin['id']}/response?from={alice.email}",
                {"connection": 2, "independence": 5, "note": note, "private_note": private_note},
                token=token,
                headers={"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf},
            )
            assert status == 500
            wait_for(ingest.events, web, "report the error to Sentry")
        finally:
            stop(web)
            redis.Redis.from_url(broker).flushdb()

    [event, *_] = ingest.events()
    assert "read-only transaction" in json.dumps(event["exception"])
    # The body's names are kept (what was being sent), never its values.
    assert event["request"]["data"] == {
        "connection": "[Filtered]",
        "independence": "[Filtered]",
        "note": "[Filtered]",
        "private_note": "[Filtered]",
    }
    everything = "\n".join(ingest.envelopes)
    secrets = [note, private_note, token, session, csrf, alice.email, alice.email.replace("@", "%40")]
    assert [secret for secret in secrets if secret in everything] == []
