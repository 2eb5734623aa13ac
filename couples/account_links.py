"""The tokens of the account emails' links (a password reset, an address to confirm) and how they
are read back: Django's own machinery, nothing stored.

A token is made when its email is written (notifications/channels.py) from the person's row as it
is then, and holds nothing but the person's id, when it was made and a keyed hash of the state it
changes; so it is single use (the state moves on once it is used) and no token is kept anywhere:
not in the database, not in the email's stored text.

- A reset token is `PasswordResetTokenGenerator`'s, whose hash covers the password hash, the last
  login and the address: setting a new password (or signing in) spends it. It lasts
  PASSWORD_RESET_TIMEOUT (an hour).
- A confirmation token is signed by `django.core.signing` with the time, and carries a keyed hash
  of the address it confirms: once that address is confirmed, or another one waits instead, it
  no longer matches. It lasts EMAIL_CONFIRMATION_MAX_AGE.
"""

from datetime import timedelta

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from couples.models import User

EMAIL_CONFIRMATION_MAX_AGE = timedelta(days=3)
_CONFIRM_SALT = "tandem.couples.confirm-email"
_CONFIRM_ADDRESS_SALT = "tandem.couples.confirm-email.address"


class _PasswordResetTokens(PasswordResetTokenGenerator):
    key_salt = "tandem.couples.password-reset"


_reset_tokens = _PasswordResetTokens()


def password_reset_token(user: User) -> str:
    """`<the person's id, base64>.<Django's reset token>`: one token in the link."""
    return f"{urlsafe_base64_encode(force_bytes(user.pk))}.{_reset_tokens.make_token(user)}"


def password_reset_user(token: str) -> User | None:
    """The active person a reset token is for, while it is theirs and unspent; None otherwise
    (wrong, used and expired alike)."""
    encoded_id, _, reset_token = token.partition(".")
    try:
        user_id = int(force_str(urlsafe_base64_decode(encoded_id)))
    except (ValueError, TypeError, OverflowError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not _reset_tokens.check_token(user, reset_token):
        return None
    return user


def address_to_confirm(user: User) -> str | None:
    """The address that waits for confirmation: the one asked for, else an unconfirmed `email`."""
    if user.pending_email:
        return user.pending_email
    return None if user.email_confirmed else user.email


def _address_hash(user_id: int, address: str) -> str:
    return salted_hmac(_CONFIRM_ADDRESS_SALT, f"{user_id}:{address}", algorithm="sha256").hexdigest()[:32]


def confirmation_token(user: User) -> str | None:
    """A token that confirms the address waiting now (None when none waits)."""
    address = address_to_confirm(user)
    if address is None:
        return None
    return signing.dumps([user.pk, _address_hash(user.pk, address)], salt=_CONFIRM_SALT, compress=False)


def confirmation_user(token: str) -> User | None:
    """The person whose waiting address a token confirms, while it still waits; None otherwise
    (wrong, used, expired, or an address since replaced by another)."""
    try:
        user_id, address_hash = signing.loads(token, salt=_CONFIRM_SALT, max_age=EMAIL_CONFIRMATION_MAX_AGE)
        user_id, address_hash = int(user_id), str(address_hash)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    address = address_to_confirm(user) if user is not None else None
    if address is None or not constant_time_compare(_address_hash(user_id, address), address_hash):
        return None
    return user
