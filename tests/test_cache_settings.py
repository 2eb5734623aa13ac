"""The throttles' embedded default cache (no CACHE_URL, as under `make run`) is one that separate
processes share, so the throttles' budgets are not multiplied by the number of web processes."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import environ
import pytest
from django.http import HttpRequest
from django.utils.module_loading import import_string
from rest_framework.request import Request
from rest_framework.views import APIView

from config.settings import base
from couples.throttles import LoginThrottle

pytestmark = pytest.mark.once  # the same on either engine: run in the PostgreSQL pass only


def embedded_cache_at(location: Path):
    config = environ.Env.cache_url_config(base.EMBEDDED_THROTTLES_CACHE_URL)
    return import_string(config["BACKEND"])(str(location), config.get("OPTIONS", {}))


def logins_allowed_here(location: Path, attempts: int) -> list[bool]:
    throttle = LoginThrottle()
    throttle.cache = embedded_cache_at(location)
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = "203.0.113.9"
    return [throttle.allow_request(Request(request), view=APIView()) for _ in range(attempts)]


def logins_allowed_in_another_process(location: Path, attempts: int) -> list[bool]:
    script = textwrap.dedent(f"""
        import json
        import django
        django.setup()
        from pathlib import Path
        from tests.test_cache_settings import logins_allowed_here
        print(json.dumps(logins_allowed_here(Path({str(location)!r}), {attempts})))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=base.BASE_DIR)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_processes_on_the_embedded_throttles_cache_share_one_login_budget(tmp_path):
    # The login limit is 10 a minute per address: 5 here, 5 in another process, and the next
    # one, in either, is refused.
    assert logins_allowed_here(tmp_path, 5) == [True] * 5
    assert logins_allowed_in_another_process(tmp_path, 5) == [True] * 5
    assert logins_allowed_here(tmp_path, 1) == [False]
