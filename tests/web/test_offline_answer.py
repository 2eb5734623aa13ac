"""An answer made with the network off is kept on the device, sent once the network is back,
exactly once, and then gone from the device; an answer made later elsewhere is kept over it."""

import pytest

from checkin import services as checkin_services
from checkin.models import Answer
from tests.builders import pair
from tests.factories import UserFactory
from tests.integration.processes import wait_for
from tests.web.conftest import service_worker_ready, sign_in

pytestmark = [pytest.mark.postgres]

CONNECTION = "Am I getting enough connection (closeness, time, attention) from us?"
INDEPENDENCE = "Am I getting enough independence (space, time and choices of my own)?"
OUTBOX = "() => localStorage.getItem('tandem.outbox')"


def test_an_answer_made_offline_is_sent_once_the_network_is_back_exactly_once(browsers, server, celery_worker):
    alice, bob = UserFactory.create(display_name="Alice"), UserFactory.create(display_name="Bob")
    pair(alice, bob)
    checkin_round = checkin_services.round_open_now(user=alice)
    page = browsers.page("alice")
    answers_sent = []  # every PUT of an answer that reached the server, with its status
    page.on(
        "response",
        lambda response: (
            answers_sent.append(response.status)
            if response.request.method == "PUT" and response.url.endswith(f"/checkins/{checkin_round.pk}/response")
            else None
        ),
    )
    sign_in(page, server, alice.email)
    page.goto(f"{server}/checkin")
    page.get_by_role("button", name="Send my answer").wait_for()  # the open round has loaded
    service_worker_ready(page)

    page.context.set_offline(True)
    page.get_by_role("group", name=CONNECTION).get_by_role("radio", name="4 Mostly").check()
    page.get_by_role("group", name=INDEPENDENCE).get_by_role("radio", name="2 A little").check()
    page.get_by_label("A note to share (optional)").fill("Written on the train")
    page.get_by_label("Private note (only you see this)").fill("PRIVATE-ALICE-okapi")
    page.get_by_role("button", name="Send my answer").click()

    # Kept on the device and said so; nothing reached Tandem.
    page.get_by_text("Your answer is kept on this device").first.wait_for()
    assert "PRIVATE-ALICE-okapi" in page.evaluate(OUTBOX)
    assert answers_sent == []
    assert not Answer.objects.filter(round=checkin_round).exists()

    page.context.set_offline(False)

    answer = wait_for(
        lambda: Answer.objects.filter(round=checkin_round, user=alice).first(), celery_worker, "see the answer"
    )
    page.get_by_text("has been sent").first.wait_for(timeout=15_000)
    assert (answer.connection, answer.independence) == (4, 2)
    assert (answer.note, answer.private_note) == ("Written on the train", "PRIVATE-ALICE-okapi")
    assert page.evaluate(OUTBOX) is None
    # Later chances to send (a reload, the app starting again) send nothing more.
    page.reload()
    page.get_by_role("button", name="Save changes").wait_for()
    page.wait_for_load_state("networkidle")
    assert answers_sent == [200]
    assert Answer.objects.filter(round=checkin_round).count() == 1
    answer_now = Answer.objects.get(pk=answer.pk)
    assert answer_now.updated_at == answer.updated_at
    assert page.evaluate(OUTBOX) is None


def test_an_answer_kept_offline_that_another_device_outdated_is_not_used_and_the_form_shows_the_one_kept(
    browsers, server, celery_worker
):
    alice, bob = UserFactory.create(display_name="Alice"), UserFactory.create(display_name="Bob")
    pair(alice, bob)
    checkin_round = checkin_services.round_open_now(user=alice)
    page = browsers.page("alice")
    sign_in(page, server, alice.email)
    page.goto(f"{server}/checkin")
    page.get_by_role("button", name="Send my answer").wait_for()
    service_worker_ready(page)

    page.context.set_offline(True)
    page.get_by_role("group", name=CONNECTION).get_by_role("radio", name="4 Mostly").check()
    page.get_by_role("group", name=INDEPENDENCE).get_by_role("radio", name="2 A little").check()
    page.get_by_role("button", name="Send my answer").click()
    page.get_by_text("Your answer is kept on this device").first.wait_for()
    # Meanwhile Alice answers again on her phone, later: that answer reaches Tandem first.
    checkin_services.answer_submit(user=alice, round_id=checkin_round.pk, connection=1, independence=5, note="phone")

    page.context.set_offline(False)

    page.get_by_text("was not used: you changed it later").first.wait_for(timeout=15_000)
    assert page.get_by_role("group", name=CONNECTION).get_by_role("radio", name="1 Not at all").is_checked()
    assert page.get_by_role("group", name=INDEPENDENCE).get_by_role("radio", name="5 Fully").is_checked()
    assert page.get_by_label("A note to share (optional)").input_value() == "phone"
    kept = Answer.objects.get(round=checkin_round, user=alice)
    assert (kept.connection, kept.independence, kept.note) == (1, 5, "phone")
    assert page.evaluate(OUTBOX) is None
