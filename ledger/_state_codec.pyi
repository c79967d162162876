# A node's CBOR, compiled (_state_codec.c): state values encoded, envelopes decoded, tree rows keyed; each mirrors
# the Python function named.

from typing import Any

BUILD: int  # the interface this module was built with (``ledger.state_encoding.CODEC_BUILD``)

def encode_map(value: Any) -> bytes | None:
    """``ledger.state_encoding.encode_state`` of a flat map of text keys and scalar values; None for anything
    else."""

def pack_asset(value: dict[str, Any], raw_addresses: dict[str, bytes]) -> bytes | None:
    """``ledger.compact.pack_value`` of an asset record whose addresses are in ``raw_addresses``; None
    otherwise."""

def decode_canonical(data: bytes) -> Any:
    """``ledger_lite.encoding.decode`` of canonical CBOR made of what the ledger encodes; None for any other bytes
    (the reference then decides). A value of None itself is never answered: CBOR null is refused here too."""

def tree_rows(rows: list[tuple[int, bytes]], deleted: list[int], keyed_depth: int
              ) -> tuple[list[tuple[int, bytes]], list[tuple[int]], list[tuple[int, bytes]], list[int]]:
    """``ledger.storage.tree_rows``: the rows and emptied positions of positions down to ``keyed_depth`` under their
    row keys, each in key order (the emptied ones as one-item tuples), and the deeper ones as they were given."""
