"""Two partners, each on a phone of their own, go the whole way through the app: sign up, pair with
the invite link, set a schedule, answer (Sam with the keyboard alone, and changing the answer
before the reveal), see the reveal side by side with a mismatch flag once the real worker has
analysed it, talk about it and resolve it.

Throughout, neither ever has the other's private note or unrevealed answer: not on screen, not in
what the API sent their browser, not in localStorage, sessionStorage, IndexedDB or Cache Storage.
Every screen passes axe-core (nothing serious or critical) and is photographed at 360 x 740.
"""

import re

import pytest
from playwright.sync_api import expect

from checkin.models import Answer, Discussion, Flag, Round
from couples.models import Couple
from tests.integration.processes import wait_for
from tests.web.conftest import assert_accessible, screenshot, service_worker_ready

pytestmark = [pytest.mark.postgres]

# Boxes whose words are wider than the box: the rating tiles, buttons and tabs.
SPILLED = """() => [...document.querySelectorAll(".choice label, button, nav.tabs a")]
  .filter((box) => box.clientWidth > 0 && box.scrollWidth > box.clientWidth + 1)
  .map((box) => `${box.tagName} ${box.textContent.trim().slice(0, 30)}: ${box.scrollWidth} > ${box.clientWidth}`)"""

PASSWORD = "a walk by the river at dusk"
CONNECTION = "Am I getting enough connection (closeness, time, attention) from us?"
INDEPENDENCE = "Am I getting enough independence (space, time and choices of my own)?"
# What each one keeps to themselves, and what each shares only at the reveal.
ALEX_PRIVATE, SAM_PRIVATE = "ALEX-PRIVATE-heron", "SAM-PRIVATE-otter"
SAM_FIRST_NOTE, SAM_NOTE, ALEX_NOTE = "SAM-NOTE-first-draft", "SAM-NOTE-badger", "ALEX-NOTE-kestrel"

DEVICE_TEXT = """async () => {
  let text = JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage });
  const request = (r) => new Promise((ok, no) => { r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  for (const info of (await indexedDB.databases())) {
    const db = await request(indexedDB.open(info.name));
    for (const store of db.objectStoreNames) {
      text += JSON.stringify(await request(db.transaction(store).objectStore(store).getAll()));
    }
    db.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const key of await cache.keys()) text += key.url + await (await cache.match(key)).text();
  }
  return text;
}"""


class Phone:
    """One partner's browser, and every answer the API gave it."""

    def __init__(self, browsers, who: str, server: str):
        self.page = browsers.page(who)
        self.server = server
        self.api_bodies: list[str] = []
        self.page.context.on("response", self._keep_api_body)

    def _keep_api_body(self, response) -> None:
        if "/api/" in response.url and response.request.method != "OPTIONS" and response.status != 204:
            try:
                self.api_bodies.append(response.text())
            except Exception:  # a body the browser has already let go (a redirect, say)
                pass

    def go(self, path: str) -> None:
        self.page.goto(f"{self.server}{path}")

    def check(self, screen: str) -> None:
        """Photographs this screen, has axe-core check it, and finds no words spilling out of the
        tile, button or tab that holds them (the rating tiles' words once did, cut off at 360 px)."""
        self.page.wait_for_load_state("networkidle")
        self.page.mouse.move(0, 0)  # no hover left where the last tap was
        self.page.evaluate("() => scrollTo(0, 0)")  # the screen as it opens, heading first
        screenshot(self.page, screen)
        assert_accessible(self.page, screen)
        assert self.page.evaluate(SPILLED) == [], screen

    def never_holds(self, *secrets: str) -> None:
        """None of `secrets` is on screen, in what the API sent, or anywhere on the device."""
        screen = self.page.locator("body").inner_text()
        device = self.page.evaluate(DEVICE_TEXT)
        sent = "\n".join(self.api_bodies)
        for secret in secrets:
            assert secret not in screen, f"{secret} is on screen"
            assert secret not in device, f"{secret} is stored on the device"
            assert secret not in sent, f"{secret} was sent to this browser"


