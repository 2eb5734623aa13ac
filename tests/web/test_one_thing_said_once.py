"""Calm, on the partner's phone: a mismatched check-in is told once (one notification shown, the
one that both answered), the reveal shows one "worth talking about" card led by the most important
flag with the others beneath it, its Talk lists them, and the inbox item is read once the check-in
was seen, whichever way it was reached. The real worker pushes and analyses; the pushes the local
push service accepted are handed to the page's service worker as the browser's would be."""

import json

import pytest
from playwright.sync_api import expect

from checkin import services as checkin_services
from checkin.models import Round
from notifications.models import Notification
from tests.builders import client_for, pair
from tests.factories import UserFactory
from tests.integration.processes import wait_for
from tests.notifications.fake_push import Browser as PushSubscription
from tests.web.conftest import sign_in
from tests.web.test_push import notifications_shown, service_worker_registration

pytestmark = [pytest.mark.postgres]


def test_a_mismatched_reveal_is_told_once_shows_one_card_and_its_talk_and_is_read_once_seen(
    browsers, server, push_service, celery_worker, desktop
):
    alice, bob = UserFactory.create(display_name="Alice"), UserFactory.create(display_name="Bob")
    pair(alice, bob)
    page = browsers.page("alice", desktop=desktop)
    sign_in(page, server, alice.email)
    devtools_tab = page.context.new_page()
    cdp = page.context.new_cdp_session(devtools_tab)
    registration_id = service_worker_registration(page, cdp)
    # Bob checks in now; Alice hears that it opened (by email: her phone is not subscribed yet).
    checkin_round = checkin_services.round_open_now(user=bob)
    opened = Notification.objects.filter(user=alice, kind="round_opened")
    wait_for(lambda: opened.filter(fanned_out_at__isnull=False).exists(), celery_worker, "fan out the opening")
    subscription = PushSubscription.new(push_service.endpoint())
    assert subscription.subscribe(client_for(alice)).status_code == 201

    # Alice would like closeness, Bob space, and they are far apart on both: three flags.
    checkin_services.answer_submit(user=alice, round_id=checkin_round.pk, connection=1, independence=5)
    checkin_services.answer_submit(user=bob, round_id=checkin_round.pk, connection=5, independence=1)
    analysed = Round.objects.filter(pk=checkin_round.pk, analysed_at__isnull=False)
    wait_for(analysed.exists, celery_worker, "analyse the round")
    # Everything Alice is told after the opening: about the round, the discussion, anything.
    told = Notification.objects.filter(user=alice, created_at__gt=opened.get().created_at)
    wait_for(
        lambda: told.exists() and not told.filter(deliveries__sent_at__isnull=True).exists(), celery_worker, "send"
    )
    pushed = [subscription.read(r) for r in push_service.accepted_for(subscription.endpoint)]
    assert [p["kind"] for p in pushed] == ["results_ready"]
    # Unread until the app shows the check-in: the push below wakes Alice's open page, whose Home
    # then reads how the round ended, a sight of it.
    [item] = told
    assert item.read_at is None

    # Each push the service took reaches the phone (DevTools may lose one while the worker wakes).
    for _ in range(3):
        for payload in pushed:
            message = {"origin": server, "registrationId": registration_id, "data": json.dumps(payload)}
            cdp.send("ServiceWorker.deliverPushMessage", message)
        shown = notifications_shown(page, until=lambda shown: len(shown) > 0, timeout=10, fail=False)
        if shown:
            break
    assert [n["title"] for n in shown] == ["You have both checked in"]

    # Alice opens the check-in from Home, not from the notification.
    page.goto(f"{server}/")
    page.get_by_role("link", name="See your answers side by side").click()
    page.wait_for_url(f"**/checkins/{checkin_round.pk}")
    flags = page.get_by_role("region", name="Worth talking about")
    expect(flags.locator(".card")).to_have_count(1)
    expect(flags).to_contain_text("Alice would like more closeness; Bob would like more space.")
    expect(flags.get_by_role("listitem")).to_have_count(2)
    expect(flags.get_by_role("link", name="Talk about this")).to_have_count(1)
    item.refresh_from_db()
    assert item.read_at is not None

    flags.get_by_role("link", name="Talk about this").click()
    page.wait_for_url("**/discussions/*")
    expect(page.get_by_text("Alice would like more closeness; Bob would like more space.")).to_be_visible()
    also = page.get_by_role("region", name="Also came up")
    expect(also.get_by_role("listitem")).to_have_count(2)
    expect(also).to_contain_text("felt differently about closeness")
