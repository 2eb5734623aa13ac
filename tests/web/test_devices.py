"""One device at a time: Alice, signed in on her phone and her laptop, signs the phone out from the
laptop's Settings; the phone's next request is refused and it asks her to sign in again."""

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.web.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.postgres]


def test_signing_out_the_phone_from_the_laptop_sends_the_phone_to_the_sign_in_screen(browsers, server):
    alice = UserFactory.create(display_name="Alice")
    phone, laptop = browsers.page("phone"), browsers.page("laptop")
    sign_in(phone, server, alice.email)
    sign_in(laptop, server, alice.email)

    laptop.goto(f"{server}/settings")
    devices = laptop.get_by_role("region", name="Your devices")
    rows = devices.get_by_role("listitem")
    expect(rows).to_have_count(2)
    here = rows.filter(has_text="This device")
    expect(here).to_contain_text("This browser, last used")
    expect(here.get_by_role("button", name="Sign out")).to_have_count(0)  # that is the account's Sign out
    other = rows.filter(has_not_text="This device")
    expect(other).to_contain_text("Chrome on Linux")
    expect(other).to_contain_text("Browser, last used")
    assert_accessible(laptop, "settings, your devices")

    other.get_by_role("button", name="Sign out").click()
    dialog = laptop.get_by_role("dialog", name="Sign out this device?")
    expect(dialog).to_contain_text("is signed out straight away")
    assert_accessible(laptop, "settings, signing out a device")
    dialog.get_by_role("button", name="Yes, sign out").click()
    expect(dialog).to_be_hidden()
    expect(devices.get_by_text("Chrome on Linux is signed out.")).to_be_visible()
    expect(rows).to_have_count(1)
    expect(laptop.get_by_role("heading", name="Your devices")).to_be_focused()

    # The phone's next request is refused, and the app asks for a sign-in where Alice stands.
    with phone.expect_response(lambda response: response.status == 401) as refused:
        phone.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    assert refused.value.url.startswith(f"{server}/api/v1/")
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
    # The laptop stays signed in.
    laptop.reload()
    expect(laptop.get_by_role("heading", name="Your devices")).to_be_visible()
