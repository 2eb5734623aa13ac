"""An answer made with the network off is kept on the device, sent once the network is back,
exactly once, and then gone from the device; an answer made later elsewhere is kept over it."""

import pytest

from checkin import services as checkin_services
from checkin.models import Answer
from tests.builders import pair
from tests.factories import UserFactory
from tests.integration.processes import wait_for
from tests.web.conftest import assert_accessible, service_worker_ready, sign_in

pytestmark = [pytest.mark.postgres]

CONNECTION = "Am I getting enough connection (closeness, time, attention) from us?"
INDEPENDENCE = "Am I getting enough independence (space, time and choices of my own)?"
OUTBOX = "() => localStorage.getItem('tandem.outbox')"


# Everything the app keeps on the device: localStorage, IndexedDB and Cache Storage, as one text.
DEVICE_STORAGE = """async () => {
  const parts = [JSON.stringify({ ...localStorage })];
  parts.push(JSON.stringify((await indexedDB.databases()).map((database) => database.name)));
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      parts.push(request.url, await (await cache.match(request)).text());
    }
  }
  return parts.join(" ");
}"""


def answer_puts(page, round_id: int) -> list[int]:
    """The statuses of every PUT of an answer to `round_id` that reached the server, as they come."""
    statuses: list[int] = []
    page.on(
        "response",
        lambda response: (
            statuses.append(response.status)
            if response.request.method == "PUT" and response.url.endswith(f"/checkins/{round_id}/response")
            else None
        ),
    )
    return statuses


def test_the_app_starts_offline_on_an_answerable_check_in_sends_the_answer_once_and_keeps_nothing_private(
    browsers, server, celery_worker
):
    alice, bob = UserFactory.create(display_name="Alice"), UserFactory.create(display_name="Bob")
    pair(alice, bob)
    checkin_round = checkin_services.round_open_now(user=alice)
    page = browsers.page("alice")
    answers_sent = answer_puts(page, checkin_round.pk)
    sign_in(page, server, alice.email)
    page.goto(f"{server}/checkin")
    page.get_by_role("button", name="Send my answer").wait_for()  # the open round has loaded
    service_worker_ready(page)

    # With no network at all, the app starts again where it was: the check-in form, answerable.
    page.context.set_offline(True)
    page.reload()
    page.get_by_role("group", name=CONNECTION).get_by_role("radio", name="4 Mostly").check()
    page.get_by_role("group", name=INDEPENDENCE).get_by_role("radio", name="2 A little").check()
    page.get_by_label("A note to share (optional)").fill("Written on the train")
    page.get_by_label("Private note (only you see this)").fill("PRIVATE-ALICE-okapi")
    page.get_by_role("button", name="Send my answer").click()

    # Kept on the device and said so; nothing reached Tandem.
    page.get_by_role("heading", name="Your answer is waiting to be sent").wait_for()
    assert "PRIVATE-ALICE-okapi" in page.evaluate(OUTBOX)
    assert answers_sent == []
    assert not Answer.objects.filter(round=checkin_round).exists()

    page.context.set_offline(False)

    answer = wait_for(
        lambda: Answer.objects.filter(round=checkin_round, user=alice).first(), celery_worker, "see the answer"
    )
    page.get_by_text("has been sent").first.wait_for(timeout=15_000)
    page.get_by_role("heading", name="Waiting for Bob").wait_for()
    assert_accessible(page, "check-in sealed")
    assert (answer.connection, answer.independence) == (4, 2)
    assert (answer.note, answer.private_note) == ("Written on the train", "PRIVATE-ALICE-okapi")
    assert page.evaluate(OUTBOX) is None
    # Later chances to send (a reload, the app starting again) send nothing more; sealed, the answer
    # stays a tap away from changing.
    page.reload()
    page.get_by_role("button", name="Change my answer").wait_for()
    page.wait_for_load_state("networkidle")
    assert answers_sent == [200]
    assert Answer.objects.get(pk=answer.pk).updated_at == answer.updated_at

    # Bob answers: the reveal shows his note, and the device keeps neither it nor Alice's private note.
    checkin_services.answer_submit(
        user=bob, round_id=checkin_round.pk, connection=3, independence=3, note="BOB-NOTE-quokka", private_note="BOB-X"
    )
    page.reload()
    page.get_by_role("heading", name="Your answers, side by side").wait_for()
    page.get_by_text("BOB-NOTE-quokka").wait_for()
    kept = page.evaluate(DEVICE_STORAGE)
    for secret in ("PRIVATE-ALICE-okapi", "BOB-NOTE-quokka", "BOB-X", "Written on the train"):
        assert secret not in kept

    # Signing out wipes what the app kept.
    page.goto(f"{server}/settings")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").first.wait_for()
    page.wait_for_function("() => localStorage.length === 0")


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
    page.get_by_role("button", name="Change my answer").click()
    assert page.get_by_role("group", name=CONNECTION).get_by_role("radio", name="1 Not at all").is_checked()
    assert page.get_by_role("group", name=INDEPENDENCE).get_by_role("radio", name="5 Fully").is_checked()
    assert page.get_by_label("A note to share (optional)").input_value() == "phone"
    kept = Answer.objects.get(round=checkin_round, user=alice)
    assert (kept.connection, kept.independence, kept.note) == (1, 5, "phone")
    assert page.evaluate(OUTBOX) is None


