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
    checkin_services.answer_submit(
        user=alice, round_id=checkin_round.pk, connection=2, independence=3, note=ARABIC_NOTE
    )
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


ANNOUNCER = "() => document.getElementById('announcer').textContent"
LIVE_REGIONS = "() => document.querySelectorAll('[aria-live], [role=status], [role=alert]').length"
FOCUSED = "() => document.activeElement.tagName + '.' + document.activeElement.className"


def test_an_arabic_note_reads_right_to_left_and_a_long_one_is_counted_refused_and_focused(browsers, server):
    alice, bob = UserFactory.create(display_name="Alice"), UserFactory.create(display_name="مريم")
    couple = pair(alice, bob)
    with transaction.atomic():
        checkin_round = checkin_services.round_open(couple=couple, window_hours=48, now=timezone.now())
    checkin_services.answer_submit(user=bob, round_id=checkin_round.pk, connection=4, independence=4)
    page = browsers.page("alice")
    sign_in(page, server, alice.email)
    page.goto(f"{server}/checkin")
    note = page.get_by_label("A note to share (optional)")
    expect(note).to_have_attribute("dir", "auto")
    # The limit is the server's, said beside the box before anything is typed.
    counter = page.locator("#field-note-count")
    expect(counter).to_have_text(f"0 of {NOTE_MAX:,} characters")
    assert page.evaluate(LIVE_REGIONS) == 1

    page.locator("#rating-connection-2").check()
    page.locator("#rating-independence-3").check()
    note.fill("ب" * (NOTE_MAX + 500))  # a long paste is kept whole, and counted
    expect(counter).to_have_text(f"{NOTE_MAX + 500:,} of {NOTE_MAX:,} characters: 500 too many")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("#field-note-error")).to_contain_text(f"longer than {NOTE_MAX:,} characters")
    page.wait_for_function("() => document.activeElement.id === 'field-note'")

    note.fill(ARABIC_NOTE)
    page.get_by_role("button", name="Send my answer").click()
    # The form is gone (both answered): the focus is on the screen's heading, not the page's body.
    expect(page.get_by_role("heading", name="Your answers, side by side")).to_be_visible()
    expect(page.get_by_role("heading", name="Your check-in", level=1)).to_be_focused()
    page.wait_for_function(f"() => ({ANNOUNCER})().includes('both answered')")
    shared = page.locator(".side-by-side .shared-note", has_text=ARABIC_NOTE)
    assert shared.evaluate("(node) => getComputedStyle(node).direction") == "rtl"
    partner = page.locator(".side-by-side thead bdi")
    expect(partner).to_have_text("مريم")
    assert page.evaluate(LIVE_REGIONS) == 1


def test_focus_after_a_refused_sign_in_a_current_tab_everywhere_and_name_and_time_zone_from_settings(browsers, server):
    alice, bob = (
        UserFactory.create(display_name="Alice", timezone="Europe/Berlin"),
        UserFactory.create(display_name="Bob"),
    )
    pair(alice, bob)
    page = browsers.page("alice")
    page.context.watch.allow(400, "/api/v1/auth/login")
    page.goto(f"{server}/signin")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in", exact=True).click()
    refusal = page.locator(".notice-error")
    expect(refusal).to_be_focused()
    assert page.evaluate(LIVE_REGIONS) == 1

    sign_in(page, server, alice.email)
    tabs = page.get_by_role("navigation", name="Main")
    for path, tab in (("/schedule", "Settings"), ("/pair", "Home"), ("/history", "History"), ("/settings", "Settings")):
        page.goto(f"{server}{path}")
        current = tabs.locator("[aria-current=page]")
        expect(current).to_have_text(tab)
        # Marked by more than colour: a bold label and a thick bar above it.
        style = current.evaluate("(tab) => [getComputedStyle(tab).fontWeight, getComputedStyle(tab).borderTopWidth]")
        assert int(style[0]) >= 700 and float(style[1].removesuffix("px")) >= 4, style

    name = page.get_by_label("Your name")
    expect(name).to_have_value("Alice")
    expect(page.locator("#field-display_name-count")).to_have_text("5 of 60 characters")
    expect(page.get_by_label("Your time zone")).to_have_value("Europe/Berlin")
    name.fill("أليس")
    page.get_by_label("Your time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save name and time zone").click()
    page.wait_for_function(f"() => ({ANNOUNCER})() === 'Saved.'")
    alice.refresh_from_db()
    assert (alice.display_name, alice.timezone) == ("أليس", "Asia/Tokyo")
    expect(page.get_by_role("button", name="Save name and time zone")).to_be_focused()
    assert_accessible(page, "settings")
