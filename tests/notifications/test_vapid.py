"""VAPID keys: a fresh pair signs what its public half verifies; development keeps one pair. What a
push's VAPID header says is tested where it arrives (test_push_delivery.py)."""

import stat
from concurrent.futures import ThreadPoolExecutor

from py_vapid import Vapid02

from notifications.vapid import development_key_pair, generate_key_pair
from tests.notifications.fake_push import b64url_decode

SUBJECT = "mailto:hello@tandem.invalid"
NOW = 1_780_000_000.0


def test_a_generated_pair_signs_claims_that_its_public_key_verifies():
    private, public = generate_key_pair()
    assert len(b64url_decode(private)) == 32 and len(b64url_decode(public)) == 65
    vapid = Vapid02.from_raw(private.encode())
    headers = vapid.sign({"sub": "mailto:hello@tandem.invalid", "aud": "http://127.0.0.1"})
    assert Vapid02.verify(headers["Authorization"])
    assert headers["Authorization"].endswith(f"k={public}")


def test_development_makes_one_pair_on_first_use_keeps_it_private_and_reuses_it(tmp_path):
    path = tmp_path / "var" / "vapid.json"
    # Web, worker and beat start at the same moment on `make run`: all get the same pair.
    with ThreadPoolExecutor(max_workers=3) as pool:
        pairs = set(pool.map(lambda _: development_key_pair(path), range(3)))
    assert len(pairs) == 1
    assert development_key_pair(path) == pairs.pop()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]  # no drafts left behind
