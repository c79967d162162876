# A node's CBOR, compiled (_state_codec.c): state values encoded, envelopes decoded, tree rows grouped; each mirrors
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

def group_keys(rows: list[tuple[int, bytes]], deleted: list[int], keyed_depth: int) -> tuple[list[int], list[int]]:
    """``ledger.tree_groups.group_keys`` for groups whose roots are down to ``keyed_depth``: their keys in order, and
    the deeper positions as they were given (rows' first)."""

def group_rows(rows: list[tuple[int, bytes]], deleted: list[int], old: dict[int | bytes, bytes], keyed_depth: int
               ) -> tuple[list[tuple[int, bytes]], list[tuple[int]], list[tuple[int, bytes]], list[int]]:
    """``ledger.tree_groups.group_rows`` for groups whose roots are down to ``keyed_depth``: the groups to store and
    the keys emptied, in key order; the deeper rows and positions as they were given."""

def group_nodes(rows: list[tuple[int, bytes]]) -> dict[int, bytes]:
    """``ledger.tree_groups.group_nodes`` of rows under integer keys."""
