"""The canonical bytes of a state value, which its leaf in the state tree commits to."""

from __future__ import annotations

from typing import Any

import cbor2

# Values the plain encoder writes exactly as the canonical one does (no floats, no maps inside).
_SCALARS = frozenset({str, int, bytes, bool, type(None)})
_MAX_SHAPES = 256
# What is known of the key tuples of flat maps seen already: ``True`` when they are text in canonical order
# (shorter keys first, then bytewise), their canonical order when they are text in another order, ``False`` when
# a key is not text. Such a map is encoded by the plain encoder, in that order, without sorting its keys: three
# times faster than the canonical encoder. A new reading's asset is built in canonical order; a certified one
# (``ledger.rules.certificates``) has its ``cert`` last.
_SHAPES: dict[tuple[Any, ...], bool | tuple[str, ...]] = {}


def encode_state(value: Any) -> bytes:
    """Canonical CBOR of a value a rule wrote. Rules build values only from fields of transactions that were
    decoded and checked as canonical (no floats) and from integer arithmetic, so the encoder's own type walk
    (``ledger_lite.canonical``) is skipped here: it was a fifth of the cost of a block."""
    if type(value) is dict:
        keys = tuple(value)
        order = _SHAPES.get(keys)
        if order is None:
            order = _learn(keys)
        if order is not False and _SCALARS.issuperset(map(type, value.values())):
            if order is not True:
                value = {key: value[key] for key in order}
            return bytes(cbor2.dumps(value))
    return bytes(cbor2.dumps(value, canonical=True))


def _learn(keys: tuple[Any, ...]) -> bool | tuple[str, ...]:
    """What ``_SHAPES`` says of ``keys``, remembered; past ``_MAX_SHAPES`` shapes the memory starts again (the
    shapes rules write are few: they come back at once)."""
    order: bool | tuple[str, ...] = False
    if all(type(key) is str for key in keys):
        ordered = tuple(sorted(keys, key=_canonical_key))
        order = True if ordered == keys else ordered
    if len(_SHAPES) >= _MAX_SHAPES:
        _SHAPES.clear()
    _SHAPES[keys] = order
    return order


def _canonical_key(key: str) -> tuple[int, bytes]:
    encoded = key.encode()
    return len(encoded), encoded
