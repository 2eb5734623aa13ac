"""What the app shell loads, under the URLs that the static files storage gives them.

In production the storage is whitenoise's compressed manifest storage, so every URL carries a
hash of its file's content (cache-busted, cached for a year); in development and tests the plain
names are served straight from the apps' static folders. The app's modules import each other by
bare names ("app/api.js", "preact"), which the shell's import map turns into those URLs, so no
module text is rewritten and a changed file changes only its own URL.
"""

import base64
import hashlib
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static

APP_DIR = "app"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates" / "web"
# Bare names for the vendored libraries (web/static/app/vendor/VENDOR.md says where they come from).
VENDOR_MODULES = {
    "preact": "app/vendor/preact.mjs",
    "preact/hooks": "app/vendor/preact-hooks.mjs",
    "htm": "app/vendor/htm.mjs",
}
ENTRY_MODULE = "app/main.js"
# The app's base styles; each screen's own stylesheet (app/screens/<screen>.css) follows it.
BASE_STYLESHEET = "app/app.css"
ICONS = {
    "192": "app/icons/icon-192.png",
    "512": "app/icons/icon-512.png",
    "maskable": "app/icons/icon-maskable-512.png",
    "apple": "app/icons/apple-touch-icon.png",
}


def _app_files(suffix: str) -> list[str]:
    """Every file of the app's static folder ending in `suffix`, as a static path, sorted."""
    names: set[str] = set()
    for finder in finders.get_finders():
        for path, _storage in finder.list([]):
            if path.startswith(f"{APP_DIR}/") and path.endswith(suffix):
                names.add(path.replace("\\", "/"))
    return sorted(names)


@cache
def app_modules() -> list[str]:
    return [name for name in _app_files(".js") if not name.startswith(f"{APP_DIR}/vendor/")]


@cache
def stylesheets() -> list[str]:
    """The URLs of the shell's stylesheets: the base first, then the screens' own."""
    rest = [name for name in _app_files(".css") if name != BASE_STYLESHEET]
    return [static(BASE_STYLESHEET), *(static(name) for name in rest)]


@cache
def import_map() -> str:
    """The import map's JSON text: each bare name to its (hashed) URL."""
    imports = {name: static(path) for name, path in VENDOR_MODULES.items()}
    imports |= {name: static(name) for name in app_modules()}
    return json.dumps({"imports": imports}, indent=1, sort_keys=True)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def strict_content_security_policy(*, scripts: Iterable[str] = (), styles: Iterable[str] = ()) -> str:
    """The one policy of every page Tandem serves (the shell, the service worker, the API docs, the
    admin): nothing from another origin, and no inline script or style but the exact texts given,
    each allowed by its hash."""
    script_hashes = "".join(f" {_csp_hash(text)}" for text in scripts)
    style_hashes = "".join(f" {_csp_hash(text)}" for text in styles)
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self'{script_hashes}",
            f"style-src 'self'{style_hashes}",
            "img-src 'self' data:",
            "connect-src 'self'",
            "manifest-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@cache
def content_security_policy() -> str:
    """The shell's: its one inline element is the import map (browsers take no import map by URL)."""
    return strict_content_security_policy(scripts=[import_map()])


@cache
def precache_urls() -> list[str]:
    """What the service worker keeps for starting offline: the shell, its modules, styles and icons."""
    files = [*VENDOR_MODULES.values(), *app_modules(), *_app_files(".css"), *ICONS.values()]
    return ["/", *sorted({static(path) for path in files})]


@cache
def release() -> str:
    """Names this build of the shell: it changes whenever any file the shell loads changes (their
    URLs carry content hashes in production; in development the files' own bytes are hashed), so
    a new release installs a new service worker, which replaces the old cache."""
    digest = hashlib.sha256()
    digest.update(import_map().encode())
    for template in sorted(TEMPLATES_DIR.iterdir()):
        digest.update(template.read_bytes())
    for url in precache_urls():
        digest.update(url.encode())
    if settings.DEBUG or not settings.STORAGES["staticfiles"]["BACKEND"].endswith("ManifestStaticFilesStorage"):
        for path in [*VENDOR_MODULES.values(), *app_modules(), *_app_files(".css")]:
            found = finders.find(path)
            if found:
                digest.update(Path(found).read_bytes())
    return digest.hexdigest()[:16]
