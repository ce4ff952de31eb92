"""Signed digests of the log: a short statement an auditor keeps, and its later proof.

``journey digest`` states "up to position N the log's root hash is R" at a time, signed with
the ledger's Ed25519 key. Later, ``journey verify --digest FILE`` checks the signature against
the ledger's key, recomputes the root at N (the log up to N is exactly what it was) and
verifies every later record (the log only grew from there).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from journey.errors import InvalidValue
from journey.verification import SealedLog, Verification, verify

__all__ = ["DigestCheck", "DigestStatement", "SigningKey", "check_digest", "make_digest"]

ALGORITHM = "sha256-seal-chain/ed25519"


@dataclass(frozen=True)
class DigestStatement:
    ledger: str
    position: int
    root: str  # hex
    stated_at: str  # ISO 8601, UTC
    algorithm: str
    public_key: str  # hex, raw Ed25519
    signature: str  # hex, over the other fields as canonical JSON

    def signed_part(self) -> bytes:
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> DigestStatement:
        try:
            data = json.loads(text)
            return cls(**{k: data[k] for k in cls.__dataclass_fields__})
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidValue("digest", f"not a digest statement ({exc})") from None


class SigningKey:
    """The ledger's Ed25519 key, kept in a file readable by its owner only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise InvalidValue("signing_key", f"{path} does not hold an Ed25519 key")
        self._key = key

    @property
    def public_hex(self) -> str:
        raw = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return raw.hex()

    def sign(self, data: bytes) -> str:
        return self._key.sign(data).hex()


def make_digest(
    log: SealedLog, key: SigningKey, *, ledger: str
) -> tuple[DigestStatement, Verification]:
    """Verify the whole log and state its root, signed. Refuses to sign a log that fails."""
    result = verify(log)
    if not result.ok:
        raise InvalidValue(
            "ledger", f"the log does not verify, so no digest was signed: {result.problem}"
        )
    unsigned = DigestStatement(
        ledger=ledger,
        position=result.position,
        root=result.root.hex(),
        stated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        algorithm=ALGORITHM,
        public_key=key.public_hex,
        signature="",
    )
    signed = DigestStatement(**{**asdict(unsigned), "signature": key.sign(unsigned.signed_part())})
    return signed, result


@dataclass(frozen=True)
class DigestCheck:
    signature_valid: bool
    signed_by_this_ledger: bool
    prefix_matches: bool  # the log up to the statement's position is what it was
    verification: Verification  # the whole log now

    @property
    def ok(self) -> bool:
        return (
            self.signature_valid
            and self.signed_by_this_ledger
            and self.prefix_matches
            and self.verification.ok
        )


def check_digest(log: SealedLog, statement: DigestStatement, key: SigningKey) -> DigestCheck:
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(statement.public_key))
        public.verify(bytes.fromhex(statement.signature), statement.signed_part())
        signature_valid = True
    except (ValueError, InvalidSignature):
        signature_valid = False
    whole = verify(log, checkpoint=statement.position)
    prefix_matches = (
        whole.checkpoint_root is not None and whole.checkpoint_root.hex() == statement.root
    )
    return DigestCheck(
        signature_valid=signature_valid,
        signed_by_this_ledger=statement.public_key == key.public_hex,
        prefix_matches=prefix_matches,
        verification=whole,
    )
