"""VAPID keys: a fresh pair signs what its public half verifies; development keeps one pair; the
token kept per push service says what a freshly signed one says, and is renewed before it ends."""

import stat
from concurrent.futures import ThreadPoolExecutor

from py_vapid import Vapid02

from notifications import vapid
from notifications.vapid import development_key_pair, generate_key_pair
from tests.notifications.fake_push import b64url_decode, jwt_claims, vapid_public_key

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


def test_the_kept_token_of_a_push_service_carries_what_a_freshly_signed_one_does():
    private, public = generate_key_pair()
    tokens = vapid.Tokens()
    for audience in ("https://fcm.googleapis.com", "https://updates.push.services.mozilla.com"):
        kept = tokens.authorization(private, subject=SUBJECT, audience=audience, now=NOW)
        fresh, expires = vapid.authorization(private, subject=SUBJECT, audience=audience, now=NOW)
        assert jwt_claims(kept) == jwt_claims(fresh) == {"sub": SUBJECT, "aud": audience, "exp": expires}
        assert vapid_public_key(kept) == vapid_public_key(fresh) == public
        # RFC 8292: no more than 24 hours ahead.
        assert NOW < expires <= NOW + 24 * 3600


def test_one_token_per_push_service_is_signed_and_reused_until_an_hour_before_it_ends():
    private, _ = generate_key_pair()
    tokens = vapid.Tokens()
    first = tokens.authorization(private, subject=SUBJECT, audience="https://a.example", now=NOW)
    expires = jwt_claims(first)["exp"]
    assert tokens.authorization(private, subject=SUBJECT, audience="https://a.example", now=expires - 3601) == first
    other = tokens.authorization(private, subject=SUBJECT, audience="https://b.example", now=NOW)
    assert jwt_claims(other)["aud"] == "https://b.example"
    renewed = tokens.authorization(private, subject=SUBJECT, audience="https://a.example", now=expires - 3599)
    assert renewed != first and jwt_claims(renewed)["exp"] > expires
    # A clock set back never gets a token that runs more than 12 hours ahead of it.
    earlier = tokens.authorization(private, subject=SUBJECT, audience="https://b.example", now=NOW - 3600)
    assert jwt_claims(earlier)["exp"] <= NOW - 3600 + vapid.TOKEN_LIFETIME_SECONDS
    # A new key (the operator rotated it) is never answered with the old key's token.
    rotated, rotated_public = generate_key_pair()
    token = tokens.authorization(rotated, subject=SUBJECT, audience="https://a.example", now=NOW)
    assert vapid_public_key(token) == rotated_public
