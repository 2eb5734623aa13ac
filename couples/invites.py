"""Invite codes: what they look like, how they are read back, and why they cannot be guessed.

A code is 10 characters from Crockford's base-32 alphabet (digits and capitals without I, L, O
and U, so nothing is ambiguous to type or read aloud): 32**10 = 2**50, about 1.1e15 codes. It is
shown as two groups of five, ``7KQ2M-XR4PD``, and read back in any case, with or without the
dash or spaces, with I/L taken as 1 and O as 0 as Crockford intends. Only a keyed hash
(HMAC-SHA256 under SECRET_KEY) is stored, so a leaked database does not yield live codes.

Guessing budget, written down so that it is checked when the throttles change:
- codes alive at once: at most one per person, living 48 hours; assume a generous 10**6.
- a guess is one ``POST /couple/join``, which needs an account. The join throttles allow 10
  guesses per hour per account and 30 per hour per address. The address is the connection's
  own (or the client's as named proxies report it, couples/throttles.py), so it cannot be made
  up: to use an address's 30 an attacker needs 3 accounts behind it, and registering allows 10
  accounts per hour per address, so accounts are never what runs short; addresses are. With
  1,000 addresses (and 3,000 accounts) that is at most 1,000 * 30 / 3,600 = 8.3 guesses per
  second; from one address, 30 per hour.
- chance of one guess hitting some live code: 10**6 / 2**50 = 8.9e-10.
- expected time to a first hit: 2**50 / (10**6 * 8.3) = 1.4e8 s, about 4 years of sustained
  guessing from a thousand addresses (about 4,300 years from one), and the prize is pairing
  with a random stranger who sees the intruder's name at once and can leave.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32
CODE_LENGTH = 10
GROUP = 5
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def generate_code() -> str:
    """A fresh code in its canonical form (no dash)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    return f"{code[:GROUP]}-{code[GROUP:]}"


def canonical_code(typed: str) -> str | None:
    """The canonical code for what a person typed, or None when it cannot be a code at all."""
    cleaned = "".join(ch for ch in typed.upper() if ch not in " -\t").translate(_READ_AS)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def hash_code(code: str) -> str:
    key = hashlib.sha256(f"tandem.invite:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()
