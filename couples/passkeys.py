"""The WebAuthn ceremonies of passkeys, on py_webauthn: the options a browser is given, and the
check of what its authenticator answers (attestation when a passkey is added, assertion when it
signs in). Saving and using a passkey are couples/services.py's.

Every challenge is made here, kept server-side in a cache every web process shares (the
"challenges" alias), for one purpose (adding, or signing in) and, when adding, one person, and is
taken (deleted) by the first answer that names it, right or wrong: a challenge answers once, within
CHALLENGE_SECONDS. The client only carries it into what its authenticator signs.
"""

import hashlib
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.utils.connection import ConnectionProxy
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.authentication.verify_authentication_response import VerifiedAuthentication
from webauthn.helpers import (
    parse_authentication_credential_json,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.options_to_json_dict import options_to_json_dict
from webauthn.helpers.structs import (
    AuthenticationCredential,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    RegistrationCredential,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from couples.models import PASSKEY_NAME_MAX_LENGTH, Passkey, User
from foundation.errors import Invalid

challenges_cache = cast(BaseCache, ConnectionProxy(caches, "challenges"))  # as Django's own `cache` is

# Long enough to find the phone and unlock it, short enough that a challenge lying around is soon
# worthless. The browser is told the same (`timeout`), so it gives up when the server would.
CHALLENGE_SECONDS = 5 * 60

ADD = "add"
SIGN_IN = "sign-in"

# One message for an unknown, a used and an expired challenge: which one it was helps nobody.
CHALLENGE_REFUSED = "This passkey request has expired or was already used. Start again."
NOT_A_CREDENTIAL = "This is not a passkey's answer (the PublicKeyCredential's toJSON()): {reason}"
NOT_VERIFIED = "The passkey's answer could not be verified: {reason}"
UNKNOWN_PASSKEY = "This passkey is not known to Tandem (it may have been removed). Sign in with your password."
# Errors that malformed input raises inside py_webauthn besides its own (base64 and CBOR decoding
# raise ValueError subclasses; a field of the wrong type, TypeError or KeyError).
_MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError)


def relying_party_id() -> str:
    """The host the app is served at (APP_BASE_URL), unless WEBAUTHN_RP_ID names another (a parent
    domain, to share passkeys with its subdomains). Passkeys are bound to it: changing it later
    leaves every passkey made before unusable."""
    return settings.WEBAUTHN_RP_ID or urlsplit(settings.APP_BASE_URL).hostname or ""


def app_origin() -> str:
    """The origin the app's pages are served from: what the browser writes into clientDataJSON."""
    parts = urlsplit(settings.APP_BASE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def user_handle(user: User) -> bytes:
    """What the authenticator keeps as the account's id (WebAuthn's user.id): the same for all of a
    person's passkeys, so that adding one again on the same authenticator replaces the old one
    there. No email or name in it (the spec asks for none)."""
    return str(user.pk).encode()


def registration_options(*, user: User, passkeys: list[Passkey]) -> dict[str, Any]:
    """PublicKeyCredentialCreationOptionsJSON for adding a passkey: discoverable (so that signing in
    needs no email), user verification preferred, no attestation (we trust no vendor list)."""
    options = generate_registration_options(
        rp_id=relying_party_id(),
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_id=user_handle(user),
        user_name=user.email,
        user_display_name=user.display_name,
        timeout=CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        # An authenticator that already holds one of the person's passkeys says so instead of
        # making a second.
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(passkey.credential_id), transports=_transports(passkey))
            for passkey in passkeys
        ],
    )
    _challenge_keep(options.challenge, purpose=ADD, user_id=user.pk)
    return options_to_json_dict(options)


def authentication_options() -> dict[str, Any]:
    """PublicKeyCredentialRequestOptionsJSON for signing in with any passkey of this site: no
    allowCredentials, so the browser offers the person the passkeys it holds."""
    options = generate_authentication_options(
        rp_id=relying_party_id(),
        timeout=CHALLENGE_SECONDS * 1000,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _challenge_keep(options.challenge, purpose=SIGN_IN, user_id=None)
    return options_to_json_dict(options)


@dataclass(frozen=True)
class NewPasskey:
    credential_id: bytes
    public_key: bytes
    sign_count: int
    transports: list[str]


def registration_verify(*, user: User, credential: dict[str, Any]) -> NewPasskey:
    """What the authenticator made for `user`, once its attestation checks out against the
    challenge given to `user`, this site's RP id and the app's origin; Invalid otherwise."""
    try:
        parsed = parse_registration_credential_json(credential)
    except _MALFORMED as error:
        raise _not_a_credential(error) from None
    _challenge_take(parsed, purpose=ADD, user_id=user.pk)
    try:
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=_challenge_of(parsed),
            expected_rp_id=relying_party_id(),
            expected_origin=app_origin(),
        )
    except _MALFORMED as error:
        raise _not_verified(error) from None
    return NewPasskey(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[transport.value for transport in parsed.response.transports or []],
    )


