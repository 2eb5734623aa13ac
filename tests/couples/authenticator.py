"""A passkey authenticator in Python, for the API tests: it answers the server's options as a phone
would (an ES256 key made with `cryptography`, "none" attestation, CBOR from py_webauthn's helper),
and writes its answers as the browser's PublicKeyCredential.toJSON() does. Each answer can be bent
(another origin, another RP id, a challenge of its choosing) to see what the server refuses."""

import hashlib
import json
import os
from base64 import urlsafe_b64encode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.encode_cbor import encode_cbor

ORIGIN = "http://localhost:8000"
RP_ID = "localhost"

_USER_PRESENT, _USER_VERIFIED, _ATTESTED_DATA = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


class Authenticator:
    """One passkey, made by `create` and used by `get`."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0
        self.user_handle: bytes | None = None

    def create(
        self, options: dict, *, origin: str = ORIGIN, rp_id: str | None = None, challenge: str | None = None
    ) -> dict:
        """navigator.credentials.create(options), as toJSON() writes its answer."""
        self.user_handle = base64url_to_bytes(options["user"]["id"])
        client_data = self._client_data("webauthn.create", challenge or options["challenge"], origin)
        numbers = self.key.public_key().public_numbers()
        cose_key = encode_cbor(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )
        attested = bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + cose_key
        flags = _USER_PRESENT | _USER_VERIFIED | _ATTESTED_DATA
        auth_data = self._auth_data(rp_id or options["rp"]["id"], flags) + attested
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
        }

    def get(
        self, options: dict, *, origin: str = ORIGIN, rp_id: str | None = None, challenge: str | None = None
    ) -> dict:
        """navigator.credentials.get(options) with this passkey, as toJSON() writes its answer."""
        self.sign_count += 1
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        auth_data = self._auth_data(rp_id or options["rpId"], _USER_PRESENT | _USER_VERIFIED)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(self.user_handle or b""),
            },
        }

    def _auth_data(self, rp_id: str, flags: int) -> bytes:
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + self.sign_count.to_bytes(4, "big")

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()
