"""The app in a real browser: Debian's Chromium driven by Playwright against pytest-django's live
server (its own thread in this process, on the transactional test database of PostgreSQL), with a
real Celery worker on the test broker and a real local push service.

Each partner gets a persistent browser context of their own (push needs a non-incognito profile),
each with a fresh profile folder, at 360 x 740. Every page of every context is watched: a console
error, an uncaught exception, a CSP violation, a request to another origin or a 5xx answer fails
the test. The live server, the worker and the push service are shared by all the browser tests
(each test still starts on an empty database and an empty broker); browsers are the test's own.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import BrowserContext, Playwright, sync_playwright

from tests.builders import pair
from tests.factories import PASSWORD, UserFactory
from tests.integration.processes import start_worker, stop_worker
from tests.local_smtp import Mailbox, running_smtp_server
from tests.notifications.fake_push import FakePushService, vapid_key_pair
from tests.web.desktop_notifications import NotificationDaemon

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 360, "height": 740}
SCREENSHOTS = ROOT / "var" / "screenshots"
# Console errors the app causes on purpose: the browser logs every 401/404 answer of the API that
# the app asks for knowingly (am I signed in? is a round open? am I paired?).
EXPECTED_CONSOLE_ERROR = "Failed to load resource: the server responded with a status of 40"
# And what a test that turns the network off asks for: the browser logs each request that fails.
OFFLINE_CONSOLE_ERROR = "Failed to load resource: net::ERR_INTERNET_DISCONNECTED"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One pytest-xdist worker runs every browser test (pyproject.toml's `--dist loadgroup`): the
    # package's browser driver, push service, live server and Celery worker start once.
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """pytest-playwright's fixture, for this package only. Playwright's sync API runs an asyncio
    event loop in this thread, so Django's async-safety check would refuse every ORM call the tests
    make between two browser steps (SynchronousOnlyOperation). The calls are synchronous and in this
    thread, so the check is lifted for exactly as long as Playwright runs, and for no other test."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as running:
            yield running


@pytest.fixture(scope="session")
def chromium_path() -> str:
    # Never a skip: `make test` installs Chromium, and a machine without it must fail loudly.
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install -y chromium)")
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def vapid_keys() -> tuple[str, str]:
    """One VAPID key pair (private, public) for the live server and the worker alike."""
    return vapid_key_pair()


@pytest.fixture(scope="package")
def push_service() -> Iterator[FakePushService]:
    service = FakePushService().start()
    yield service
    service.stop()


@pytest.fixture(scope="package")
def smtp_server() -> Iterator[Mailbox]:
    """A local SMTP server that the worker sends every email to (the account emails' links)."""
    with running_smtp_server() as mailbox:
        yield mailbox


@pytest.fixture
def mailbox(smtp_server, server) -> Mailbox:
    """The emails the worker sent during this test."""
    smtp_server.clear()
    return smtp_server


# Package scope: the worker stops when the browser tests are done, so it never takes the tasks
# of a later test that runs a worker of its own on the same broker.
@pytest.fixture(scope="package")
def celery_worker(django_db_setup, django_db_blocker, live_server, vapid_keys, smtp_server, tmp_path_factory):
    """A `celery worker` process on the test database and broker, for every browser test."""
    broker = settings.CELERY_BROKER_URL
    assert broker.startswith("redis://"), broker
    redis.Redis.from_url(broker).flushdb()  # fails here when Redis is down
    private, public = vapid_keys
    env = {
        "VAPID_PRIVATE_KEY": private,
        "VAPID_PUBLIC_KEY": public,
        "APP_BASE_URL": live_server.url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
    }
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    with django_db_blocker.unblock():  # start_worker reads the test database's name
        process = start_worker(broker=broker, log_path=log_path, env=env)
    yield process
    stop_worker(process)
    redis.Redis.from_url(broker).flushdb()


@pytest.fixture
def server(live_server, celery_worker, vapid_keys, settings, transactional_db) -> str:
    """The live server's URL, with the same VAPID keys and base URL as the worker."""
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = vapid_keys
    settings.APP_BASE_URL = settings.API_BASE_URL = live_server.url
    # What an earlier test left on the broker is not this test's to run.
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    assert celery_worker.poll() is None, celery_worker.log_path.read_text()
    return live_server.url


