"""The contract (../shared/API.md), section by section: every operation of its tables is in the
OpenAPI schema (checked by the contract's own tool, ../shared/tools/contract-check), and what the
tool leaves out, the service endpoints and the app's own pages, answers as the contract says.
A section added to the contract fails here until it is checked."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from checkin import services
from checkin.scheduler import HEARTBEAT

pytestmark = pytest.mark.once  # the same on either engine: run in the PostgreSQL pass only

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT.parent / "shared" / "API.md"
NEXT_CONTRACT = ROOT.parent / "shared" / "API-next.md"
CONTRACT_CHECK = ROOT.parent / "shared" / "tools" / "contract-check"

OPERATION_SECTIONS = ["Accounts", "Pairing", "Check-ins", "Discussions", "Notifications"]
SERVICE = "Service"
APP_PAGES = "The app's own pages (served by Tandem, not part of the JSON API)"


def contract_text(contract: Path = CONTRACT) -> str:
    if not contract.exists():
        pytest.fail(f"{contract} is missing: the contract lives beside the project")
    return contract.read_text()


def sections(contract: Path = CONTRACT) -> dict[str, str]:
    """The contract's `## ` sections, by title."""
    parts = re.split(r"^## (.+)$", contract_text(contract), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def operations(section: str, contract: Path = CONTRACT) -> list[tuple[str, str]]:
    """(method, path) of every row of a section's tables, `{id}` and the like as `{}`."""
    found = []
    for line in sections(contract)[section].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[1].startswith("/"):
            path = re.sub(r"\{[^}]*\}", "{}", cells[1])
            found += [(method.strip(), path) for method in cells[0].split(",")]
    return found


def test_every_section_of_the_contract_is_checked_here():
    assert list(sections()) == [*OPERATION_SECTIONS, SERVICE, APP_PAGES]


def test_the_schema_has_every_operation_of_every_section_of_the_contract():
    if not CONTRACT_CHECK.exists():
        pytest.fail(f"{CONTRACT_CHECK} is missing: the contract lives beside the project")
    result = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(operations(section) for section in OPERATION_SECTIONS)  # the tables are read
    in_operation_sections = {op for section in OPERATION_SECTIONS for op in operations(section)}
    # The tool counts every operation of the contract and finds in the schema all but the service
    # endpoints, which describe no API and are called below.
    total = len(in_operation_sections) + len(operations(SERVICE))
    assert f"contract operations: {total}, in the schema: {len(in_operation_sections)}, missing: 0" in result.stdout


# The operations of ../shared/API-next.md built so far, by the start of their section's title (until
# the section moves into API.md): each must be in that section and in the schema. EVERY: the whole
# section's table.
EVERY = "every operation of the section"
NEXT_BUILT: dict[str, list[tuple[str, str]] | str] = {
    "Accounts": [
        ("POST", "/api/v1/auth/password-reset"),
        ("POST", "/api/v1/auth/password-reset/confirm"),
        ("POST", "/api/v1/me/password"),
        ("POST", "/api/v1/me/email"),
        ("POST", "/api/v1/auth/confirm-email"),
    ],
    "Devices and passkeys": EVERY,
    "Signals between check-ins": EVERY,
    "Service": EVERY,  # GET /metrics, answered as it says in tests/test_metrics.py
}


def test_the_schema_has_the_operations_of_the_next_contract_that_are_built():
    result = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK), "--contract", str(NEXT_CONTRACT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    missing = set(re.findall(r"^missing from the schema: (\S+) (\S+)$", result.stdout, flags=re.M))
    titles = sections(NEXT_CONTRACT)
    for start, built in NEXT_BUILT.items():
        [title] = [title for title in titles if title.startswith(start)]
        listed = operations(title, NEXT_CONTRACT)
        assert listed, title  # the table is read
        for method, path in listed if isinstance(built, str) else built:
            assert (method, path) in listed, (title, method, path)
            assert (method, path) not in missing, result.stdout


@pytest.mark.django_db
def test_the_passkey_ceremonies_the_contract_leaves_to_the_server_are_in_the_schema():
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/me/passkeys/options",
        "/api/v1/me/passkeys",
        "/api/v1/auth/passkey/options",
        "/api/v1/auth/passkey",
    ):
        assert "post" in schema["paths"].get(path, {}), path


@pytest.mark.django_db
def test_the_service_endpoints_answer_as_the_contract_says():
    assert operations(SERVICE) == [("GET", "/healthz"), ("GET", "/api/schema/"), ("GET", "/api/docs/")]
    client = Client()
    services.heartbeat_record(name=HEARTBEAT, at=timezone.now())  # the tick ran a moment ago
    health = client.get("/healthz")
    assert (health.status_code, health.json()) == (200, {"database": "ok", "broker": "ok", "scheduler": "ok"})
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and schema.content.startswith(b"openapi: 3.")
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content


@pytest.mark.django_db
def test_the_app_pages_the_backend_links_to_exist(seats):
    listed = sections()[APP_PAGES]
    for path in ("/", "/join?code=", "/notifications/<id>", "/sw.js"):
        assert f"`{path}" in listed, path  # the pages checked here are still the ones listed
    client = Client()
    shell = client.get("/")
    assert shell.status_code == 200 and shell["Content-Type"].startswith("text/html")
    # The links of invites, pushes and emails open the same shell, which routes itself.
    for link in ("/join?code=7KQ2M-XR4PD", "/notifications/1"):
        opened = client.get(link)
        assert (opened.status_code, opened.content) == (200, shell.content), link
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and "no-cache" in worker["Cache-Control"]
    manifest = re.search(rb'<link rel="manifest" href="([^"]+)"', shell.content)
    assert manifest is not None, "the shell links no manifest"
    assert client.get(manifest.group(1).decode()).status_code == 200


@pytest.mark.django_db
def test_the_links_of_the_account_emails_open_the_app():
    client = Client()
    shell = client.get("/")
    for link in ("/reset-password?token=MQ.abc-def", "/confirm-email?token=abc:def"):
        opened = client.get(link)
        assert (opened.status_code, opened.content) == (200, shell.content), link
