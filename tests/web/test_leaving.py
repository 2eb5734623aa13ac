"""Leaving keeps what was shared: Bob leaves, taking his answers along, and Alice's History still
shows their check-in, read-only, with "Removed" where Bob's answers stood."""

import pytest
from playwright.sync_api import expect

from checkin.models import Answer
from tests.builders import Partners, pair, revealed_round
from tests.factories import UserFactory
from tests.web.conftest import sign_in

pytestmark = [pytest.mark.postgres]


def test_bob_leaves_with_his_answers_and_alices_history_still_shows_their_check_in(browsers, server, celery_worker):
    alice, bob = UserFactory.create(display_name="Alice"), UserFactory.create(display_name="Bob")
    partners = Partners(couple=pair(alice, bob), alice=alice, bob=bob)
    shared = revealed_round(partners, alice=(4, 3), bob=(2, 5))

    bobs = browsers.page("bob")
    sign_in(bobs, server, bob.email)
    bobs.goto(f"{server}/settings")
    bobs.get_by_role("button", name="Leave the couple").click()
    dialog = bobs.get_by_role("dialog", name="Leave the couple?")
    expect(dialog).to_contain_text("You both keep the check-ins and talks you shared")
    take_mine = dialog.get_by_label("Take my answers and notes with me")
    expect(take_mine).not_to_be_checked()
    take_mine.check()
    dialog.get_by_role("button", name="Yes, leave").click()
    expect(bobs.get_by_role("link", name="Pair with your partner")).to_be_visible()
    assert not Answer.objects.filter(user=bob).exists()

    alices = browsers.page("alice")
    sign_in(alices, server, alice.email)
    alices.goto(f"{server}/history")
    expect(alices.get_by_text("Your couple has ended")).to_be_visible()
    alices.get_by_role("link", name="with Bob").click()
    alices.wait_for_url(f"{server}/checkins/{shared.pk}")
    reveal = alices.get_by_role("table", name="Your answers and Bob's")
    expect(reveal.get_by_role("row", name="Connection")).to_contain_text("4 Mostly")
    expect(reveal.get_by_role("row", name="Connection")).to_contain_text("Removed")
    expect(alices.get_by_text("Bob took their answers with them when they left.")).to_be_visible()
    # Read-only: nothing to answer or send on a couple that has ended.
    expect(alices.get_by_role("button", name="Send my answer")).to_have_count(0)
