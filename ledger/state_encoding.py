"""The canonical bytes of a state value, which its leaf in the state tree commits to."""

from __future__ import annotations

from typing import Any

import cbor2


def encode_state(value: Any) -> bytes:
    """Canonical CBOR of a value a rule wrote. Rules build values only from fields of transactions that were
    decoded and checked as canonical (no floats) and from integer arithmetic, so the encoder's own type walk
    (``ledger_lite.canonical``) is skipped here: it was a fifth of the cost of a block."""
    return bytes(cbor2.dumps(value, canonical=True))
