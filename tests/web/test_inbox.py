"""The inbox on a phone: an item opens the screen of what it is about, as the server names it."""

import pytest

from notifications.models import Notification
from tests.builders import Partners, revealed_round
from tests.web.conftest import couple_on_a_phone

pytestmark = [pytest.mark.postgres]


def test_an_inbox_item_opens_what_it_is_about_and_is_read(browsers, server):
    page, alice, bob = couple_on_a_phone(browsers, server)
    checkin_round = revealed_round(Partners(couple=alice.memberships.get().couple, alice=alice, bob=bob))
    told = Notification.objects.get(user=alice, kind="results_ready")

    page.goto(f"{server}/inbox")
    page.get_by_role("link", name="You have both checked in").click()

    page.wait_for_url(f"**/checkins/{checkin_round.pk}")
    page.get_by_role("heading", name="Your answers, side by side").wait_for()
    told.refresh_from_db()
    assert told.read_at is not None
