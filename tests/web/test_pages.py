"""The app's own pages as the server serves them: the shell at every screen's path, with a strict
Content-Security-Policy; the service worker at the root; the manifest; and the release that
collectstatic writes for production (hashed, compressed, every module the import map names)."""

import base64
import hashlib
import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from web import assets
from web.screens import SCREENS

pytestmark = [pytest.mark.django_db, pytest.mark.once]  # static files: the same on either engine

THIRD_PARTY_STATIC = ["admin", "rest_framework", "drf_spectacular_sidecar"]
SCREEN_PATHS = [
    "/",
    "/signin",
    "/join?code=7KQ2M-XR4PD",
    "/pair",
    "/checkin",
    "/checkins/12",
    "/history",
    "/discussions/3",
    "/inbox",
    "/notifications/41",
    "/settings",
]


@pytest.fixture(autouse=True)
def _fresh_asset_lists():
    # The asset lists are computed once per process; a test that changes the storage needs them anew.
    for cached in (assets.app_modules, assets.import_map, assets.stylesheets, assets.precache_urls):
        cached.cache_clear()
    assets.content_security_policy.cache_clear()
    assets.release.cache_clear()
    yield
    for cached in (assets.app_modules, assets.import_map, assets.stylesheets, assets.precache_urls):
        cached.cache_clear()
    assets.content_security_policy.cache_clear()
    assets.release.cache_clear()


def found(pattern: str, text: str, flags: int = 0) -> str:
    """The first group of `pattern`'s first match in `text`, which must have one."""
    match = re.search(pattern, text, flags)
    assert match is not None, f"{pattern!r} is not in the text"
    return match.group(1)


def import_map_of(html: str) -> str:
    return found(r'<script type="importmap">(.*?)</script>', html, re.S)


@pytest.mark.parametrize("path", SCREEN_PATHS)
def test_every_screen_path_serves_the_same_shell_signed_in_or_not(path):
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<script type="module" src="/static/app/main.js"></script>' in html
    assert "no-cache" in response["Cache-Control"]


def test_the_server_serves_the_shell_at_exactly_the_paths_the_app_routes():
    # The app's table of screens (main.js) and the server's (web/screens.py) name the same paths, so
    # a link the app makes never meets a 404, and a screen the app dropped is no longer served.
    main = (settings.BASE_DIR / "web" / "static" / "app" / "main.js").read_text()
    routed = {pattern.replace(":id", "7") for pattern in re.findall(r'^  \["(/[^"]*)", \w+, "', main, re.M)}
    assert len(routed) >= 10, routed
    served = {"/" + screen for screen in SCREENS} | {"/checkins/7", "/discussions/7", "/notifications/7"}
    assert routed == served
    for path in routed:
        assert Client().get(path).status_code == 200, path


def test_paths_that_are_no_screen_stay_404s():
    for path in ["/nowhere", "/checkins/abc", "/notifications", "/static/app/missing.js"]:
        assert Client().get(path).status_code == 404, path


@pytest.mark.parametrize(
    ("typed", "screen"),
    [
        ("/history/", "/history"),
        ("/join/?code=7KQ2M-XR4PD", "/join?code=7KQ2M-XR4PD"),
        ("/checkins/12/", "/checkins/12"),
    ],
)
def test_a_screen_typed_with_a_slash_at_the_end_opens_that_screen_in_development_too(settings, typed, screen):
    settings.DEBUG = True
    response = Client().get(typed)
    assert (response.status_code, response["Location"]) == (301, screen)
    assert Client().get(screen).status_code == 200


def test_the_shell_says_the_limits_the_server_keeps_so_the_app_copies_none():
    shell = Client().get("/").content.decode()

    def said(name: str) -> dict:
        found = re.search(rf'<meta name="{name}" content="([^"]*)">', shell)
        assert found, name
        return json.loads(found.group(1).replace("&quot;", '"'))

    assert said("tandem-text-limits") == {"note": 2000, "display_name": 60, "signal_message": 280}
    assert said("tandem-schedule-limits") == {"interval_days": 365, "window_hours": 168}


