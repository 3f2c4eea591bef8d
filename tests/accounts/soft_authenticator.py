"""A software authenticator for tests: an EC P-256 key pair, attestation 'none', and signed
assertions, as a browser's passkey or a security key would answer (WebAuthn level 2, 6.1 and
6.5). Counters and origins can be set to what an attacker would send."""
import base64
import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FLAGS_USER_PRESENT = 0x01
FLAGS_USER_VERIFIED = 0x04
FLAGS_ATTESTED = 0x40


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftAuthenticator:
    def __init__(self, rp_id="127.0.0.1", origin="http://127.0.0.1:5000"):
        self.rp_id, self.origin = rp_id, origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0

    def _cose_public_key(self):
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})

    def _auth_data(self, flags, attested=b""):
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + struct.pack(">I", self.sign_count) + attested

    def _client_data(self, kind, challenge, origin=None):
        return json.dumps({"type": kind, "challenge": challenge,
                           "origin": origin or self.origin, "crossOrigin": False}).encode()

    def create(self, options, origin=None):
        """The answer to navigator.credentials.create() for the server's options (a dict)."""
        attested = (bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
                    + self._cose_public_key())
        auth_data = self._auth_data(FLAGS_USER_PRESENT | FLAGS_USER_VERIFIED | FLAGS_ATTESTED,
                                    attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {"id": b64url(self.credential_id), "rawId": b64url(self.credential_id),
                "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data),
                             "attestationObject": b64url(attestation),
                             "transports": ["internal"]}}

    def get(self, options, origin=None, count_up=True, credential_id=None):
        """The answer to navigator.credentials.get(); count_up=False sends the same counter
        again, as a replayed or cloned key would."""
        if count_up:
            self.sign_count += 1
        auth_data = self._auth_data(FLAGS_USER_PRESENT | FLAGS_USER_VERIFIED)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(),
                                  ec.ECDSA(hashes.SHA256()))
        raw_id = credential_id or self.credential_id
        return {"id": b64url(raw_id), "rawId": b64url(raw_id), "type": "public-key",
                "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data),
                             "authenticatorData": b64url(auth_data),
                             "signature": b64url(signature), "userHandle": None}}
