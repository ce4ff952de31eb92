"""Encryption at rest: the library's AES-GCM cipher, with the key prepared once.

``eventsourcing.cryptography.AESCipher`` builds a new ``AESGCM`` object (and so expands the key)
for every event it encrypts or decrypts; this one keeps it. The stored format is the
library's own (nonce, tag, ciphertext), so either reads what the other wrote.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

__all__ = ["AT_REST_CIPHER_TOPIC", "PreparedAESCipher"]

AT_REST_CIPHER_TOPIC = "journey.at_rest:PreparedAESCipher"


class PreparedAESCipher(AESCipher):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self._aesgcm = AESGCM(self.key)

    def encrypt(self, plaintext: bytes) -> bytes:
        nonce = os.urandom(12)
        sealed = self._aesgcm.encrypt(nonce, plaintext, None)
        return nonce + sealed[-16:] + sealed[:-16]

    def decrypt(self, ciphertext: bytes) -> bytes:
        if len(ciphertext) < 28:
            raise ValueError("Damaged cipher text: too short for a nonce and a tag")
        try:
            return self._aesgcm.decrypt(ciphertext[:12], ciphertext[28:] + ciphertext[12:28], None)
        except InvalidTag as e:
            raise ValueError("Invalid cipher tag") from e
