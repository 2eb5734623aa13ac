"""The pages Tandem serves beside the app, in real Chromium under their strict Content-Security-Policy
(tests/web/test_pages.py checks the headers): the API docs render Swagger UI and the admin signs an
operator in and lists its models, with no CSP violation, no console error and nothing from another
origin (the browsers fixture fails the test on any of those)."""

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.postgres]


def test_the_api_docs_render_every_operation_under_their_policy(browsers, server):
    page = browsers.page("operator")
    page.goto(f"{server}/api/docs/")
    page.get_by_text("Tandem API").first.wait_for()
    # An operation of each part of the API, drawn by Swagger UI's own script.
    for path in ("/api/v1/auth/login", "/api/v1/checkins/{round_id}/response", "/api/v1/push/subscriptions"):
        page.locator(f'.opblock-summary-path[data-path="{path}"]').first.wait_for()
    page.locator('.opblock-summary-path[data-path="/api/v1/auth/login"]').first.click()
    page.get_by_role("button", name="Try it out").wait_for()


def test_the_admin_signs_an_operator_in_under_its_policy(browsers, server):
    operator = UserFactory.create(is_staff=True, is_superuser=True)
    page = browsers.page("operator")
    page.goto(f"{server}/admin/")
    page.get_by_label("Email").fill(operator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Rounds").wait_for()
    page.get_by_role("link", name="Rounds").click()
    page.get_by_role("heading", name="Select round to view").wait_for()
