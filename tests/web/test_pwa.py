"""Tandem as an installable, offline-first PWA, in real Chromium: the manifest and service worker
make it installable, the shell starts with the network off and says so, and nothing the API
answered is ever kept in Cache Storage."""

import pytest

from checkin import services as checkin_services
from tests.web.conftest import assert_accessible, couple_on_a_phone, screenshot, service_worker_ready

pytestmark = [pytest.mark.postgres]

CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(request.url);
  }
  return urls;
}"""

CACHED_TEXT = """async () => {
  let text = "";
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) text += await (await cache.match(request)).text();
  }
  return text;
}"""


def test_chromium_finds_the_app_installable(browsers, server):
    page = browsers.page("alice")
    page.goto(server)
    page.get_by_role("link", name="Create an account").wait_for()
    assert service_worker_ready(page) == f"{server}/"
    cdp = page.context.new_cdp_session(page)

    manifest = cdp.send("Page.getAppManifest")
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]

    assert manifest["errors"] == [], manifest["errors"]
    assert errors == [], errors
    screenshot(page, "welcome")
    assert_accessible(page, "welcome")


def test_the_manifest_names_the_app_with_its_icons_and_colours(browsers, server):
    page = browsers.page("alice")
    response = page.request.get(f"{server}/manifest.webmanifest")
    assert response.ok
    manifest = response.json()
    assert manifest["name"] and manifest["short_name"] == "Tandem"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    assert manifest["theme_color"] and manifest["background_color"]
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        image = page.request.get(f"{server}{icon['src']}")
        assert image.ok and image.headers["content-type"] == "image/png", icon


def test_a_screen_whose_load_began_before_the_worker_was_active_is_controlled_by_it(browsers, server):
    """The worker's activate claims the pages open then, but a page still loading is not one of them
    (Clients.claim() skips a client that is not yet execution-ready): that page asks to be claimed."""
    first = browsers.page("alice")
    response = first.request.get(f"{server}/sw.js")
    assert response.ok
    assert "javascript" in response.headers["content-type"]
    assert "no-cache" in response.headers["cache-control"]
    # A second tab starts loading a screen before there is any worker, and is held on the network...
    second = first.context.new_page()
    cdp = first.context.new_cdp_session(second)
    held, versions = [], []
    cdp.on("Fetch.requestPaused", lambda event: held.append(event["requestId"]))
    cdp.on("ServiceWorker.workerVersionUpdated", lambda event: versions.extend(event["versions"]))
    cdp.send("ServiceWorker.enable")
    cdp.send("Fetch.enable", {"patterns": [{"urlPattern": f"{server}/history", "resourceType": "Document"}]})
    second.evaluate(f"location.assign('{server}/history')")
    while not held:
        second.wait_for_timeout(20)
    # ...while the first tab installs the worker, which activates and claims what it can.
    first.goto(server)
    assert service_worker_ready(first) == f"{server}/"
    while not any(version["status"] == "activated" for version in versions):
        first.wait_for_timeout(20)

    with second.expect_navigation():
        cdp.send("Fetch.continueRequest", {"requestId": held[0]})
    cdp.send("Fetch.disable")

    assert service_worker_ready(second) == f"{server}/"


def test_the_shell_starts_with_the_network_off_and_says_it_is_offline(browsers, server):
    page = browsers.page("alice")
    page.goto(server)
    page.get_by_role("link", name="Sign in").wait_for()
    service_worker_ready(page)
    page.context.set_offline(True)

    page.reload()

    # The shell came from the service worker; the app could not ask who is signed in and says so.
    page.get_by_text("You are offline").first.wait_for()
    assert page.locator(".offline-notice").inner_text().startswith("You are offline")
    screenshot(page, "offline")
    assert_accessible(page, "offline")
    # Back online, a reload opens the app again.
    page.context.set_offline(False)
    page.reload()
    page.get_by_role("link", name="Sign in").wait_for()


def test_a_signed_in_person_starts_offline_on_the_shell_and_then_sees_their_home(browsers, server):
    page, _alice, _bob = couple_on_a_phone(browsers, server)
    page.get_by_role("heading", name="You and Bob").wait_for()
    service_worker_ready(page)
    page.context.set_offline(True)

    page.goto(f"{server}/history")

    page.locator(".offline-notice").get_by_text("You are offline").wait_for()
    assert "Bob" not in page.locator("body").inner_text()  # nothing of the couple's kept for offline
    page.context.set_offline(False)


def test_no_answer_of_the_api_is_ever_kept_in_cache_storage(browsers, server):
    page, alice, _bob = couple_on_a_phone(browsers, server)
    checkin_round = checkin_services.round_open_now(user=alice)
    checkin_services.answer_submit(
        user=alice, round_id=checkin_round.pk, connection=2, independence=5, private_note="PRIVATE-ALICE-okapi"
    )
    page.get_by_role("heading", name="You and Bob").wait_for()
    service_worker_ready(page)
    for path in ("/", "/checkin", "/history", "/discussions", "/inbox", "/settings"):
        page.goto(f"{server}{path}")
        page.get_by_role("heading").first.wait_for()
    page.wait_for_load_state("networkidle")

    urls = page.evaluate(CACHED_URLS)
    text = page.evaluate(CACHED_TEXT)

    assert urls, "the service worker keeps the shell"
    assert [url for url in urls if "/api/" in url] == []
    for secret in ("PRIVATE-ALICE-okapi", "Alice", "Bob", alice.email):
        assert secret not in text


def test_a_screen_that_could_not_load_offline_loads_by_itself_once_the_server_answers(browsers, server):
    page, _alice, _bob = couple_on_a_phone(browsers, server)
    page.get_by_role("heading", name="You and Bob").wait_for()
    page.context.set_offline(True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    page.locator(".notice-error").get_by_text("You are offline").wait_for()

    page.context.set_offline(False)
    # No tap on Try again needed: the inbox (empty or not) is there, and the problem is gone.
    page.get_by_role("button", name="Mark all as read").or_(page.get_by_text("Nothing here yet.")).wait_for()
    assert page.locator(".notice-error").count() == 0