def answer(tab, connection: str, note: str, button: str) -> None:
    tab.get_by_role("group", name=CONNECTION).get_by_role("radio", name=connection).check()
    tab.get_by_role("group", name=INDEPENDENCE).get_by_role("radio", name="3 Somewhat").check()
    tab.get_by_label("A note to share (optional)").fill(note)
    tab.get_by_role("button", name=button).click()
    tab.get_by_role("heading", name="Your answer is waiting to be sent").wait_for()


def test_two_tabs_offline_share_one_outbox_send_each_answer_once_and_the_later_answer_is_kept(
    browsers, server, celery_worker
):
    alice, bob = UserFactory.create(display_name="Alice"), UserFactory.create(display_name="Bob")
    pair(alice, bob)
    checkin_round = checkin_services.round_open_now(user=alice)
    first = browsers.page("alice")
    answers_sent = answer_puts(first.context, checkin_round.pk)  # every tab of the profile
    sign_in(first, server, alice.email)
    first.goto(f"{server}/checkin")
    first.get_by_role("button", name="Send my answer").wait_for()
    service_worker_ready(first)
    second = first.context.new_page()
    second.goto(f"{server}/checkin")
    second.get_by_role("button", name="Send my answer").wait_for()

    first.context.set_offline(True)
    answer(first, "1 Not at all", "from tab one", "Send my answer")
    # The second tab shows the answer waiting on this device; Alice changes it there, later.
    second.locator(".sealed-answer").get_by_text("from tab one").wait_for()
    second.get_by_role("button", name="Change my answer").click()
    answer(second, "5 Fully", "from tab two", "Save changes")
    # Every tab shows the one answer waiting on this device: the later one.
    for tab in (first, second):
        tab.locator(".sealed-answer").get_by_text("from tab two").wait_for()

    first.context.set_offline(False)

    for tab in (first, second):
        tab.get_by_role("heading", name="Waiting for Bob").wait_for(timeout=15_000)
    # No tab of the device is sending any more, nor waits to (the outbox's lock is the device's).
    first.wait_for_function(
        """async () => {
          const { held, pending } = await navigator.locks.query();
          return ![...held, ...pending].some((lock) => lock.name === "tandem.outbox");
        }"""
    )
    assert answers_sent == [200]
    kept = Answer.objects.get(round=checkin_round, user=alice)
    assert (kept.connection, kept.independence, kept.note) == (5, 3, "from tab two")
