"""Deterministic CBOR (RFC 8949 §4.2.1 core deterministic encoding).

Every signed or hashed structure of the ledger is encoded here. Floats are refused: amounts are integer Wh
and times integer seconds, so two nodes can never disagree on a rounding.
"""

from __future__ import annotations

import hashlib
from typing import Any

import cbor2

from ledger_lite.errors import EncodingError

MAX_DEPTH = 16


_SCALARS = frozenset({int, str, bytes, bool, type(None)})


def _check(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise EncodingError(f"expected nesting of at most {MAX_DEPTH} levels, found deeper")
    kind = type(value)
    if kind in _SCALARS:
        return
    if kind is dict:  # fast path for the common case: text keys; anything unusual takes the slow path below
        for key, item in value.items():
            if type(key) is not str:
                break
            _check(item, depth + 1)
        else:
            return
    if isinstance(value, bool) or value is None or isinstance(value, int | str | bytes):
        return
    if isinstance(value, float):
        raise EncodingError(f"expected integers only, found float {value!r}")
    if isinstance(value, list | tuple):
        for item in value:
            _check(item, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            # Text keys only: for them cbor2's length-first order equals RFC 8949's bytewise order.
            if not isinstance(key, str):
                raise EncodingError(f"expected text map keys, found {type(key).__name__} {key!r:.20}")
            _check(item, depth + 1)
        return
    raise EncodingError(f"expected a CBOR data item, found {type(value).__name__}")


def canonical(value: Any) -> bytes:
    """Encode ``value`` as deterministic CBOR (sorted map keys, shortest lengths, no floats)."""
    _check(value)
    return cbor2.dumps(value, canonical=True)


def decode(data: bytes, *, require_canonical: bool = True) -> Any:
    """Decode CBOR bytes; with ``require_canonical`` the bytes must be exactly their canonical form."""
    try:
        value = cbor2.loads(data)
    except Exception as exc:  # cbor2 raises several types for malformed input
        raise EncodingError(f"expected well-formed CBOR, found {type(exc).__name__}: {exc}") from exc
    if isinstance(value, cbor2.CBORTag):
        raise EncodingError(f"expected an untagged data item, found tag {value.tag}")
    _check(value)
    if require_canonical and cbor2.dumps(value, canonical=True) != data:  # checked above: no second _check
        raise EncodingError("expected deterministic CBOR, found a non-canonical encoding")
    return value


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def digest(value: Any) -> bytes:
    """SHA-256 of the canonical encoding of ``value``."""
    return sha256(canonical(value))
