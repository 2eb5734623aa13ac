"""Every screen for every reader: the browser's own text size at 200%, a 320 px phone and a name
of 60 letters with no space in it; notes written right to left; a counter for each limited text;
the focus and one live region after each submit; a current tab on every screen; and the name and
time zone a person changes in Settings."""

import json

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from checkin import services as checkin_services
from checkin.models import Discussion, Round
from checkin.serializers import NOTE_MAX
from couples.models import User
from notifications import services as notification_services
from tests.builders import pair
from tests.factories import UserFactory
from tests.web.conftest import assert_accessible, screenshot, sign_in

pytestmark = [pytest.mark.postgres]

# Sixty letters and no space: the longest name the API accepts, as one word.
LONG_NAME = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaf"
ARABIC_NOTE = "أشعر بالقرب منك هذا الأسبوع، وأحتاج بعض الوقت لنفسي أيضاً"
# The browser's own text size setting (chrome://settings/fonts), twice its default of 16 px.
LARGE_TEXT_PREFERENCES = {"webkit": {"webprefs": {"default_font_size": 32, "default_fixed_font_size": 26}}}

# Nothing wider than the window, and no two tab labels on top of each other.
LAYOUT = """() => {
  const boxes = [...document.querySelectorAll("nav.tabs a")].map((tab) => tab.getBoundingClientRect());
  const overlaps = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b, j) => {
    if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) {
      overlaps.push([i, i + 1 + j]);
    }
  }));
  return {
    width: document.scrollingElement.scrollWidth, window: innerWidth, tabs: boxes.length, overlaps,
    rootSize: getComputedStyle(document.documentElement).fontSize,
    wider: [...document.querySelectorAll("body *")]
      .filter((node) => node.getBoundingClientRect().right > innerWidth + 0.5 && !node.closest(".table-scroll"))
      .slice(0, 5).map((node) => `${node.tagName}.${node.className} ${node.textContent.slice(0, 40)}`),
  };
}"""


def a_couple_with_a_revealed_round() -> tuple[User, User, Round, Discussion]:
    """Alice and her partner of the sixty-letter name, with a revealed round whose answers differ
    (so a Talk opened), Alice's shared note in Arabic, and an inbox item about it."""
    alice = UserFactory.create(display_name="Alice")
    partner = UserFactory.create(display_name=LONG_NAME)
    couple = pair(alice, partner)
    with transaction.atomic():
        checkin_round = checkin_services.round_open(couple=couple, window_hours=48, now=timezone.now())
    checkin_services.answer_submit(user=alice, round_id=checkin_round.pk, connection=2, independence=3, note=ARABIC_NOTE)
    checkin_services.answer_submit(user=partner, round_id=checkin_round.pk, connection=3, independence=2)
    checkin_services.round_analyse(round_id=checkin_round.pk)
    discussion = Discussion.objects.get(couple=couple)
    notification_services.notify(user_ids=[alice.pk], kind="results_ready", subject=f"round:{checkin_round.pk}")
    return alice, partner, checkin_round, discussion


def screens_of(checkin_round: Round, discussion: Discussion) -> list[str]:
    return [
        "/",
        "/checkin",
        f"/checkins/{checkin_round.pk}",
        "/history",
        "/discussions",
        f"/discussions/{discussion.pk}",
        "/inbox",
        "/settings",
        "/schedule",
        "/pair",
    ]


def with_large_text(browsers, who: str) -> None:
    """`who`'s browser profile with the text size set to 200% in the browser's own settings."""
    preferences = browsers.profiles / who / "Default" / "Preferences"
    preferences.parent.mkdir(parents=True, exist_ok=True)
    preferences.write_text(json.dumps(LARGE_TEXT_PREFERENCES))


def test_at_200_percent_text_and_at_320_px_no_screen_scrolls_sideways_and_no_tabs_overlap(browsers, server):
    alice, _partner, checkin_round, discussion = a_couple_with_a_revealed_round()
    with_large_text(browsers, "large-text")
    large = browsers.page("large-text")
    narrow = browsers.page("narrow")
    narrow.set_viewport_size({"width": 320, "height": 640})

    for page, size in ((large, "200% text"), (narrow, "320 px")):
        sign_in(page, server, alice.email)
        for path in screens_of(checkin_round, discussion):
            page.goto(f"{server}{path}")
            page.locator("main h1").wait_for()
            page.locator(".loading").first.wait_for(state="detached")
            layout = page.evaluate(LAYOUT)
            assert layout["width"] <= layout["window"], f"{path} at {size} scrolls sideways: {layout}"
            assert layout["tabs"] == 5 and not layout["overlaps"], f"{path} at {size}: {layout}"
        if page is large:
            assert large.evaluate(LAYOUT)["rootSize"] == "34px"  # 17 px at 100%, from the browser's size
            large.goto(f"{server}/checkins/{checkin_round.pk}")
            expect(large.get_by_role("heading", name="Your answers, side by side")).to_be_visible()
            screenshot(large, "reveal-large-text")
            assert_accessible(large, "the reveal at 200% text")
