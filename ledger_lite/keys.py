"""Ed25519 keys, addresses and key ids.

An address is ``gc1`` followed by the first 20 bytes of SHA-256(public key) in hex; a ``kid`` (COSE key id)
is the first 8 bytes of the same hash.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger_lite.errors import KeyFormatError, SignatureError

ADDRESS_PREFIX = "gc1"
PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64


@dataclass(frozen=True)
class PublicKey:
    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != PUBLIC_KEY_SIZE:
            raise KeyFormatError(f"expected a {PUBLIC_KEY_SIZE}-byte Ed25519 public key, found {len(self.raw)} bytes")

    @property
    def address(self) -> str:
        return address_of(self.raw)

    @property
    def kid(self) -> bytes:
        return kid_of(self.raw)

    def verify(self, signature: bytes, message: bytes) -> None:
        """Raise ``SignatureError`` unless ``signature`` is this key's signature over ``message``."""
        if len(signature) != SIGNATURE_SIZE:
            raise SignatureError(f"expected a {SIGNATURE_SIZE}-byte signature, found {len(signature)} bytes")
        try:
            _verifier(self.raw).verify(signature, message)
        except InvalidSignature as exc:
            raise SignatureError(f"signature does not verify for key {self.address}") from exc

    def hex(self) -> str:
        return self.raw.hex()

    @classmethod
    def from_hex(cls, text: str) -> PublicKey:
        try:
            return cls(bytes.fromhex(text))
        except ValueError as exc:
            raise KeyFormatError(f"expected a hex public key, found {text[:20]!r}") from exc


@functools.lru_cache(maxsize=1 << 14)
def _verifier(raw: bytes) -> Ed25519PublicKey:
    """The key object for ``raw``, made once: a node verifies the same meters' keys again and again, and making
    one costs a few microseconds of the ~130 a verification takes."""
    return Ed25519PublicKey.from_public_bytes(raw)


class SigningKey:
    """An Ed25519 private key."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public = PublicKey(
            private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        if len(seed) != 32:
            raise KeyFormatError(f"expected a 32-byte Ed25519 seed, found {len(seed)} bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def derive(cls, label: str) -> SigningKey:
        """A deterministic key from a label: for demo data and tests only, never for real identities."""
        return cls.from_seed(hashlib.sha256(b"greencert/demo-key/" + label.encode()).digest())

    def seed(self) -> bytes:
        return self._private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    @property
    def address(self) -> str:
        return self.public.address


def address_of(public_key: bytes) -> str:
    return ADDRESS_PREFIX + hashlib.sha256(public_key).digest()[:20].hex()


def kid_of(public_key: bytes) -> bytes:
    return hashlib.sha256(public_key).digest()[:8]


def is_address(text: str) -> bool:
    body = text[len(ADDRESS_PREFIX):]
    return text.startswith(ADDRESS_PREFIX) and len(body) == 40 and all(c in "0123456789abcdef" for c in body)