@dataclass(frozen=True)
class Assertion:
    """A signed-in answer, parsed and its challenge taken, before the passkey it names is checked."""

    credential: AuthenticationCredential

    @property
    def credential_id(self) -> bytes:
        return self.credential.raw_id


def assertion_read(credential: dict[str, Any]) -> Assertion:
    """The assertion in `credential`, with its sign-in challenge taken; Invalid when it is no
    assertion or its challenge is not one we gave out (or was used, or expired)."""
    try:
        parsed = parse_authentication_credential_json(credential)
    except _MALFORMED as error:
        raise _not_a_credential(error) from None
    _challenge_take(parsed, purpose=SIGN_IN, user_id=None)
    return Assertion(credential=parsed)


def assertion_verify(*, assertion: Assertion, passkey: Passkey) -> VerifiedAuthentication:
    """That `passkey` (found by the assertion's credential id) signed this assertion for this site
    and origin, for an account that may sign in; Invalid otherwise."""
    handle = assertion.credential.response.user_handle
    if not passkey.user.is_active or (handle is not None and handle != user_handle(passkey.user)):
        raise Invalid({"credential": [UNKNOWN_PASSKEY]})
    try:
        return verify_authentication_response(
            credential=assertion.credential,
            expected_challenge=_challenge_of(assertion.credential),
            expected_rp_id=relying_party_id(),
            expected_origin=app_origin(),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except _MALFORMED as error:
        raise _not_verified(error) from None


def default_name(user_agent: str) -> str:
    """ "Passkey on iPhone" and the like, from the browser's User-Agent: a name the person can tell
    apart in their list without being asked for one."""
    for marker, platform in _PLATFORMS:
        if marker in user_agent:
            return f"Passkey on {platform}"[:PASSKEY_NAME_MAX_LENGTH]
    return "Passkey"


# The first marker found names the platform (an iPad's and an Android's agents also say "Mac OS X"
# and "Linux", so they come first).
_PLATFORMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)


def _transports(passkey: Passkey) -> list[AuthenticatorTransport]:
    known = {transport.value for transport in AuthenticatorTransport}
    return [AuthenticatorTransport(name) for name in passkey.transports if name in known]


def _challenge_key(challenge: bytes, purpose: str) -> str:
    return f"passkey-challenge:{purpose}:{hashlib.sha256(challenge).hexdigest()}"


def _challenge_keep(challenge: bytes, *, purpose: str, user_id: int | None) -> None:
    challenges_cache.set(_challenge_key(challenge, purpose), {"user_id": user_id}, CHALLENGE_SECONDS)


def _challenge_of(credential: RegistrationCredential | AuthenticationCredential) -> bytes:
    return parse_client_data_json(credential.response.client_data_json).challenge


def _challenge_take(
    credential: RegistrationCredential | AuthenticationCredential, *, purpose: str, user_id: int | None
) -> None:
    """Takes the challenge the credential answers, or refuses it. Only the first of two answers at
    once deletes the key (the cache's delete says whether it did), so only one is let through."""
    try:
        challenge = _challenge_of(credential)
    except _MALFORMED as error:
        raise _not_a_credential(error) from None
    key = _challenge_key(challenge, purpose)
    kept = challenges_cache.get(key)
    if kept is None or not challenges_cache.delete(key) or kept["user_id"] != user_id:
        raise Invalid({"credential": [CHALLENGE_REFUSED]})


def _not_a_credential(error: Exception) -> Invalid:
    return Invalid({"credential": [NOT_A_CREDENTIAL.format(reason=_reason(error))]})


def _not_verified(error: Exception) -> Invalid:
    return Invalid({"credential": [NOT_VERIFIED.format(reason=_reason(error))]})


def _reason(error: Exception) -> str:
    text = str(error).replace(" See __cause__ for more info", "").strip()
    return text or type(error).__name__