def test_the_shell_allows_only_its_own_origin_and_its_import_map_as_inline_script():
    response = Client().get("/")
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    text = import_map_of(response.content.decode())
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    assert policy["script-src"] == f"'self' 'sha256-{digest}'"  # the map as sent, and nothing else


def test_the_import_map_names_every_module_of_the_app_and_the_vendored_libraries():
    imports = json.loads(import_map_of(Client().get("/").content.decode()))["imports"]
    assert {"preact", "preact/hooks", "htm", "app/main.js", "app/api.js", "app/screens/home.js"} <= set(imports)
    for name, url in imports.items():
        assert Client().get(url).status_code == 200, name
    for url in imports.values():
        module = Client().get(url).getvalue().decode()
        # Modules import each other by the map's bare names, so that no file is rewritten at release.
        relative = re.findall(r"""(?:import|from)\s*["'](\.{1,2}/[^"']+)["']""", module)
        assert relative == [], (url, relative)


def test_the_service_worker_is_served_at_the_root_uncached_with_the_shell_to_keep():
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    assert response["Service-Worker-Allowed"] == "/"
    text = response.content.decode()
    precache = json.loads(found(r"const PRECACHE = (\[.*?\]);", text))
    assert precache[0] == "/" and "/static/app/main.js" in precache and "/static/app/vendor/preact.mjs" in precache
    assert not [url for url in precache if url.startswith("/api/")]  # answers of the API are never kept
    assert f'const RELEASE = "{assets.release()}";' in text


def test_the_manifest_makes_the_app_installable():
    response = Client().get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"] == "Tandem"
    assert manifest["theme_color"] and manifest["background_color"]
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert Client().get(icon["src"]).status_code == 200


def test_the_api_docs_load_swagger_ui_from_tandem_itself(admin_client):
    html = Client().get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(url.startswith("/") and not url.startswith("//") for url in sources), sources
    assert any("swagger-ui" in url for url in sources)


def test_a_production_release_names_every_file_by_its_content_and_compresses_it(settings, tmp_path):
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # Only the app's own files: compressing the admin's and Swagger UI's would triple the time.
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=THIRD_PARTY_STATIC)

    imports = json.loads(assets.import_map())["imports"]
    main = imports["app/main.js"]
    assert re.fullmatch(r"/static/app/main\.[0-9a-f]{12}\.js", main), main
    for url in [*imports.values(), *assets.stylesheets(), *assets.precache_urls()[1:]]:
        collected = tmp_path / url.removeprefix("/static/")
        assert collected.is_file(), url
        if url.endswith((".js", ".mjs", ".css")):
            assert collected.with_name(collected.name + ".br").is_file(), url
            assert collected.with_name(collected.name + ".gz").is_file(), url


def test_no_api_answer_may_be_kept_by_a_browser_or_proxy_cache(seats):
    for response in (seats.alice_api.get("/api/v1/me"), seats.anonymous_api.get("/api/v1/checkins/current")):
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_service_worker_answers_only_the_app_s_screens_with_the_shell():
    text = Client().get("/sw.js").content.decode()
    pattern = re.compile(json.loads(found(r"const SCREEN_PATH = new RegExp\((.*?)\);", text)))
    for path in SCREEN_PATHS:
        assert pattern.search(path.split("?")[0]), path
    for path in ["/api/v1/me", "/api/docs/", "/admin/", "/healthz", "/sw.js", "/static/app/main.js", "/nowhere"]:
        assert not pattern.search(path), path


def policy_of(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


def test_the_api_docs_allow_only_their_own_origin_and_their_one_inline_style_by_hash():
    response = Client().get("/api/docs/")
    policy = policy_of(response)
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    html = response.content.decode()
    assert "<script>" not in html  # the start-up script is a file of its own
    style = found(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert policy["style-src"] == f"'self' 'sha256-{digest}'"
    script = Client().get(found(r'<script src="(/api/docs/\?[^"]*)"', html).replace("&amp;", "&"))
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/sw.js"])
def test_the_admin_and_the_service_worker_allow_only_their_own_origin_and_no_inline_code(admin_client, path):
    policy = policy_of(admin_client.get(path))
    assert (policy["default-src"], policy["script-src"], policy["style-src"]) == ("'self'", "'self'", "'self'")
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