def tab_to(page, target, presses: int = 40) -> None:
    """Presses Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(presses):
        if target.evaluate("(element) => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def sign_up(phone: Phone, name: str, email: str) -> None:
    page = phone.page
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def test_two_partners_go_the_whole_way_through_the_app(browsers, server, celery_worker):
    alex, sam = Phone(browsers, "alex", server), Phone(browsers, "sam", server)

    # Alex signs up and makes an invite.
    alex.go("/")
    alex.page.get_by_role("link", name="Create an account").click()
    alex.page.get_by_role("heading", name="Create your account").wait_for()
    alex.check("signup")
    sign_up(alex, "Alex", "alex@example.com")
    alex.page.get_by_role("heading", name="Welcome, Alex").wait_for()
    alex.check("home-unpaired")
    alex.page.get_by_role("link", name="Pair with your partner").click()
    alex.page.get_by_role("button", name="Create an invite code").click()
    code = alex.page.locator(".invite-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code), code
    join_url = alex.page.locator(".join-url").inner_text().strip()
    assert join_url.startswith(f"{server}/join?code="), join_url
    alex.check("pair")

    # Sam opens the link, signed out: the code leaves the address bar and comes back after sign-up.
    sam.page.goto(join_url)
    sam.page.get_by_role("heading", name="Join your partner").wait_for()
    sam.page.wait_for_url(f"{server}/join")
    sam.check("join-signed-out")
    sam.page.get_by_role("link", name="Create an account").click()
    sign_up(sam, "Sam", "sam@example.com")
    sam.page.get_by_role("heading", name="Join your partner").wait_for()
    code_field = sam.page.get_by_label("Partner's code")
    expect(code_field).to_have_value(code)
    assert "code=" not in sam.page.url
    sam.check("join")
    sam.page.get_by_role("button", name="Join").click()
    sam.page.get_by_role("heading", name="You and Alex").wait_for()
    assert Couple.objects.filter(memberships__user__email="sam@example.com").exists()
    sam.check("home-no-round")

    # Alex sees the couple and moves the check-in to Fridays at 20:30, with a day to answer.
    alex.go("/")
    alex.page.get_by_role("heading", name="You and Sam").wait_for()
    alex.go("/schedule")
    alex.page.get_by_role("heading", name="When you check in").wait_for()
    alex.page.get_by_label("Day").select_option(label="Friday")
    alex.page.get_by_label("Time", exact=True).fill("20:30")
    alex.page.get_by_label("Hours to answer").fill("24")
    alex.page.get_by_role("button", name="Save schedule").click()
    expect(alex.page.locator(".schedule-summary")).to_contain_text("Fridays at 20:30")
    expect(alex.page.locator(".schedule-summary")).to_contain_text("24 hours")
    alex.check("schedule")

    # Sam opens a check-in now and answers with the keyboard alone.
    sam.page.get_by_role("button", name="Check in now").click()
    page = sam.page
    page.get_by_role("heading", name="Your check-in").wait_for()
    service_worker_ready(page)
    sam.check("checkin")
    connection = page.get_by_role("group", name=CONNECTION)
    independence = page.get_by_role("group", name=INDEPENDENCE)
    tab_to(page, connection.get_by_role("radio", name="1 Not at all"))
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(connection.get_by_role("radio", name="4 Mostly")).to_be_checked()
    tab_to(page, independence.get_by_role("radio", name="1 Not at all"))
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    expect(independence.get_by_role("radio", name="2 A little")).to_be_checked()
    tab_to(page, page.get_by_label("A note to share (optional)"))
    page.keyboard.type(SAM_FIRST_NOTE)
    tab_to(page, page.get_by_label("Private note (only you see this)"))
    page.keyboard.type(SAM_PRIVATE)
    tab_to(page, page.get_by_role("button", name="Send my answer"))
    page.keyboard.press("Enter")
    # Sealed: it waits for Alex, and changing it is one tap away.
    page.get_by_role("heading", name="Waiting for Alex").wait_for()
    page.get_by_text("Alex has not answered yet.").wait_for()
    page.get_by_text("You can change it until you have both answered.").wait_for()
    round_id = Round.objects.get().pk

    # Sam changes the answer before the reveal, still with the keyboard: fully connected, no space.
    tab_to(page, page.get_by_role("button", name="Change my answer"))
    page.keyboard.press("Enter")
    expect(connection.get_by_role("radio", name="4 Mostly")).to_be_focused()  # the form opens at its first choice
    page.keyboard.press("ArrowRight")
    tab_to(page, independence.get_by_role("radio", name="2 A little"))
    page.keyboard.press("ArrowLeft")
    note = page.get_by_label("A note to share (optional)")
    tab_to(page, note)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(SAM_NOTE)
    tab_to(page, page.get_by_role("button", name="Save changes"))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Waiting for Alex").wait_for()
    sam_answer = Answer.objects.get(round_id=round_id, user__email="sam@example.com")
    assert (sam_answer.connection, sam_answer.independence, sam_answer.note) == (5, 1, SAM_NOTE)

    # Alex sees only that Sam has answered: nothing of Sam's answer is anywhere on Alex's phone.
    alex.go("/")
    alex.page.get_by_text("Sam has answered.").wait_for()
    alex.check("home-open-round")
    alex.page.get_by_role("link", name="Answer now").click()
    alex.page.get_by_role("heading", name="Your check-in").wait_for()
    alex.page.get_by_text("Sam has answered.").wait_for()
    alex.never_holds(SAM_PRIVATE, SAM_NOTE, SAM_FIRST_NOTE)

    # Alex answers (by touch): wants more closeness, has plenty of space. That reveals the round.
    alex.page.get_by_role("group", name=CONNECTION).get_by_role("radio", name="1 Not at all").check()
    alex.page.get_by_role("group", name=INDEPENDENCE).get_by_role("radio", name="5 Fully").check()
    alex.page.get_by_label("A note to share (optional)").fill(ALEX_NOTE)
    alex.page.get_by_label("Private note (only you see this)").fill(ALEX_PRIVATE)
    alex.page.get_by_role("button", name="Send my answer").click()
    alex.page.get_by_role("heading", name="Your answers, side by side").wait_for()
    side_by_side = alex.page.locator("table.side-by-side")
    expect(side_by_side.get_by_role("columnheader", name="You")).to_be_visible()
    expect(side_by_side.get_by_role("columnheader", name="Sam")).to_be_visible()
    expect(side_by_side).to_contain_text(SAM_NOTE)
    expect(side_by_side).to_contain_text(ALEX_PRIVATE)  # Alex's own, marked as only Alex's

    # The real worker analyses the round: Alex pursues, Sam withdraws.
    def analysed():
        return Round.objects.filter(pk=round_id, analysed_at__isnull=False).exists()

    wait_for(analysed, celery_worker, "analyse the revealed round")
    flag = Flag.objects.get(round_id=round_id, kind="pursue_withdraw")
    # The reveal on screen reads the round again until the comparison is in: the flag appears there.
    flags = alex.page.get_by_role("region", name="Worth talking about")
    expect(flags).to_contain_text(flag.summary)
    # Once the round is no longer open, it lives at its own address, a tap away from home.
    alex.go("/")
    alex.page.get_by_role("link", name="See your answers side by side").click()
    alex.page.wait_for_url(f"**/checkins/{round_id}")
    flags = alex.page.get_by_role("region", name="Worth talking about")
    expect(flags).to_contain_text(flag.summary)
    alex.check("reveal")
    alex.never_holds(SAM_PRIVATE, SAM_FIRST_NOTE)

    sam.go(f"/checkins/{round_id}")
    sam.page.get_by_role("heading", name="Your answers, side by side").wait_for()
    expect(sam.page.get_by_role("region", name="Worth talking about")).to_contain_text(flag.summary)
    sam.never_holds(ALEX_PRIVATE)

    # Alex opens the discussion from the flag and adds a note.
    talk = flags.get_by_role("link", name="Talk about this").first
    talk.click()
    alex.page.wait_for_url(re.compile(rf"{server}/discussions/\d+$"))
    alex.page.get_by_label("Add a note").fill("Could we have a slow Sunday morning together?")
    alex.page.get_by_role("button", name="Add note").click()
    alex.page.get_by_text("Could we have a slow Sunday morning together?").wait_for()
    alex.check("discussion")

    # Sam finds it under Talks, reads Alex's note and marks it resolved.
    sam.page.get_by_role("navigation", name="Main").get_by_role("link", name="Talks").click()
    sam.page.get_by_role("heading", name="Talks").wait_for()
    sam.check("discussions")
    sam.page.get_by_role("link", name=re.compile(re.escape(flag.summary[:20]))).first.click()
    sam.page.get_by_text("Could we have a slow Sunday morning together?").wait_for()
    sam.page.get_by_role("button", name="Mark as resolved").click()
    sam.page.get_by_text("Resolved on").wait_for()
    expect(sam.page.get_by_role("button", name="Mark as resolved")).to_have_count(0)
    discussion_id = int(alex.page.url.rsplit("/", 1)[1])
    assert Discussion.objects.get(pk=discussion_id).status == Discussion.Status.RESOLVED
    sam.check("discussion-resolved")

    # The rest of the app, for each of them: history, inbox and settings.
    alex.page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    alex.page.get_by_role("heading", name="History").wait_for()
    expect(alex.page.get_by_role("img").first).to_be_visible()
    alex.check("history")
    alex.page.locator(f'a.round-link[href="/checkins/{round_id}"]').click()
    alex.page.get_by_role("heading", name="Your answers, side by side").wait_for()
    alex.page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Inbox")).click()
    alex.page.get_by_role("heading", name="Inbox").wait_for()
    alex.check("inbox")
    alex.page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    alex.page.get_by_role("heading", name="Settings").wait_for()
    alex.check("settings")
    for phone in (alex, sam):
        phone.page.reload()
        phone.page.wait_for_load_state("networkidle")
    alex.never_holds(SAM_PRIVATE, SAM_FIRST_NOTE)
    sam.never_holds(ALEX_PRIVATE)

    # Signing out leaves nothing of Sam's on Sam's phone.
    sam.go("/settings")
    sam.page.get_by_role("button", name="Sign out").click()
    sam.page.get_by_role("link", name="Sign in").first.wait_for()
    sam.page.goto(f"{server}/signin")
    sam.page.get_by_role("button", name="Sign in", exact=True).wait_for()
    sam.check("signin")
    device = sam.page.evaluate(DEVICE_TEXT)
    for secret in (SAM_PRIVATE, SAM_NOTE, ALEX_NOTE, ALEX_PRIVATE, "Alex"):
        assert secret not in device
