"""Live, on two phones: Alice has answered and waits on the check-in screen; Bob answers on his
own; within 10 s, with no reload, Alice's app learns that the round changed (the
"tandem:changed" event that the screens' data listens to) and her screen shows both answers side by
side; a push that arrives while the app is open is handed by the service worker to the page."""

import json

import pytest

from tests.builders import answer, client_for, open_round, pair
from tests.factories import UserFactory
from tests.web.conftest import sign_in
from tests.web.test_push import service_worker_registration

pytestmark = [pytest.mark.postgres]

# Recorded from the first script on: what the app tells its screens, and what the worker tells it.
RECORD = """
window.__changed = [];
window.addEventListener("tandem:changed", (event) => window.__changed.push(...event.detail.topics));
window.__fromWorker = [];
navigator.serviceWorker?.addEventListener("message", (event) => window.__fromWorker.push(event.data));
"""


def test_the_partners_answer_reaches_the_waiting_screen_within_ten_seconds_and_a_push_reaches_the_page(
    browsers, server
):
    alice, bob = UserFactory.create(display_name="Alice"), UserFactory.create(display_name="Bob")
    pair(alice, bob)
    checkin_round = open_round(client_for(bob))
    assert answer(client_for(alice), checkin_round["id"]).status_code == 200
    page = browsers.page("alice")
    page.context.add_init_script(RECORD)
    sign_in(page, server, alice.email)
    page.goto(f"{server}/checkin")
    page.get_by_text("Bob has not answered yet", exact=False).first.wait_for()
    # The app holds a cursor from its first question, and has been told of nothing since; its first
    # reads are over (else one of them, not the live question, could be what finds Bob's answer).
    page.wait_for_function("() => performance.getEntriesByType('resource').some(e => e.name.includes('/changes'))")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__changed") == []
    page.evaluate("window.__notReloaded = true")

    assert answer(client_for(bob), checkin_round["id"]).status_code == 200

    page.wait_for_function("() => window.__changed.includes('round')", timeout=10_000)
    page.get_by_role("heading", name="Your answers, side by side").wait_for(timeout=5_000)
    assert page.evaluate("window.__notReloaded") is True  # a reload would have dropped it

    devtools_tab = page.context.new_page()
    cdp = page.context.new_cdp_session(devtools_tab)
    registration_id = service_worker_registration(page, cdp)
    push = {"id": 1, "kind": "results_ready", "title": "You have both checked in", "body": "", "url": "/"}
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": server, "registrationId": registration_id, "data": json.dumps(push)},
    )
    page.wait_for_function("() => window.__fromWorker.some(m => m.type === 'push' && m.kind === 'results_ready')")
