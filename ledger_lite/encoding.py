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
NON_CANONICAL = "expected deterministic CBOR, found a non-canonical encoding"


def _check(value: Any, depth: int = 0, ordered: bool = False) -> None:
    """Raise ``EncodingError`` unless ``value`` is made of what the ledger encodes (no floats, text map keys, at
    most ``MAX_DEPTH`` levels); with ``ordered`` (decoded bytes), unless every map lists its keys in canonical
    order: shorter UTF-8 first, then bytewise (code point order is UTF-8's byte order)."""
    if depth > MAX_DEPTH:
        raise EncodingError(f"expected nesting of at most {MAX_DEPTH} levels, found deeper")
    kind = type(value)
    if kind in _SCALARS:
        return
    if kind is dict:  # fast path for the common case: text keys; anything unusual takes the slow path below
        last_size, last = -1, ""
        for key, item in value.items():
            if type(key) is not str:
                break
            if ordered:
                size = len(key) if key.isascii() else len(key.encode())
                if size < last_size or (size == last_size and key <= last):
                    raise EncodingError(NON_CANONICAL)
                last_size, last = size, key
            if type(item) not in _SCALARS or depth == MAX_DEPTH:
                _check(item, depth + 1, ordered)
        else:
            return
    if isinstance(value, bool) or value is None or isinstance(value, int | str | bytes):
        return
    if isinstance(value, float):
        raise EncodingError(f"expected integers only, found float {value!r}")
    if isinstance(value, list | tuple):
        for item in value:
            _check(item, depth + 1, ordered)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            # Text keys only: for them cbor2's length-first order equals RFC 8949's bytewise order.
            if not isinstance(key, str):
                raise EncodingError(f"expected text map keys, found {type(key).__name__} {key!r:.20}")
            _check(item, depth + 1, ordered)
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
    _check(value, ordered=require_canonical)
    # Canonical: every map's keys in order (checked above), and the bytes those of the value encoded as it was
    # decoded (minimal heads, definite lengths, no duplicate key, nothing after it). Several times cheaper than
    # encoding it again with ``canonical=True``, which sorts every map (the same answer:
    # ``tests/ledger_lite/test_encoding.py``).
    if require_canonical and cbor2.dumps(value) != data:
        raise EncodingError(NON_CANONICAL)
    return value


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def digest(value: Any) -> bytes:
    """SHA-256 of the canonical encoding of ``value``."""
    return sha256(canonical(value))
