"""The canonical bytes of a state value, which its leaf in the state tree commits to."""

from __future__ import annotations

from typing import Any

import cbor2

# Values the plain encoder writes exactly as the canonical one does (no floats, no maps inside).
_SCALARS = frozenset({str, int, bytes, bool, type(None)})
_MAX_SHAPES = 256
# The key tuples of flat maps seen already in canonical order (shorter keys first, then bytewise): such a map is
# encoded without sorting its keys, three times faster. A new reading's asset is built in that order.
_ORDERED: set[tuple[str, ...]] = set()
_UNORDERED: set[tuple[str, ...]] = set()


def encode_state(value: Any) -> bytes:
    """Canonical CBOR of a value a rule wrote. Rules build values only from fields of transactions that were
    decoded and checked as canonical (no floats) and from integer arithmetic, so the encoder's own type walk
    (``ledger_lite.canonical``) is skipped here: it was a fifth of the cost of a block."""
    if type(value) is dict:
        keys = tuple(value)
        if (keys in _ORDERED or (keys not in _UNORDERED and _learn(keys))) \
                and _SCALARS.issuperset(map(type, value.values())):
            return bytes(cbor2.dumps(value))
    return bytes(cbor2.dumps(value, canonical=True))


def _learn(keys: tuple[Any, ...]) -> bool:
    """Whether ``keys`` are text in canonical order, remembered either way; past ``_MAX_SHAPES`` shapes the
    memory starts again (the shapes rules write are few: they come back at once)."""
    ordered = all(type(key) is str for key in keys) and list(keys) == sorted(keys, key=_canonical_key)
    if len(_ORDERED) + len(_UNORDERED) >= _MAX_SHAPES:
        _ORDERED.clear()
        _UNORDERED.clear()
    (_ORDERED if ordered else _UNORDERED).add(keys)
    return ordered


def _canonical_key(key: str) -> tuple[int, bytes]:
    encoded = key.encode()
    return len(encoded), encoded
