"""Signals between check-ins, on two phones: Alice takes some space from Home, and Bob's open Home
shows it within 10 s, in words that reassure; his "of course" reaches her screen; she ends her
space early and it leaves his. Bob invites her to some time together; she answers "Later" with one
tap, and he sees it. No reload anywhere; axe finds nothing grave on either Home."""

import pytest

from tests.builders import pair
from tests.factories import UserFactory
from tests.web.conftest import assert_accessible, couple_on_a_phone, screenshot, sign_in

pytestmark = [pytest.mark.postgres]

LIVE_MS = 10_000  # what the partner does shows within 10 s (../shared/API-next.md)


def test_a_space_and_an_invitation_between_two_partners_live_on_each_others_home(browsers, server):
    alice, bob = UserFactory.create(display_name="Alice"), UserFactory.create(display_name="Bob")
    pair(alice, bob)
    alices, bobs = browsers.page("alice"), browsers.page("bob")
    for page, person in ((alices, alice), (bobs, bob)):
        sign_in(page, server, person.email)
        page.get_by_role("heading", name="Between check-ins").wait_for()
        page.evaluate("window.__notReloaded = true")

    # Alice takes some space, with a few words, in one tap.
    alices.get_by_label("A few words (optional)").fill("A long week, I'm resting tonight")
    alices.get_by_role("button", name="I need a little space today").click()
    alices.get_by_text("You are taking some space, until", exact=False).wait_for()
    assert alices.get_by_label("A few words (optional)").input_value() == ""

    space = bobs.get_by_text("Alice is taking some space", exact=False)
    space.wait_for(timeout=LIVE_MS)
    assert "Back soon." in space.inner_text()
    bobs.get_by_text("A long week, I'm resting tonight").wait_for()
    screenshot(bobs, "signals")
    assert_accessible(bobs, "signals (partner's space)")
    assert_accessible(alices, "signals (my space)")

    bobs.get_by_role("button", name="Of course, take your time").click()
    bobs.get_by_text("You said: of course, take your time.").wait_for()
    alices.get_by_text("Bob said: of course, take your time.").wait_for(timeout=LIVE_MS)

    # She ends it early: it leaves Bob's Home.
    alices.get_by_role("button", name="End my space now").click()
    alices.get_by_text("You are taking some space", exact=False).wait_for(state="detached")
    space.wait_for(state="detached", timeout=LIVE_MS)

    # Bob invites her; she answers with one tap, and he sees it.
    bobs.get_by_role("button", name="I'd love some time with you").click()
    invitation = alices.get_by_text("Bob would love some time with you. When suits you?")
    invitation.wait_for(timeout=LIVE_MS)
    for answer in ("Yes", "Later", "Not now, thank you"):
        assert alices.get_by_role("button", name=answer, exact=True).is_visible()
    assert_accessible(alices, "signals (an invitation)")
    alices.get_by_role("button", name="Later", exact=True).click()
    alices.get_by_text("You said later.").wait_for()
    bobs.get_by_text("Alice said later.").wait_for(timeout=LIVE_MS)
    assert alices.get_by_role("button", name="Later", exact=True).count() == 0

    for page in (alices, bobs):
        assert page.evaluate("window.__notReloaded") is True


def test_a_person_can_choose_to_see_what_signals_say_on_the_lock_screen_knowing_who_may_read_it(browsers, server):
    page, alice, _ = couple_on_a_phone(browsers, server)
    page.goto(f"{server}/settings")
    toggle = page.get_by_label("Show what a signal says on the lock screen")
    toggle.wait_for()
    assert not toggle.is_checked()  # off unless chosen
    assert (
        "Anyone who sees your phone may read it"
        in page.locator(f"#{toggle.get_attribute('aria-describedby')}").inner_text()
    )

    toggle.click()  # saved as it is tapped
    page.get_by_role("main").get_by_text("Notifications of a signal now show its message.").wait_for()
    assert_accessible(page, "settings (signal text)")
    page.reload()
    assert page.get_by_label("Show what a signal says on the lock screen").is_checked()
    alice.notification_preferences.refresh_from_db()
    assert alice.notification_preferences.signal_text is True
