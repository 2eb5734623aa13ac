"""Whether a browser's push subscription keys can be encrypted to (RFC 8291). Checked when a
subscription is registered, so that a malformed key is the client's 400, not a send that fails
inside pywebpush at every round."""

import base64
import binascii
import re

from cryptography.hazmat.primitives.asymmetric import ec

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
P256DH_BYTES = 65  # an uncompressed P-256 point: 0x04, then x and y of 32 bytes each
AUTH_BYTES = 16


def _decoded(text: str) -> bytes | None:
    if not _BASE64URL.match(text):
        return None
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


def p256dh_problem(text: str) -> str | None:
    """Why `text` is not a usable `keys.p256dh`, in words for the client; None when it is."""
    raw = _decoded(text)
    if raw is None or len(raw) != P256DH_BYTES or raw[0] != 0x04:
        return "Must be the base64url text of the subscription's 65-byte uncompressed P-256 public key."
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return "Is not a point on the P-256 curve: send the key exactly as the browser gave it."
    return None


def auth_problem(text: str) -> str | None:
    """Why `text` is not a usable `keys.auth`; None when it is."""
    raw = _decoded(text)
    if raw is None or len(raw) != AUTH_BYTES:
        return "Must be the base64url text of the subscription's 16-byte auth secret."
    return None