@dataclass
class Watch:
    """What went wrong in a browser context: each entry is one problem, in words."""

    origin: str
    problems: list[str] = field(default_factory=list)
    requests: list = field(default_factory=list)  # every request made, for tests that count them
    allowed: list[tuple[int, str]] = field(default_factory=list)  # (status, path) a test expects

    def allow(self, status: int, path: str) -> None:
        """`status` from `path` is what this test asks for (a server without push, say)."""
        self.allowed.append((status, path))

    def _allowed(self, status_text: str, url: str) -> bool:
        return any(str(status) in status_text and urlsplit(url).path == path for status, path in self.allowed)

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        text = message.text
        if text.startswith(EXPECTED_CONSOLE_ERROR) and any(code in text for code in ("401", "404")):
            return
        if text.startswith(EXPECTED_CONSOLE_ERROR[:-2]) and self._allowed(text, message.location.get("url", "")):
            return
        if text.startswith(OFFLINE_CONSOLE_ERROR):
            return
        self.problems.append(f"console error: {text} at {message.location}")

    def on_page_error(self, error) -> None:
        self.problems.append(f"uncaught error: {error}")

    def on_request(self, request) -> None:
        self.requests.append(request)
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob"):
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.problems.append(f"request to another origin: {request.method} {request.url}")

    def on_response(self, response) -> None:
        if response.status >= 500 and not self._allowed(str(response.status), response.url):
            self.problems.append(f"{response.status} from {response.request.method} {response.url}")

    def assert_clean(self) -> None:
        problems, self.problems = self.problems, []
        assert not problems, "\n".join(problems)


# Reported as a console error so the watcher sees it; injected by the browser (CDP), which the
# page's CSP does not govern.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


class Browsers:
    """Opens one persistent Chromium context per person (a phone of their own), watched."""

    def __init__(self, playwright, executable: str, origin: str, profiles: Path):
        self.playwright, self.executable, self.origin, self.profiles = playwright, executable, origin, profiles
        self.opened: list[tuple[BrowserContext, Watch]] = []

    def open(self, who: str, desktop: NotificationDaemon | None = None):
        """`desktop`: the notification service this browser shows its notifications on."""
        env = None if desktop is None else {**os.environ, "DBUS_SESSION_BUS_ADDRESS": desktop.address}
        context = self.playwright.chromium.launch_persistent_context(
            str(self.profiles / who),
            executable_path=self.executable,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            locale="en-GB",
            timezone_id="Europe/Berlin",
            service_workers="allow",
            env=env,
        )
        context.set_default_timeout(15_000)  # generous: the suite may share a busy machine
        context.grant_permissions(["notifications"], origin=self.origin)
        watch = Watch(origin=self.origin)
        context.on("console", watch.on_console)
        context.on("weberror", lambda web_error: watch.on_page_error(web_error.error))
        context.on("request", watch.on_request)
        context.on("response", watch.on_response)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.watch = watch
        self.opened.append((context, watch))
        return context

    def page(self, who: str, desktop: NotificationDaemon | None = None):
        """A new context for `who` and its first page."""
        context = self.open(who, desktop)
        page = context.pages[0] if context.pages else context.new_page()
        return page

    def close_all(self) -> list[str]:
        problems = []
        for context, watch in self.opened:
            problems += watch.problems
            context.close()
        return problems


@pytest.fixture
def browsers(playwright, chromium_path, server, tmp_path) -> Iterator[Browsers]:
    """`browsers.page("alice")`: a watched page in Alice's own browser profile."""
    opened = Browsers(playwright, chromium_path, server, tmp_path / "profiles")
    try:
        yield opened
    finally:
        problems = opened.close_all()
        shutil.rmtree(tmp_path / "profiles", ignore_errors=True)
    assert not problems, "\n".join(problems)


@pytest.fixture
def desktop() -> Iterator[NotificationDaemon]:
    """A desktop notification service that the test can click (tests/web/desktop_notifications.py)."""
    folder = Path(tempfile.mkdtemp(prefix="tandem-bus-"))  # short: a socket path has 108 bytes at most
    daemon = NotificationDaemon(folder).start()
    yield daemon
    daemon.stop()
    shutil.rmtree(folder, ignore_errors=True)


def screenshot(page, screen: str) -> None:
    """A picture of `screen` as a phone shows it (360 x 740), for the README and for review."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{screen}.png"))


def service_worker_ready(page) -> str:
    """Waits until the page is controlled by the active service worker; returns its scope."""
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return scope


def sign_in(page, origin: str, email: str, password: str = PASSWORD) -> None:
    """Signs in through the app's own form, as a person would."""
    page.goto(f"{origin}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("navigation", name="Main").wait_for()


def couple_on_a_phone(browsers, origin: str, profile: str = "alice"):
    """Alice and Bob, paired, and a phone (a browser profile named `profile`) on which Alice has
    signed in: `(page, alice, bob)`."""
    alice, bob = UserFactory.create(display_name="Alice"), UserFactory.create(display_name="Bob")
    pair(alice, bob)
    page = browsers.page(profile)
    sign_in(page, origin, alice.email)
    return page, alice, bob


def assert_accessible(page, screen: str) -> None:
    """axe-core finds no serious or critical violation on this screen."""
    results = Axe().run(page)
    grave = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    described = [f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']]}" for v in grave]
    assert not described, f"{screen}:\n" + "\n".join(described)
