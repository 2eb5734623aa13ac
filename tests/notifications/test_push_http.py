"""A push's HTTP exchange (notifications/push_http.py): the deliver worker's kept-open urllib3
connections and the plain requests session (the reference) send the same request to the push
service and read the same answer; and the address a connection is made to is checked then, so a
name that points inside is never called."""

import pytest
from pywebpush import WebPusher

from notifications import push_http
from tests.notifications.fake_push import Browser

TRANSPORTS = {"reference (requests)": push_http.reference_session, "kept-open connections": push_http.PushConnections}
HEADERS = {"Authorization": "vapid t=a.b.c,k=key", "Urgency": "normal"}


def push(transport, browser: Browser, payload: str = '{"title": "Time for your check-in"}'):
    subscription = {"endpoint": browser.endpoint, "keys": {"p256dh": browser.p256dh, "auth": browser.auth}}
    return WebPusher(subscription, requests_session=transport).send(payload, dict(HEADERS), ttl=3600, timeout=5)


def exchange(transport_name: str, push_service, statuses: tuple[int, ...], retry_after=None):
    """What the push service received and what the transport read back, for each status in turn."""
    browser = Browser.new(push_service.endpoint(f"same-{transport_name.split()[0]}"))
    if statuses:
        push_service.answer(browser.endpoint, *statuses, retry_after=retry_after)
    transport = TRANSPORTS[transport_name]()
    answers = [push(transport, browser) for _ in statuses or (201,)]
    received = push_service.received_for(browser.endpoint)
    sent = [
        (
            {name: value for name, value in r.headers.items() if name in ("ttl", "urgency", "content-encoding")},
            r.headers["authorization"],
            browser.read(r),
        )
        for r in received
    ]
    read = [(a.status_code, a.headers.get("retry-after")) for a in answers]
    return sent, read


@pytest.mark.parametrize(
    "statuses,retry_after", [((201, 201, 201), None), ((410,), None), ((404,), None), ((429, 201), 120), ((500,), None)]
)
def test_both_transports_send_the_same_push_and_read_the_same_answer(push_service, statuses, retry_after):
    reference = exchange("reference (requests)", push_service, statuses, retry_after)
    kept_open = exchange("kept-open connections", push_service, statuses, retry_after)
    assert kept_open == reference
    sent, read = kept_open
    assert [status for status, _ in read] == list(statuses)
    assert sent[0][0] == {"ttl": "3600", "urgency": "normal", "content-encoding": "aes128gcm"}
    assert sent[0][2] == {"title": "Time for your check-in"}


def test_a_name_that_resolves_to_a_local_address_is_refused_when_the_connection_is_made(push_service, settings):
    settings.PUSH_ALLOW_LOOPBACK_ENDPOINTS = False
    port = push_service.origin.rsplit(":", 1)[1]
    browser = Browser.new(f"http://localhost:{port}/push/inside")
    with pytest.raises(push_http.EndpointRefused, match="not a private or local address"):
        push(push_http.PushConnections(), browser)
    assert push_service.requests == []


def test_a_push_service_that_is_down_is_a_connection_error_not_an_answer(push_service):
    browser = Browser.new(push_service.endpoint("gone"))
    push_service.stop()
    with pytest.raises(Exception) as raised:
        push(push_http.PushConnections(), browser)
    assert "urllib3.exceptions" in type(raised.value).__module__
