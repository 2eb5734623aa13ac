"""VAPID for Web Push (RFC 8292): key pairs in the form the settings take them (the private key as
base64url of its 32 bytes, the public key as base64url of its uncompressed point), and the signed
`Authorization` header a push service checks.

The header is a JWT for one push service (its origin is the audience) that stays valid until its
`exp`, which RFC 8292 allows up to 24 hours ahead; each push signs its own.

No Django here: development settings call `development_key_pair` while they load."""

import functools
import json
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid02, b64urlencode


def generate_key_pair() -> tuple[str, str]:
    """A fresh (private, public) pair."""
    vapid = Vapid02()
    vapid.generate_keys()
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    public = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return b64urlencode(private), b64urlencode(public)


def development_key_pair(path: Path) -> tuple[str, str]:
    """The pair kept at `path`, made on first use: push works on `make run` with no set-up, and
    the browsers' subscriptions stay valid across restarts. Web, worker and beat start at once, so
    the file appears whole or not at all (written aside, then linked into place; the first wins)."""
    if not path.exists():
        private, public = generate_key_pair()
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as draft:
            json.dump({"private": private, "public": public}, draft)
        os.chmod(draft.name, 0o600)
        try:
            os.link(draft.name, path)
        except FileExistsError:
            pass  # another process was first: use its pair
        finally:
            os.unlink(draft.name)
    keys = json.loads(path.read_text())
    return keys["private"], keys["public"]


def key_pair_problem(private: str, public: str) -> str | None:
    """Why (`private`, `public`) cannot sign Web Push messages, in words for an operator; None if it can."""
    if not private or not public:
        return "VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY are not both set"
    try:
        vapid = Vapid02.from_raw(private.encode())
        derived = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    except Exception:  # py_vapid raises several kinds for a malformed key
        return "VAPID_PRIVATE_KEY is not the base64url text of a P-256 private key"
    if b64urlencode(derived) != public.rstrip("="):
        return "VAPID_PUBLIC_KEY is not the public half of VAPID_PRIVATE_KEY"
    return None


# How long a signed header is good for: within the 24 hours RFC 8292 allows.
TOKEN_LIFETIME_SECONDS = 12 * 3600


@functools.lru_cache(maxsize=8)
def _signer(private: str) -> Vapid02:
    return Vapid02.from_raw(private.encode())


def authorization(private: str, *, subject: str, audience: str, now: float) -> str:
    """A freshly signed `Authorization` header value for a push to `audience` (a push service's
    origin)."""
    expires = int(now) + TOKEN_LIFETIME_SECONDS
    return _signer(private).sign({"sub": subject, "aud": audience, "exp": expires})["Authorization"]
