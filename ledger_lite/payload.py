"""Certificate QR payload: CBOR claims → COSE_Sign1 (EdDSA) → zlib → Base45 → ``GC1:``.

Modelled on the EU Digital COVID Certificate; decoding names the step that failed.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import base45
import cbor2

from ledger_lite.cose import parse_sign1, sign1
from ledger_lite.encoding import canonical
from ledger_lite.errors import PayloadError
from ledger_lite.keys import PublicKey, SigningKey

PREFIX = "GC1:"
MAX_PAYLOAD_CHARS = 4096
MAX_INFLATED_BYTES = 16 * 1024
_INT_CLAIMS = ("h", "wh", "ps", "pe", "iat")
_STR_CLAIMS = ("cid", "chain", "own", "m", "inst")


@dataclass(frozen=True)
class Claims:
    cid: str    # certificate id = issuance transaction id (hex)
    chain: str  # chain id
    h: int      # block height of the issuance
    own: str    # owner (user name)
    m: str      # production method
    wh: int     # amount in Wh
    ps: int     # period start, Unix seconds
    pe: int     # period end, Unix seconds
    inst: str   # issuing institution id
    iat: int    # issued at, Unix seconds
    # Optional (issue 15): Wh of ``wh`` that are time-matched (each asset generated in the half hour it was allocated
    # to), as the issuer computed it from the ledger's asset records. Left out of the CBOR when None, so payloads
    # without it encode as before.
    tm: int | None = None

    def to_cbor(self) -> dict[str, Any]:
        claims = asdict(self)
        if claims["tm"] is None:
            del claims["tm"]
        return claims

    @classmethod
    def from_cbor(cls, value: Any) -> Claims:
        if not isinstance(value, dict):
            raise PayloadError("claims", f"expected a claims map, found {type(value).__name__}")
        for name in _STR_CLAIMS + _INT_CLAIMS:
            if name not in value:
                raise PayloadError("claims", f"missing claim {name!r}")
        for name in _STR_CLAIMS:
            if not isinstance(value[name], str):
                raise PayloadError("claims", f"expected claim {name!r} as text, found {type(value[name]).__name__}")
        for name in _INT_CLAIMS:
            if not isinstance(value[name], int) or isinstance(value[name], bool):
                raise PayloadError("claims", f"expected claim {name!r} as integer, found {value[name]!r:.40}")
        tm = value.get("tm")
        if tm is not None and (not isinstance(tm, int) or isinstance(tm, bool) or tm < 0):
            raise PayloadError("claims", f"expected claim 'tm' as a non-negative integer, found {tm!r:.40}")
        return cls(**{name: value[name] for name in _STR_CLAIMS + _INT_CLAIMS}, tm=tm)


@dataclass(frozen=True)
class DecodedPayload:
    claims: Claims
    kid: bytes


def encode_payload(claims: Claims, key: SigningKey) -> str:
    cose = sign1(key, canonical(claims.to_cbor()))
    encoded: bytes = base45.b45encode(zlib.compress(cose, 9))
    return PREFIX + encoded.decode("ascii")


def _unwrap(text: str) -> bytes:
    if len(text) > MAX_PAYLOAD_CHARS:
        raise PayloadError("prefix", f"expected at most {MAX_PAYLOAD_CHARS} characters, found {len(text)}")
    if not text.startswith(PREFIX):
        raise PayloadError("prefix", f"expected text starting with {PREFIX!r}, found {text[:8]!r}")
    try:
        compressed = base45.b45decode(text[len(PREFIX):])
    except Exception as exc:
        raise PayloadError("base45", f"expected Base45 text after the prefix: {exc}") from exc
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(compressed, MAX_INFLATED_BYTES)
        if inflater.unconsumed_tail:
            raise PayloadError("zlib", f"expected at most {MAX_INFLATED_BYTES} bytes once inflated")
        if not inflater.eof:
            raise PayloadError("zlib", "expected a complete zlib stream, found a truncated one")
    except zlib.error as exc:
        raise PayloadError("zlib", f"expected zlib-compressed data: {exc}") from exc
    return data


def decode_payload(text: str, trust: Mapping[bytes, PublicKey]) -> DecodedPayload:
    """Decode and verify ``text`` against ``trust`` (kid → issuer key). Raises ``PayloadError`` naming the step."""
    sign1_msg = parse_sign1(_unwrap(text.strip()))
    key = trust.get(sign1_msg.kid)
    if key is None:
        raise PayloadError("kid", f"issuer key {sign1_msg.kid.hex()} is not in the trust list")
    sign1_msg.verify(key)
    try:
        claims = cbor2.loads(sign1_msg.payload)
    except Exception as exc:
        raise PayloadError("claims", "expected CBOR claims inside the COSE payload") from exc
    return DecodedPayload(claims=Claims.from_cbor(claims), kid=sign1_msg.kid)


def peek_payload(text: str) -> DecodedPayload:
    """Decode without verifying the signature (to show what a payload claims before it is checked)."""
    sign1_msg = parse_sign1(_unwrap(text.strip()))
    try:
        claims = cbor2.loads(sign1_msg.payload)
    except Exception as exc:
        raise PayloadError("claims", "expected CBOR claims inside the COSE payload") from exc
    return DecodedPayload(claims=Claims.from_cbor(claims), kid=sign1_msg.kid)
