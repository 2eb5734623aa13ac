"""The way back in and a confirmed address, in a real browser, from the emails the worker sends
to a local SMTP server: "Forgot your password?" to a new password signed in with; signing up to
the confirmation link opened, on another device, and the note that waited for it gone."""

import re

import pytest
from playwright.sync_api import expect

from couples.models import User
from tests.builders import link_token
from tests.factories import UserFactory
from tests.web.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.postgres]

NEW_PASSWORD = "a brand new passphrase"


def test_a_forgotten_password_is_reset_from_the_emails_link_and_the_new_one_signs_in(browsers, server, mailbox):
    alice = UserFactory.create(display_name="Alice", email="alice@example.com")
    phone = browsers.page("alice")
    phone.goto(f"{server}/signin")
    phone.get_by_role("link", name="Forgot your password?").click()
    expect(phone.get_by_role("heading", name="Forgot your password?")).to_be_focused()
    assert_accessible(phone, "forgot-password")
    phone.get_by_label("Email").fill("Alice@Example.com")
    phone.get_by_role("button", name="Send me a link").click()
    expect(phone.get_by_role("main").get_by_text("If an account uses that address, a link")).to_be_visible()

    email = mailbox.wait_for(alice.email, "Reset your Tandem password")
    token = link_token(email.get_content(), "/reset-password")
    laptop = browsers.page("alice-laptop")  # opened on another device than the one that asked
    laptop.goto(f"{server}/reset-password?token={token}")
    expect(laptop.get_by_role("heading", name="Choose a new password")).to_be_visible()
    expect(laptop).not_to_have_url(re.compile("token"))  # taken out of the address bar, just after the first paint
    assert_accessible(laptop, "reset-password")
    laptop.context.watch.allow(400, "/api/v1/auth/password-reset/confirm")  # the weak password below
    laptop.get_by_label("New password").fill("short")
    laptop.get_by_role("button", name="Set my new password").click()
    expect(laptop.get_by_label("New password")).to_have_attribute("aria-invalid", "true")
    laptop.get_by_label("New password").fill(NEW_PASSWORD)
    laptop.get_by_role("button", name="Set my new password").click()
    expect(laptop.get_by_role("heading", name="Your password is changed")).to_be_visible()
    laptop.get_by_role("link", name="Sign in").click()
    sign_in(laptop, server, alice.email, NEW_PASSWORD)
    expect(laptop.get_by_role("heading", name="Welcome, Alice")).to_be_visible()


def test_a_new_address_is_confirmed_from_its_link_and_the_note_that_waited_goes(browsers, server, mailbox):
    phone = browsers.page("sam")
    phone.goto(f"{server}/signup")
    phone.get_by_label("Your name").fill("Sam")
    phone.get_by_label("Email").fill("sam@example.com")
    phone.get_by_label("Password").fill("a long enough passphrase")
    phone.get_by_role("button", name="Create account").click()
    note = phone.get_by_role("complementary", name="Please confirm your email")
    expect(note).to_contain_text("sam@example.com")
    assert_accessible(phone, "home-with-confirmation-note")

    email = mailbox.wait_for("sam@example.com", "Confirm your email for Tandem")
    token = link_token(email.get_content(), "/confirm-email")
    laptop = browsers.page("sam-laptop")  # never signed in there
    laptop.goto(f"{server}/confirm-email?token={token}")
    expect(laptop.get_by_role("heading", name="Your email is confirmed")).to_be_visible()
    assert_accessible(laptop, "confirm-email")
    assert User.objects.get(email="sam@example.com").email_confirmed

    phone.goto(f"{server}/")
    expect(phone.get_by_role("heading", name="Welcome, Sam")).to_be_visible()
    expect(note).to_have_count(0)
    laptop.context.watch.allow(400, "/api/v1/auth/confirm-email")
    laptop.goto(f"{server}/confirm-email?token={token}")  # a second time: used
    expect(laptop.get_by_role("heading", name="This link does not work")).to_be_visible()


def test_settings_change_the_password_and_the_email_which_waits_for_its_link(browsers, server, mailbox):
    alice = UserFactory.create(display_name="Alice", email="alice@example.com")
    phone = browsers.page("alice")
    sign_in(phone, server, alice.email)
    phone.goto(f"{server}/settings")
    phone.get_by_label("New email").fill("alice.new@example.com")
    phone.get_by_label("Password to confirm the change").fill("correct horse battery staple")
    phone.get_by_role("button", name="Change my email").click()
    expect(phone.get_by_role("main").get_by_text("A link is on its way to alice.new@example.com")).to_be_visible()
    expect(phone.get_by_role("main").get_by_text("Changing to")).to_be_visible()
    assert_accessible(phone, "settings-email-change")

    phone.context.watch.allow(400, "/api/v1/me/password")
    phone.get_by_label("Current password").fill("wrong")
    phone.get_by_label("New password").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Change my password").click()
    expect(phone.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")
    phone.get_by_label("Current password").fill("correct horse battery staple")
    phone.get_by_role("button", name="Change my password").click()
    expect(phone.get_by_role("main").get_by_text("Your password is changed.")).to_be_visible()
    phone.reload()  # this device stays signed in
    expect(phone.get_by_role("heading", name="Settings")).to_be_visible()

    email = mailbox.wait_for("alice.new@example.com", "Confirm your email for Tandem")
    phone.goto(f"{server}/confirm-email?token={link_token(email.get_content(), '/confirm-email')}")
    expect(phone.get_by_role("main").get_by_text("Tandem now writes to alice.new@example.com")).to_be_visible()
    mailbox.wait_for("alice@example.com", "Your Tandem email was changed")
