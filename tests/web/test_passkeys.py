"""Passkeys in a real browser: Chromium's virtual authenticator (DevTools' WebAuthn domain) stands in
for the phone's, with a resident key and a verified user. Alice adds a passkey in Settings, signs
out, signs in with it, and removes it, after which it signs nobody in. WebAuthn needs a host name:
the live server is opened at localhost, the app's origin (APP_BASE_URL) is the same."""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from couples.models import Passkey
from tests.web.conftest import couple_on_a_phone, screenshot

pytestmark = [pytest.mark.postgres]


def virtual_authenticator(page) -> tuple:
    """A platform authenticator for `page`, as a phone's: it keeps passkeys and verifies its user."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    made = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return devtools, made["authenticatorId"]


def sign_out(page, origin: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").first.wait_for()  # signed out on the server too
    page.goto(f"{origin}/signin")


def no_axe_violations(page, screen: str) -> None:
    violations = Axe().run(page).response["violations"]
    described = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}" for v in violations]
    assert not described, f"{screen}:\n" + "\n".join(described)


def test_a_passkey_added_in_settings_signs_in_after_signing_out_and_not_once_removed(browsers, server):
    assert urlsplit(server).hostname == "localhost", server
    page, alice, _bob = couple_on_a_phone(browsers, server)
    devtools, authenticator_id = virtual_authenticator(page)

    page.goto(f"{server}/settings")
    passkeys = page.get_by_role("region", name="Passkeys")
    expect(passkeys.get_by_text("You have no passkeys yet.")).to_be_visible()
    passkeys.get_by_role("button", name="Add a passkey").click()
    expect(passkeys.get_by_text("Passkey added as “Passkey on Linux”")).to_be_visible()
    expect(passkeys.get_by_role("listitem")).to_have_count(1)
    expect(passkeys.get_by_role("listitem")).to_contain_text("Not used yet")
    kept = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert [(c["isResidentCredential"], c["rpId"]) for c in kept] == [(True, "localhost")]
    assert list(Passkey.objects.values_list("user_id", "name")) == [(alice.pk, "Passkey on Linux")]
    no_axe_violations(page, "settings with a passkey")
    screenshot(page, "settings-passkeys")

    sign_out(page, server)
    no_axe_violations(page, "sign in")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.get_by_role("navigation", name="Main").wait_for()
    assert page.evaluate("async () => (await (await fetch('/api/v1/me')).json()).email") == alice.email
    assert Passkey.objects.get().last_used_at is not None

    page.goto(f"{server}/settings")
    passkey = passkeys.get_by_role("listitem")
    expect(passkey).to_contain_text("Last used")
    passkey.get_by_role("button", name="Remove Passkey on Linux").click()
    dialog = page.get_by_role("dialog", name="Remove this passkey?")
    expect(dialog).to_be_visible()
    no_axe_violations(page, "removing a passkey")
    dialog.get_by_role("button", name="Yes, remove it").click()
    expect(passkeys.get_by_text("You have no passkeys yet.")).to_be_visible()
    expect(passkeys.get_by_role("button", name="Add a passkey")).to_be_focused()
    assert not Passkey.objects.exists()

    # The authenticator still holds its half; Tandem no longer takes it.
    page.context.watch.allow(400, "/api/v1/auth/passkey")
    sign_out(page, server)
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.locator("main").get_by_text("This passkey is not known to Tandem")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
