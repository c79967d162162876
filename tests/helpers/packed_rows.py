"""Rows packed as ``_smt_native.pending`` packs a tree write's changes (``ledger.tree_groups.PackedRows``)."""

from __future__ import annotations

import sys

from ledger.tree_groups import LEAF_FLAG, PackedRows


def packed(rows: list[tuple[int, bytes]]) -> PackedRows:
    """``rows`` (position, stored node) packed: positions as native 64-bit words, a 64-byte leaf's flagged."""
    return PackedRows(b"".join((index | (LEAF_FLAG if len(node) == 64 else 0)).to_bytes(8, sys.byteorder)
                               for index, node in rows), b"".join(node for _, node in rows))
