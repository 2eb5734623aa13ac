"""The service endpoints and the project's wiring: health, deploy checks, settings (the contract: test_contract.py)."""

import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from checkin import services
from checkin.scheduler import HEARTBEAT
from config import health
from config.celery import app as celery_app
from notifications.vapid import generate_key_pair

pytestmark = pytest.mark.once  # the same on either engine: run in the PostgreSQL pass only

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def recent_tick(db):
    services.heartbeat_record(name=HEARTBEAT, at=timezone.now())


def test_healthz_is_200_when_the_database_and_the_redis_broker_answer_and_the_tick_ran(client, recent_tick):
    assert celery_app.conf.broker_url.startswith("redis://")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "scheduler": "ok"}


@pytest.mark.django_db
@time_machine.travel(health.SERVING_SINCE + timedelta(hours=1), tick=False)
def test_healthz_is_503_when_the_tick_has_not_run_for_five_minutes(client):
    services.heartbeat_record(name=HEARTBEAT, at=timezone.now() - timedelta(minutes=6))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["scheduler"] == "stale"
    services.heartbeat_record(name=HEARTBEAT, at=timezone.now() - timedelta(minutes=4))
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("last_tick", [None, timedelta(days=1)], ids=["no tick ever", "a tick from before the start"])
def test_healthz_is_200_starting_before_the_first_tick_after_a_start_and_logs_no_error(client, caplog, last_tick):
    with time_machine.travel(health.SERVING_SINCE + timedelta(seconds=50), tick=False):
        if last_tick:
            services.heartbeat_record(name=HEARTBEAT, at=health.SERVING_SINCE - last_tick)
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "scheduler": "starting"}
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.django_db
def test_healthz_is_503_stale_when_no_tick_has_come_five_minutes_after_a_start(client):
    with time_machine.travel(health.SERVING_SINCE + health.SCHEDULER_STALE_AFTER, tick=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["scheduler"] == "stale"


def test_healthz_is_503_naming_the_broker_when_it_is_down(client, recent_tick):
    original = celery_app.conf.broker_url
    celery_app.conf["broker_url"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf["broker_url"] = original
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unreachable", "scheduler": "ok"}


@pytest.mark.django_db
def test_the_openapi_schema_and_the_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/couple/join" in schema.content
    assert client.get("/api/docs/").status_code == 200


def production_environment(**settings: str) -> dict[str, str]:
    """A production server's environment: this one's, less what only a test run sets, plus `settings`."""
    test_only = {"DJANGO_ALLOW_ASYNC_UNSAFE"}  # set for the browser tests (tests/web/conftest.py)
    return {
        **{name: value for name, value in os.environ.items() if name not in test_only},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 64 + "production-like-secret-with-enough-variety-0123456789",
        "ALLOWED_HOSTS": "tandem.example",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
        **settings,
    }


def test_check_deploy_is_clean_under_production_settings():
    private, public = generate_key_pair()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("private", "public", "problem"),
    [
        ("", "", "VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY are not both set"),
        ("not-a-key", "x", "VAPID_PRIVATE_KEY is not the base64url text of a P-256 private key"),
        (generate_key_pair()[0], generate_key_pair()[1], "VAPID_PUBLIC_KEY is not the public half"),
    ],
    ids=["none", "not a key", "halves of two pairs"],  # the same names in every pytest-xdist worker
)
def test_check_deploy_refuses_production_without_a_working_vapid_key_pair(private, public, problem):
    env = production_environment(VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "notifications.E001" in result.stderr and problem in result.stderr


def test_production_has_every_cache_the_code_asks_for(settings):
    # A cache alias missing in production is a 500 on the first request that needs it (passkeys'
    # challenges), which no test on the test settings would see.
    code = "import django; django.setup(); from django.conf import settings; print(' '.join(sorted(settings.CACHES)))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=production_environment(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == sorted(settings.CACHES)


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", ALLOWED_HOSTS="x", DATABASE_URL="sqlite:///x")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_a_url_no_route_matches_is_a_json_404(client):
    response = client.get("/api/v1/checkins/abc")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
