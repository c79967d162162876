"""The canonical bytes of a state value, which its leaf in the state tree commits to."""

from __future__ import annotations

import warnings
from typing import Any

import cbor2

# The compiled module's interface; ``_state_codec.c`` says the same (``BUILD``) and both change together.
CODEC_BUILD = 7

try:  # built by ``pip install -e .`` (scripts/bootstrap.sh setup)
    from ledger import _state_codec
    CODEC = getattr(_state_codec, "BUILD", 0) == CODEC_BUILD
except ImportError:  # a checkout that was never installed: cbor2's canonical encoder alone, the same bytes
    CODEC = False
else:
    if not CODEC:
        warnings.warn(f"ledger/_state_codec was built from other source than this checkout's (interface "
                      f"{getattr(_state_codec, 'BUILD', 0)}, expected {CODEC_BUILD}); state values are encoded "
                      f"by cbor2 alone until it is built again (scripts/bootstrap.sh setup, or pip install -e .)",
                      RuntimeWarning, stacklevel=1)


def encode_state(value: Any) -> bytes:
    """Canonical CBOR of a value a rule wrote. A map of text keys and values that are scalars or lists of them
    (what rules write for almost every key: a reading's asset, an allocation, a certified asset, a meter's reported
    intervals) is written by the compiled ``_state_codec.encode_map`` (~0.3 us for a certified asset, 12-15 times
    cbor2's canonical encoder; a meter's intervals 2.5 -> 0.15 us); anything else by cbor2. Rules build values
    only from fields of transactions that were decoded and checked as canonical (no floats) and from integer
    arithmetic, so the encoder's own type walk (``ledger_lite.canonical``) is skipped here."""
    if CODEC and type(value) is dict:
        encoded = _state_codec.encode_map(value)
        if encoded is not None:
            return encoded
    return bytes(cbor2.dumps(value, canonical=True))
