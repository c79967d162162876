"""COSE_Sign1 (RFC 9052 §4.2) with EdDSA, the only algorithm GreenCert signs with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import cbor2

from ledger_lite.errors import PayloadError
from ledger_lite.keys import PublicKey, SigningKey

COSE_SIGN1_TAG = 18
HEADER_ALG = 1
HEADER_KID = 4
ALG_EDDSA = -8


@dataclass(frozen=True)
class Sign1:
    protected: bytes  # the serialized protected header, as signed
    kid: bytes
    payload: bytes
    signature: bytes

    def verify(self, key: PublicKey) -> None:
        try:
            key.verify(self.signature, sig_structure(self.protected, self.payload))
        except Exception as exc:
            raise PayloadError("signature", f"COSE signature does not verify for kid {self.kid.hex()}") from exc


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """Sig_structure = ["Signature1", body_protected, external_aad, payload] (RFC 9052 §4.4)."""
    return bytes(cbor2.dumps(["Signature1", protected, b"", payload], canonical=True))


def sign1(key: SigningKey, payload: bytes) -> bytes:
    protected = bytes(cbor2.dumps({HEADER_ALG: ALG_EDDSA, HEADER_KID: key.public.kid}, canonical=True))
    signature = key.sign(sig_structure(protected, payload))
    return bytes(cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]), canonical=True))


def parse_sign1(data: bytes) -> Sign1:
    try:
        value = cbor2.loads(data)
    except Exception as exc:
        raise PayloadError("cose", f"expected CBOR, found undecodable bytes ({type(exc).__name__})") from exc
    if isinstance(value, cbor2.CBORTag):
        if value.tag != COSE_SIGN1_TAG:
            raise PayloadError("cose", f"expected COSE_Sign1 tag 18, found tag {value.tag}")
        value = value.value
    if not (isinstance(value, list | tuple) and len(value) == 4):
        raise PayloadError("cose", "expected a COSE_Sign1 array of 4 items")
    protected, unprotected, payload, signature = value
    if not (isinstance(protected, bytes) and isinstance(unprotected, Mapping)
            and isinstance(payload, bytes) and isinstance(signature, bytes)):
        raise PayloadError("cose", "expected COSE_Sign1 items bstr, map, bstr, bstr")
    try:
        header = cbor2.loads(protected) if protected else {}
    except Exception as exc:
        raise PayloadError("cose", "expected a CBOR map as protected header") from exc
    if not isinstance(header, Mapping):
        raise PayloadError("cose", "expected a CBOR map as protected header")
    if header.get(HEADER_ALG) != ALG_EDDSA:
        raise PayloadError("cose", f"expected alg EdDSA (-8), found {header.get(HEADER_ALG)!r}")
    kid = header.get(HEADER_KID, unprotected.get(HEADER_KID))
    if not isinstance(kid, bytes):
        raise PayloadError("kid", "expected a kid (bstr) in the protected header, found none")
    return Sign1(protected=protected, kid=kid, payload=payload, signature=signature)
