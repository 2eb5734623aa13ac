"""What a phone keeps and forgets: an answer made offline is its author's alone (a partner who signs
in on the same phone never sees it, and it is never sent as theirs); a session that ends while an
answer is being sent loses nothing; a sign-out made offline ends the session once the server
answers; a server without push keeps the push switch off before any permission is asked for."""

import pytest

from checkin import services as checkin_services
from checkin.models import Answer
from tests.factories import PASSWORD, UserFactory
from tests.integration.processes import wait_for
from tests.web.conftest import couple_on_a_phone, service_worker_ready, sign_in

pytestmark = [pytest.mark.postgres]

CONNECTION = "Am I getting enough connection (closeness, time, attention) from us?"
INDEPENDENCE = "Am I getting enough independence (space, time and choices of my own)?"
OUTBOX = "() => localStorage.getItem('tandem.outbox')"
SECRET = "PRIVATE-ALICE-okapi"


def answer(page, note: str = "Written on the train") -> None:
    page.get_by_role("group", name=CONNECTION).get_by_role("radio", name="4 Mostly").check()
    page.get_by_role("group", name=INDEPENDENCE).get_by_role("radio", name="2 A little").check()
    page.get_by_label("A note to share (optional)").fill(note)
    page.get_by_label("Private note (only you see this)").fill(SECRET)
    page.get_by_role("button", name="Send my answer").click()


def test_a_partner_signing_in_on_the_same_phone_never_sees_or_sends_an_answer_left_waiting(
    browsers, server, celery_worker
):
    page, alice, bob = couple_on_a_phone(browsers, server, "shared")
    checkin_round = checkin_services.round_open_now(user=alice)
    page.goto(f"{server}/checkin")
    page.get_by_role("button", name="Send my answer").wait_for()
    service_worker_ready(page)
    page.context.set_offline(True)
    answer(page)
    page.get_by_text("Your answer is kept on this device").first.wait_for()
    assert SECRET in page.evaluate(OUTBOX)

    # Alice's session ends without her signing out (it expired); Bob signs in on her phone.
    page.context.clear_cookies()
    page.context.set_offline(False)
    sign_in(page, server, bob.email)
    page.get_by_role("link", name="Answer now").click()  # within the app: nothing reloads
    page.get_by_role("button", name="Send my answer").wait_for()
    page.wait_for_load_state("networkidle")

    assert SECRET not in page.locator("body").inner_text()
    assert page.get_by_label("Private note (only you see this)").input_value() == ""
    assert page.evaluate(OUTBOX) is None
    assert not Answer.objects.filter(round=checkin_round).exists()


def test_an_answer_sent_as_the_session_ends_is_kept_and_sent_after_signing_in_again(browsers, server, celery_worker):
    page, alice, _bob = couple_on_a_phone(browsers, server)
    checkin_round = checkin_services.round_open_now(user=alice)
    page.goto(f"{server}/checkin")
    page.get_by_role("button", name="Send my answer").wait_for()
    page.wait_for_load_state("networkidle")  # the server, not only the device's copy, said who she is

    page.context.clear_cookies()  # the session expired while Alice was writing
    answer(page)

    # The app asks her to sign in where she stands, and what she wrote waits for her.
    page.get_by_role("heading", name="Sign in").wait_for()
    assert not Answer.objects.filter(round=checkin_round).exists()
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text("has been sent").first.wait_for()
    saved = wait_for(lambda: Answer.objects.filter(round=checkin_round, user=alice).first(), celery_worker, "answer")
    assert (saved.connection, saved.independence, saved.private_note) == (4, 2, SECRET)
    assert page.evaluate(OUTBOX) is None


def test_a_sign_out_made_offline_ends_the_session_once_the_server_answers(browsers, server):
    page, _alice, _bob = couple_on_a_phone(browsers, server)
    page.get_by_role("heading", name="You and Bob").wait_for()
    service_worker_ready(page)
    page.goto(f"{server}/settings")
    page.get_by_role("button", name="Sign out").wait_for()
    page.context.set_offline(True)

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").first.wait_for()

    page.context.set_offline(False)
    page.reload()
    page.get_by_role("link", name="Sign in").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert "Bob" not in page.locator("body").inner_text()
    me = page.evaluate("async () => (await fetch('/api/v1/me')).status")
    assert me in (401, 403)


def test_a_server_without_push_says_so_before_any_permission_is_asked(browsers, server, settings):
    settings.VAPID_PUBLIC_KEY = ""  # the key endpoint answers 503 with its reason
    alice = UserFactory.create(display_name="Alice")
    page = browsers.page("alice")
    page.context.watch.allow(503, "/api/v1/push/vapid-public-key")
    page.context.clear_permissions()
    sign_in(page, server, alice.email)
    page.goto(f"{server}/settings")

    push = page.get_by_role("checkbox", name="Push notifications on this device")
    push.wait_for()
    page.get_by_text("Push notifications are not set up on this server").wait_for()
    assert push.is_disabled() and not push.is_checked()
    assert page.evaluate("() => Notification.permission") == "default"


def test_deleting_the_account_asks_for_the_password_and_then_leaves_nothing_on_the_phone(browsers, server):
    page, alice, _bob = couple_on_a_phone(browsers, server)
    page.context.watch.allow(400, "/api/v1/me")  # the wrong password, on purpose
    page.goto(f"{server}/settings")
    delete = page.get_by_role("button", name="Delete my account for good")

    delete.click()
    page.get_by_text("Enter your password to confirm.").wait_for()
    page.get_by_label("Your password").fill("not my password")
    delete.click()
    page.get_by_text("That is not your password.").wait_for()
    assert type(alice).objects.filter(pk=alice.pk).exists()

    page.get_by_label("Your password").fill(PASSWORD)
    delete.click()
    page.get_by_role("link", name="Sign in").first.wait_for()
    assert not type(alice).objects.filter(pk=alice.pk).exists()
    device = page.evaluate("() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })")
    assert device == "{}{}"
    page.reload()
    page.get_by_role("link", name="Sign in").first.wait_for()
