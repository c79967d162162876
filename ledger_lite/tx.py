"""The signed transaction envelope.

    envelope = {chain, type, body, signer, nonce, time, sig}

The signature covers ``TX_DOMAIN || canonical(envelope without sig)``; ``tx_id = SHA-256(canonical(envelope))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ledger_lite.encoding import canonical, decode, sha256
from ledger_lite.errors import EncodingError
from ledger_lite.keys import PUBLIC_KEY_SIZE, SIGNATURE_SIZE, PublicKey, SigningKey

TX_DOMAIN = b"greencert/tx/v1\x00"
MAX_TX_BYTES = 64 * 1024
_SIGNED_HEAD = b"\xa7\x63sig\x58\x40"  # map(7), text(3) "sig", bytes(64)
_UNSIGNED_HEAD = b"\xa6"                  # map(6)
_SIG_ENTRY = len(_SIGNED_HEAD)
_FIELDS = {"chain": str, "type": str, "body": dict, "signer": bytes, "nonce": int, "time": int, "sig": bytes}


@dataclass(frozen=True)
class Transaction:
    """An envelope. Its encoding, id and signed bytes are computed once (the body must not be mutated)."""

    chain: str
    type: str
    body: dict[str, Any]
    signer: bytes
    nonce: int
    time: int
    sig: bytes

    def unsigned(self) -> dict[str, Any]:
        return {"chain": self.chain, "type": self.type, "body": self.body, "signer": self.signer,
                "nonce": self.nonce, "time": self.time}

    def signing_bytes(self) -> bytes:
        return self._signing_bytes

    @cached_property
    def _signing_bytes(self) -> bytes:
        return TX_DOMAIN + canonical(self.unsigned())

    def encode(self) -> bytes:
        return self._encoded

    @cached_property
    def _encoded(self) -> bytes:
        return canonical({**self.unsigned(), "sig": self.sig})

    @cached_property
    def tx_id(self) -> str:
        return sha256(self._encoded).hex()

    @property
    def signer_key(self) -> PublicKey:
        return PublicKey(self.signer)

    @cached_property
    def signer_address(self) -> str:
        return self.signer_key.address

    def verify_signature(self) -> None:
        """Raise ``SignatureError`` unless the envelope is signed by ``signer``."""
        self.signer_key.verify(self.sig, self.signing_bytes())


def sign_tx(key: SigningKey, *, chain: str, type: str, body: dict[str, Any], nonce: int, time: int) -> Transaction:
    unsigned = Transaction(chain=chain, type=type, body=body, signer=key.public.raw, nonce=nonce, time=time, sig=b"")
    return Transaction(chain=chain, type=type, body=body, signer=key.public.raw, nonce=nonce, time=time,
                       sig=key.sign(unsigned.signing_bytes()))


def decode_tx(data: bytes) -> Transaction:
    """Parse canonical envelope bytes (no signature check: see ``Transaction.verify_signature``)."""
    if len(data) > MAX_TX_BYTES:
        raise EncodingError(f"expected a transaction of at most {MAX_TX_BYTES} bytes, found {len(data)} bytes")
    return tx_from_value(decode(data), data)


def tx_from_value(value: Any, data: bytes) -> Transaction:
    """The envelope that ``value`` is, ``data`` being its canonical bytes (``decode_tx`` once they are decoded)."""
    if not isinstance(value, dict):
        raise EncodingError(f"expected a transaction map, found {type(value).__name__}")
    if value.keys() != _FIELDS.keys():
        raise EncodingError(f"expected transaction fields {sorted(_FIELDS)}, found {sorted(map(str, value))}")
    for name, kind in _FIELDS.items():
        if type(value[name]) is not kind:  # decoded CBOR: exact types (a bool is no int here)
            raise EncodingError(f"expected field {name!r} of type {kind.__name__}, found {type(value[name]).__name__}")
    if len(value["signer"]) != PUBLIC_KEY_SIZE or len(value["sig"]) != SIGNATURE_SIZE:
        raise EncodingError(f"expected a {PUBLIC_KEY_SIZE}-byte signer and a {SIGNATURE_SIZE}-byte signature, found "
                            f"{len(value['signer'])} and {len(value['sig'])} bytes")
    tx = Transaction(**value)
    tx.__dict__["_encoded"] = data  # canonical, so the bytes are the encoding
    # "sig" is the shortest key, so in canonical order it comes first: the unsigned envelope is the same bytes
    # without that entry, under a map header of 6 instead of 7 (saves encoding the envelope again to verify it).
    if data[:_SIG_ENTRY] == _SIGNED_HEAD:
        tx.__dict__["_signing_bytes"] = TX_DOMAIN + _UNSIGNED_HEAD + data[_SIG_ENTRY + SIGNATURE_SIZE:]
    return tx
