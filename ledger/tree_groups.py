"""The state tree's rows on disk: one row for each group of ``LEVELS`` levels of ``ledger.state_tree``'s tree (a
node and the nodes of the three levels below it: a subtree of at most 15 nodes), rather than one row a node.

Why. A write of the tree (``StoredTree.pending``) stores every node changed since the last, and with a cache about
as large as the tree nearly all of the tree's cost at scale was writing those rows: each reading changes the nodes
along two random paths (its new asset's, and the swept asset's it replaces at the steady state), 11.7 rows a reading
a write every 60,000 readings of a tree of 713,000 leaves (a simulation of its positions), ~3 µs a row in SQLite. In
groups as below, those changes fall into 3.0 rows a reading (of ~275 bytes rather than ~45); writing groups, reading
each one's row first, took 19 µs a reading against 35 for the rows of nodes (a probe of the levels 4k + 1 to 4k + 4,
below, on the 1.74 M rows of a node at 3.2 M readings of ``bench/ledger_scale.py``, the same sitting). A cold path is
read a group at a time too: four levels a query (``StoredTree._load_pairs``).

Which levels. Where the groups' boundaries fall against the leaves' depths (about log2 of the live assets) decides how
many rows a leaf takes. Groups of the levels 4k + 1 to 4k + 4 with the root alone gave 2.0 rows a reading in the
simulation above (713,000 leaves), and were tried as a store format (2026-12-04): at the 1.78 M live assets of the
steady state of ``bench/ledger_scale.py`` (1,002 meters) they made 1,157,559 groups of the tree that these levels
keep in 1,135,007, and ingest did not change beyond the runs' noise; so these levels stay (docs/performance.md).

Where. A node at heap index ``i`` and depth ``d`` belongs to the group whose root is ``i >> (d % 4)`` (depth
``d - d % 4``), in the slot numbered as heap indexes within that subtree, 1 (its root) to 15:
``(1 << d % 4) | (i & ((1 << d % 4) - 1))``. A group's row is under its root's key (``tree_key``), so a subtree's
groups are one range of keys, its root's first.

Row. Two big-endian 16-bit masks, the slots held and the slots holding a leaf (bit ``s`` for slot ``s``), then each
node held, in slot order: a 32-byte hash, or a leaf's 64 bytes (``path || value_hash``). A row of another length than
its masks name, or whose masks name slot 0 or a leaf outside the slots held, is refused (``GroupError``); whether its
nodes are the tree's is checked as they are loaded, against their parents (``ledger.state_tree``).

Writing. A write changes some slots of each group it touches and keeps the others, which may not be cached: the store
reads the touched groups' rows and merges them with the changes (``GroupChanges``, ``ledger.storage.write_tree_nodes``),
a few thousand groups at a time, so a write holds that many rows at once rather than all of its own. ``GroupChanges``
and ``group_nodes`` are compiled in ``_state_codec``: the Python forms below are the reference
(tests/ledger/test_tree_groups.py checks both give the same) and what a checkout without the module runs.

Writing a tree held whole. When the cache holds every node of the tree (``StoredTree.whole``: the node's steady state),
a touched group's other slots are in the cache too: its row is made from the cache (``cached_rows``) and its stored
row is not read first. At the 1,002 meters' steady state (3.3 M readings), reading the rows, merging them and packing
the changes took ~9 µs a reading of the 21-25 µs a reading the tree's writes cost; made from the cache, 17 µs, and a
write no longer holds its changes packed beside the cache (docs/performance.md, "The node over the years").
``dirty_group_keys`` and ``cached_rows`` are compiled in ``ledger_lite._smt_native`` (which holds the cache's table);
the Python forms are the reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ledger.errors import StoreError
from ledger.state_encoding import CODEC
from ledger_lite.smt_tree import NATIVE

if CODEC:  # built (ledger.state_encoding says whether)
    from ledger import _state_codec
if NATIVE:
    from ledger_lite import _smt_native

LEVELS = 4
HASH_SIZE = 32
LEAF_SIZE = 64
# Depths whose groups' roots have integer keys (``tree_key``); deeper ones, which random keys reach with a chance of
# about n² / 2^57 for n leaves, have the bytes of their index.
KEYED_DEPTH = 56

Key = int | bytes
LEAF_FLAG = 1 << 63  # a packed position's top bit: a leaf's (``PackedRows``)


class GroupError(StoreError):
    """A stored group row that is not what the node writes (the message says what was expected and found)."""


def tree_key(index: int) -> Key:
    """The row key of the group whose root is at heap ``index`` (depth d, path prefix p: ``(1 << d) | p``). Down to
    ``KEYED_DEPTH`` it is ``p << (62 - d) | d``, so a subtree's rows are one range of keys, its root first (the depth
    fills the low 6 bits, the prefix the bits above, left-aligned); deeper, the index's bytes."""
    depth = index.bit_length() - 1
    if depth <= KEYED_DEPTH:
        return ((index ^ (1 << depth)) << (62 - depth)) | depth
    return index.to_bytes((depth + 8) // 8, "big")


def _index_of(key: Key) -> int:
    """The heap index whose ``tree_key`` is ``key``."""
    if isinstance(key, bytes):
        return int.from_bytes(key, "big")
    depth = key & 63
    return (1 << depth) | key >> (62 - depth)


def position(index: object) -> int:
    """``index`` if it is a heap index (an int of at least 1)."""
    if not isinstance(index, int) or isinstance(index, bool):
        raise TypeError(f"expected an int position, found {type(index).__name__}")
    if index < 1:
        raise ValueError("expected a position of at least 1 (the root), found less")
    return index


def group_of(index: int) -> tuple[int, int]:
    """The heap index of the root of the group holding the node at ``index``, and the node's slot in it (1-15)."""
    level = (index.bit_length() - 1) % LEVELS
    return index >> level, (1 << level) | (index & ((1 << level) - 1))


def group_key(index: int) -> Key:
    """The row key of the group holding the node at heap ``index``."""
    return tree_key(group_of(position(index))[0])


def group_keys(indexes: Sequence[int]) -> tuple[list[int], set[bytes]]:
    """The row keys of the groups holding the nodes at these heap ``indexes`` (a store reads them together): the
    integer ones distinct and sorted, and the deep ones (``KEYED_DEPTH``). Compiled for the indexes
    ``_state_codec.group_keys`` keys itself (a restarted node's warming asks for millions: 1.2 us -> 0.17 a key); the
    rest as ``group_key`` keys them, which also says what is wrong with an index that is not one."""
    keyed, others = _state_codec.group_keys(list(indexes)) if CODEC else ([], list(indexes))
    keys = {group_key(index) for index in others}
    deep = {key for key in keys if isinstance(key, bytes)}
    if len(deep) < len(keys):
        keyed = sorted({*keyed, *(key for key in keys if isinstance(key, int))})
    return keyed, deep


def encode(nodes: Mapping[int, bytes]) -> bytes:
    """The row of a group holding ``nodes`` (slot → a 32-byte hash or a 64-byte leaf)."""
    held = leaves = 0
    parts = []
    for slot in sorted(nodes):
        node = nodes[slot]
        held |= 1 << slot
        if len(node) == LEAF_SIZE:
            leaves |= 1 << slot
        parts.append(bytes(node))
    return held.to_bytes(2, "big") + leaves.to_bytes(2, "big") + b"".join(parts)


def decode(key: Key, row: bytes) -> dict[int, bytes]:
    """The nodes of the group stored as ``row`` under ``key`` (slot → node)."""
    row = bytes(row)
    if len(row) < 4:
        raise _misshapen(key, "at least 4 bytes", f"{len(row)}")
    held, leaves = int.from_bytes(row[:2], "big"), int.from_bytes(row[2:4], "big")
    if held & 1 or leaves & ~held:
        raise _misshapen(key, "masks naming slots 1 to 15, the leaves among the nodes held",
                         f"held {held:#06x}, leaves {leaves:#06x}")
    expected = 4 + HASH_SIZE * held.bit_count() + (LEAF_SIZE - HASH_SIZE) * leaves.bit_count()
    if len(row) != expected:
        raise _misshapen(key, f"{expected} bytes for the nodes its masks name", f"{len(row)}")
    nodes, at = {}, 4
    for slot in range(1, 1 << LEVELS):
        if held >> slot & 1:
            size = LEAF_SIZE if leaves >> slot & 1 else HASH_SIZE
            nodes[slot] = row[at:at + size]
            at += size
    return nodes


def _misshapen(key: Key, expected: str, found: str) -> GroupError:
    where = key.hex() if isinstance(key, bytes) else str(key)
    return GroupError(f"expected the state tree's row {where} to hold {expected}, found {found}; the store was "
                      f"changed outside the node")


def group_nodes(rows: Iterable[tuple[Key, bytes]]) -> dict[int, bytes]:
    """Every node of the stored groups ``rows`` (key, row), by heap index."""
    rows = list(rows)
    keyed = [(key, row) for key, row in rows if isinstance(key, int)]
    if CODEC and len(keyed) == len(rows):
        try:
            return _state_codec.group_nodes(keyed)
        except ValueError as exc:
            raise GroupError(f"{exc}; the store was changed outside the node") from None
    found: dict[int, bytes] = {}
    for key, row in rows:
        root = _index_of(key)
        for slot, node in decode(key, row).items():
            level = slot.bit_length() - 1
            found[(root << level) | (slot ^ (1 << level))] = node
    return found


@dataclass(frozen=True)
class PackedRows:
    """Changed nodes as ``_smt_native.pending`` packs those at positions below 2^63 (all but the deepest): in two
    buffers rather than an (int, bytes) tuple each, which held ~190 bytes a changed entry while a write of 1.3 million
    ran; ~56 here. ``indexes``: their positions as native 64-bit words, deepest first, ``LEAF_FLAG`` set for a leaf's;
    ``nodes``: the stored nodes one after another (a 32-byte hash, a leaf's 64 bytes ``path || value_hash``).
    ``_state_codec.GroupChanges`` and ``_smt_native.LruOrder.touch_parents`` take the buffers as they are; iterating
    gives (position, node) rows."""

    indexes: bytes = b""
    nodes: bytes = b""

    def __len__(self) -> int:
        return len(self.indexes) // 8

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        at = 0
        for word in memoryview(self.indexes).cast("Q"):  # native order, as the compiled module writes them
            size = LEAF_SIZE if word & LEAF_FLAG else HASH_SIZE
            yield word & ~LEAF_FLAG, self.nodes[at:at + size]
            at += size
        if at != len(self.nodes):
            raise ValueError(f"expected packed nodes of {at} bytes for {len(self)} positions, found {len(self.nodes)}")


NOTHING_PACKED = PackedRows()


class GroupChanges:
    """A write's changes, ``rows`` (heap index, node) and emptied positions ``deleted``, by group: ``keys``, those of
    the groups whose roots are down to ``keyed_depth`` (all with None) in order, and ``stored`` the rows of a range of
    them after the write; the changes of deeper groups in ``deep_rows`` and ``deep_deleted``, as given. Compiled as
    ``_state_codec.GroupChanges`` (``group_changes`` picks it)."""

    def __init__(self, rows: Sequence[tuple[int, bytes]], deleted: Sequence[int],
                 keyed_depth: int | None = KEYED_DEPTH) -> None:
        changes: dict[Key, dict[int, bytes | None]] = {}
        self.deep_rows: list[tuple[int, bytes]] = []
        self.deep_deleted: list[int] = []
        for index, node in [*rows, *((index, None) for index in deleted)]:
            root, slot = group_of(position(index))
            if keyed_depth is not None and root.bit_length() - 1 > keyed_depth:
                (self.deep_deleted.append(index) if node is None else self.deep_rows.append((index, node)))
                continue
            if node is not None and len(node) not in (HASH_SIZE, LEAF_SIZE):
                raise ValueError(f"expected a node of 32 or 64 bytes at position {index}, found {len(node)}")
            changes.setdefault(tree_key(root), {})[slot] = node
        self.keys: list[Key] = sorted(changes, key=lambda key: (isinstance(key, bytes), key))
        self._changes = changes

    def stored(self, old: Mapping[Key, bytes], start: int, stop: int) -> tuple[list[tuple[Key, bytes]],
                                                                             list[tuple[Key]]]:
        """The rows of the groups ``keys[start:stop]`` after the write, ``old`` holding their rows before it (those
        stored): the groups to store (key, row) and the keys of those left empty (as one-item tuples: executemany's
        parameters), in key order."""
        rows: list[tuple[Key, bytes]] = []
        gone: list[tuple[Key]] = []
        for key in self.keys[start:stop]:
            before = old.get(key)
            nodes = {} if before is None else decode(key, before)
            for slot, change in self._changes[key].items():
                if change is None:
                    nodes.pop(slot, None)
                else:
                    nodes[slot] = change
            (rows.append((key, encode(nodes))) if nodes else gone.append((key,)))
        return rows, gone


class Changes(Protocol):
    """What ``GroupChanges`` and its compiled form both are."""

    @property
    def keys(self) -> Sequence[Key]: ...

    @property
    def deep_rows(self) -> list[tuple[int, bytes]]: ...

    @property
    def deep_deleted(self) -> list[int]: ...

    def stored(self, old: dict[Key, bytes], start: int, stop: int
               ) -> tuple[list[tuple[Key, bytes]], list[tuple[Key]]]: ...


def group_changes(rows: list[tuple[int, bytes]], deleted: list[int], packed: PackedRows = NOTHING_PACKED) -> Changes:
    """``GroupChanges`` of a write's ``rows``, then ``packed``'s, and ``deleted``, compiled where the module was built
    (a row a group rather than a dict, the packed nodes read where they are)."""
    if not CODEC:
        return GroupChanges([*rows, *packed], deleted)
    return _state_codec.GroupChanges(rows, deleted, KEYED_DEPTH, packed.indexes, packed.nodes)


def stored_rows(changes: Changes, old: dict[Key, bytes], start: int, stop: int
                ) -> tuple[list[tuple[Key, bytes]], list[tuple[Key]]]:
    """``changes.stored``, with a stored row that is not what the node writes refused as the store's error."""
    try:
        return changes.stored(old, start, stop)
    except GroupError:
        raise
    except ValueError as exc:
        if not str(exc).startswith("expected the state tree's row"):
            raise  # not a stored row's fault
        raise GroupError(f"{exc}; the store was changed outside the node") from None


def dirty_group_keys(dirty: Iterable[int], keyed_depth: int = KEYED_DEPTH) -> tuple[list[int], list[int]]:
    """The row keys of the groups holding the changed positions ``dirty`` whose roots lie at most ``keyed_depth``
    deep, distinct and in order, and the other positions (deeper groups: written as ``GroupChanges`` writes them)."""
    keys: set[int] = set()
    others: list[int] = []
    for index in dirty:
        root, _ = group_of(position(index))
        key = tree_key(root)
        if root.bit_length() - 1 > keyed_depth or not isinstance(key, int):
            others.append(index)
        else:
            keys.add(key)
    return sorted(keys), others


def cached_rows(nodes: Mapping[int, bytes], keys: Sequence[int]) -> tuple[list[tuple[int, bytes]], list[tuple[int]]]:
    """The rows (key, row) of the groups ``keys`` (integer row keys) as the cache ``nodes`` (heap index → entry: a
    32-byte hash, or a leaf's record, whose first 64 bytes it stores) holds them, and the keys of those it holds
    nothing of, as one-item tuples. A slot below an absent node or a leaf is not looked for: a tree has none."""
    rows: list[tuple[int, bytes]] = []
    gone: list[tuple[int]] = []
    for key in keys:
        root = _index_of(key)
        found: dict[int, bytes] = {}
        for slot in range(1, 1 << LEVELS):
            parent = found.get(slot >> 1)
            if slot > 1 and (parent is None or len(parent) == LEAF_SIZE):
                continue
            level = slot.bit_length() - 1
            entry = nodes.get((root << level) | (slot ^ (1 << level)))
            if entry is not None:
                found[slot] = entry if len(entry) == HASH_SIZE else entry[:LEAF_SIZE]
        (rows.append((key, encode(found))) if found else gone.append((key,)))
    return rows, gone


@dataclass(frozen=True)
class CachedGroups:
    """The groups a write of a tree its cache holds whole stores, made from the cache as they are written
    (``cached_group_rows``): the cache (a ``NodeTable``), the groups' row keys in order (native 64-bit words, as
    ``_smt_native.dirty_groups`` packs them) and how many changed positions they hold."""

    nodes: _smt_native.NodeTable
    keys: bytes
    changes: int

    def __len__(self) -> int:
        return len(self.keys) // 8


def cached_group_rows(groups: CachedGroups, start: int, stop: int) -> tuple[list[tuple[int, bytes]], list[tuple[int]]]:
    """``cached_rows`` of the groups ``groups.keys[start:stop]``, compiled."""
    return _smt_native.group_rows(groups.nodes, groups.keys, start, stop)
