# A node's CBOR, compiled (_state_codec.c): state values encoded, envelopes decoded, tree rows grouped; each mirrors
# the Python function named.

from typing import Any

BUILD: int  # the interface this module was built with (``ledger.state_encoding.CODEC_BUILD``)

def encode_map(value: Any) -> bytes | None:
    """``ledger.state_encoding.encode_state`` of a map of text keys and values that are scalars or lists of them;
    None for anything else."""

def pack_asset(value: dict[str, Any], raw_addresses: dict[str, bytes]) -> bytes | None:
    """``ledger.compact.pack_value`` of an asset record whose addresses are in ``raw_addresses``; None
    otherwise."""

def unpack_asset(body: bytes, addresses: dict[bytes, str]) -> tuple[bytes, dict[str, Any]] | None:
    """``ledger.compact.unpack_value`` of a stored asset's body (after its tag) of nine fields whose addresses are in
    ``addresses``: its canonical CBOR and value; None otherwise."""

def decode_canonical(data: bytes) -> Any:
    """``ledger_lite.encoding.decode`` of canonical CBOR made of what the ledger encodes; None for any other bytes
    (the reference then decides). A value of None itself is never answered: CBOR null is refused here too."""

class GroupChanges:
    """``ledger.tree_groups.GroupChanges`` for groups whose roots are down to ``keyed_depth``."""

    keys: list[int]
    deep_rows: list[tuple[int, bytes]]
    deep_deleted: list[int]

    def __init__(self, rows: list[tuple[int, bytes]], deleted: list[int], keyed_depth: int, indexes: bytes = b"",
                 nodes: bytes = b"") -> None:
        """The changes of ``rows``, then of the packed rows ``indexes`` and ``nodes``
        (``ledger.tree_groups.PackedRows``), and ``deleted``."""

    def stored(self, old: dict[int | bytes, bytes], start: int, stop: int
               ) -> tuple[list[tuple[int | bytes, bytes]], list[tuple[int | bytes]]]:
        """``ledger.tree_groups.GroupChanges.stored``."""

def group_keys(indexes: list[int]) -> tuple[list[int], list[int]]:
    """``ledger.tree_groups.group_keys`` of the indexes it keys itself (the integer keys, sorted, distinct); the
    other indexes as given."""

def group_nodes(rows: list[tuple[int, bytes]]) -> dict[int, bytes]:
    """``ledger.tree_groups.group_nodes`` of rows under integer keys."""
