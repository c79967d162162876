"""The state tree on disk: ``StoredTree``, the sparse Merkle tree of ``ledger_lite.smt`` whose nodes live in the
node's SQLite store behind a bounded cache of hot nodes, so a node's memory does not grow with its state.

Where. In the node's own SQLite file, table ``smt``, rather than a second embedded store (LMDB, RocksDB): the
tree's rows (and the keys each block logs for them, below) are then written in the very SQLite transaction
that stores a block, so a crash at any point leaves both or neither (one fsync, one WAL), and the node keeps
one file to back up and inspect.

How. Nodes are immutable rows appended under increasing row ids, as in Diem's Jellyfish Merkle tree and
Tendermint's IAVL: a changed node is a new row, and an internal node's row names its children's rows. New rows
therefore go to the end of the table (a block appends a few pages) instead of dirtying pages all over it, which
a table keyed by node position would (tens of thousands of random pages a block). A row is
``(id, node, l, r)``: an internal node's 32-byte hash with its children's row ids (0: empty), or a leaf's
``path || value_hash`` with ``l`` and ``r`` NULL. The meta row ``smt_root`` names the root's row (0: empty
tree), ``smt_size`` counts the leaves and ``smt_height`` is the block whose state the rows hold; they are
written with the rows.

Compaction. A write also names the rows its new rows replace (``TreeWrite.replaced``: the stored row of every
changed or removed entry). The store lists them in ``smt_garbage`` in the same SQLite transaction that writes
the new rows and the new root, and the blocks that follow delete them a batch at a time (``ledger.storage``):
the table then holds the tree of ``smt_root``, one row per node, and the rows still listed. A crash before that
transaction commits leaves the old tree whole (and the logged keys that lead from it to the head); after it, the
new one, with its garbage listed. SQLite reuses the freed pages for the rows that follow, so the file stays the
size of the live tree.

Checking. A cached node's children are read from disk only as a pair, and their hashes must hash to the
parent's, which the node checked against the last signed header at start (the root): a hand-edited row is
refused with ``StoreError`` at the first walk that reads it.

Writing. Changed entries are written once half of ``capacity`` changed (``wants_flush``), and when the node
closes, rather than with every block: the upper part of the tree changes in every block, and writing it once
for many blocks writes about 2.5 times fewer rows per reading (measured at 200,000 leaves: 3.9 rows per new
leaf written every 100,000 changes, 9.4 every 2,000). Changed entries stay cached until written. The store
logs the changed keys of every block in between (in the block's transaction); a node that starts after a crash
puts those keys' stored values back into the tree and checks the root against the signed header
(``ledger.state``).

Cache. ``_nodes`` holds the hot part of the tree in the layout of ``ledger_lite.smt_tree`` (heap index → entry),
so the tree's walks run unchanged on a plain dict. Children are loaded and evicted as a pair: a cached internal
node with neither child cached has its children on disk. Pairs are evicted least recently used first once
``capacity`` entries are cached (before a walk, so the cache holds at most ``capacity``, what one batch's
walks load and the changed entries not written yet); a walk touches its pairs from the bottom up, so a parent
is always fresher than its children and leaves the cache after them. Paths walked whole are remembered until the
next eviction: a block reads its values (one batch of walks) and then updates the same keys, and the update's
walks are skipped for them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ledger.errors import StoreError
from ledger_lite.smt import EMPTY, HASH_SIZE, hash_leaf, hash_node
from ledger_lite.smt_tree import SparseMerkleTree

# (id, node, l, r) rows of the ``smt`` table
Row = tuple[int, bytes, int | None, int | None]
# the row with the given id and the rows of its children
ChildReader = Callable[[int], list[Row]]
# the rows with the given ids (those stored, in any order)
RowReader = Callable[[Sequence[int]], list[Row]]

DEFAULT_CAPACITY = 1 << 20  # cached entries; ~200 bytes each with the bookkeeping
REACHED_PATHS = 1 << 16  # paths remembered as walked whole (``StoredTree._reached``): a few blocks' reads


class _Tracked(dict[int, bytes]):
    """The cache as the tree's walks see it: a plain dict for reads, every write noted in ``dirty``."""

    __slots__ = ("dirty",)

    def __init__(self, dirty: set[int]) -> None:
        super().__init__()
        self.dirty = dirty

    def __setitem__(self, index: int, entry: bytes) -> None:
        dict.__setitem__(self, index, entry)
        self.dirty.add(index)

    def __delitem__(self, index: int) -> None:
        dict.__delitem__(self, index)
        self.dirty.add(index)


@dataclass(frozen=True)
class TreeWrite:
    """What a block adds to the ``smt`` table: new rows, the root's row id, the leaf count."""

    rows: list[Row]
    root_id: int
    size: int
    ids: dict[int, int]  # heap index → new row id
    next_id: int
    replaced: list[int] = field(default_factory=list)  # row ids no longer in the tree once ``rows`` are written


def _entry_of(row: Row) -> bytes:
    """A row as a cache entry (``ledger_lite.smt_tree`` layout); raises for a row of neither shape."""
    row_id, node, left, right = row
    if len(node) == HASH_SIZE and left is not None and right is not None:
        return bytes(node)
    if len(node) == 2 * HASH_SIZE and left is None and right is None:
        node = bytes(node)
        return node + hash_leaf(node[:HASH_SIZE], node[HASH_SIZE:])
    raise StoreError(f"expected state tree row {row_id} to hold a 32-byte node with two children or a 64-byte "
                     f"leaf, found {len(node)} bytes with children {left}, {right}; the store was changed outside "
                     f"the node")


class StoredTree(SparseMerkleTree):
    """``SparseMerkleTree`` over the ``smt`` rows read by ``read_children``; ``pending`` and ``written`` move a
    block's changes to disk (``ledger.storage.Store.write_block`` calls them inside its transaction)."""

    __slots__ = ("_capacity", "_complete", "_dirty", "_flush_at", "_ids", "_lru", "_next_id", "_reached",
                 "_read_children", "_read_rows")

    def __init__(self, read_children: ChildReader, root: Row | None, size: int, next_id: int, *,
                 capacity: int = DEFAULT_CAPACITY, read_rows: RowReader | None = None) -> None:
        """``read_children`` reads one pair; ``read_rows``, if given, reads the pairs a batch's walks stop at in two
        queries (the parents' rows, then their children's) instead of one query a pair."""
        super().__init__()
        if capacity < 16:
            raise ValueError(f"expected a cache of at least 16 entries, found {capacity}")
        self._flush_at = max(1, capacity // 2)  # changed entries that make ``wants_flush`` true
        self._dirty: set[int] = set()  # heap indexes written since the last ``written``
        self._nodes = _Tracked(self._dirty)
        self._read_children = read_children
        self._read_rows = read_rows
        self._capacity = capacity
        self._ids: dict[int, int] = {}  # heap index → row id, for every cached entry stored on disk
        self._lru: OrderedDict[int, None] = OrderedDict()  # cached pairs by their parent's heap index
        # Paths walked whole since the last eviction: everything along them is still cached (only an eviction
        # removes what a walk loaded; updates only add entries or end a walk sooner), so the update that follows
        # the reads of a block's values does not walk them again.
        self._reached: set[bytes] = set()
        self._next_id = next_id
        self._size = size
        # Every node is cached (a new tree, nothing evicted yet): walks need not check for nodes on disk, and
        # the LRU order is made only when the cache first overflows (deepest pairs first).
        self._complete = root is None
        if root is not None:
            dict.__setitem__(self._nodes, 1, _entry_of(root))
            self._ids[1] = root[0]

    @property
    def cached(self) -> int:
        """How many entries the cache holds now."""
        return len(self._nodes)

    # --- reads ------------------------------------------------------------------------------------------------
    def _reach(self, paths: Sequence[bytes]) -> None:
        """Load what walks along ``paths`` (sorted) read. A path walks on from where it leaves the one before it
        (the nodes of their common prefix are walked once), and stops at a cached node whose children are on disk;
        those nodes are then loaded together (``_load_pairs``: a few queries, not one a pair) and the stopped
        paths walk on, until every walk ends at a leaf or an empty slot."""
        self._evict()  # before loading: what a walk loads must stay until the walk is done
        if self._complete or not paths:
            return
        reached = self._reached
        if reached:
            paths = [path for path in paths if path not in reached]
            if not paths:
                return
        if len(reached) + len(paths) > REACHED_PATHS:  # bounded: forgetting a path only costs a walk
            reached.clear()
        nodes = self._nodes
        touched: list[list[int]] = [[] for _ in range(257)]  # internal nodes walked through, by depth
        waiting = [(path, 1, 0) for path in paths]
        shared_walks = True  # the first pass: the paths start at the root, in order
        while waiting:
            cold: dict[int, None] = {}
            stopped: list[tuple[bytes, int, int]] = []
            trail: list[int] = []  # the nodes the previous path walked, by depth, and the one it ended at
            trail_cold = False
            previous = 0
            for path, index, depth in waiting:
                if shared_walks:
                    bits = int.from_bytes(path, "big")
                    if trail:
                        shared = 256 - (bits ^ previous).bit_length()  # leading bits both paths have
                        if shared >= len(trail) - 1:  # the same walk to the same end
                            if trail_cold:
                                stopped.append((path, trail[-1], len(trail) - 1))
                            previous = bits
                            continue
                        depth = shared + 1
                        index = 2 * trail[shared] + (path[shared >> 3] >> (7 - (shared & 7)) & 1)
                        del trail[depth:]
                    previous = bits
                else:
                    trail.clear()
                trail_cold = False
                while True:
                    trail.append(index)
                    entry = nodes.get(index)
                    if entry is None or len(entry) != HASH_SIZE:
                        break
                    if 2 * index not in nodes and 2 * index + 1 not in nodes:  # its children are on disk
                        cold[index] = None
                        stopped.append((path, index, depth))
                        trail_cold = True
                        break
                    touched[depth].append(index)
                    index = 2 * index + (path[depth >> 3] >> (7 - (depth & 7)) & 1)
                    depth += 1
            if cold:
                self._load_pairs(list(cold))
            waiting = stopped
            shared_walks = False
        lru = self._lru
        for level in reversed(touched):  # bottom up: a parent stays fresher than its children
            for parent in level:
                if parent in lru:
                    lru.move_to_end(parent)
        reached.update(paths)

    def _load_pair(self, index: int) -> None:
        """Read the children of the cached internal node ``index`` from disk and check them against it."""
        row_id = self._row_id(index)
        self._install(index, row_id, {row[0]: row for row in self._read_children(row_id)})

    def _load_pairs(self, indexes: list[int]) -> None:
        """``_load_pair`` of each of ``indexes``, in two queries when ``read_rows`` is given."""
        read_rows = self._read_rows
        if read_rows is None or len(indexes) == 1:
            for index in indexes:
                self._load_pair(index)
            return
        parents = {index: self._row_id(index) for index in indexes}
        rows = {row[0]: row for row in read_rows(list(parents.values()))}
        children = [child for row_id in parents.values() if (row := rows.get(row_id)) is not None
                    for child in (row[2], row[3]) if child]
        rows.update((row[0], row) for row in read_rows(children))
        for index, row_id in parents.items():
            self._install(index, row_id, rows)

    def _row_id(self, index: int) -> int:
        row_id = self._ids.get(index)
        if row_id is None:
            raise StoreError(f"state tree node {index} is neither cached nor stored; expected its children on disk")
        return row_id

    def _install(self, index: int, row_id: int, rows: dict[int, Row]) -> None:
        """Check the children of node ``index`` (row ``row_id``), found among ``rows``, against it and cache them."""
        parent = rows.get(row_id)
        if parent is None or parent[2] is None or parent[3] is None:
            raise StoreError(f"state tree row {row_id} is missing or is not an internal node; the store was "
                             f"changed outside the node")
        found = parent[2], parent[3]
        hashes = []
        for child_id in found:
            if child_id == 0:
                hashes.append(EMPTY)
                continue
            row = rows.get(child_id)
            if row is None:
                raise StoreError(f"state tree row {child_id} (a child of row {row_id}) is missing; the store was "
                                 f"changed outside the node")
            entry = _entry_of(row)
            hashes.append(entry if len(entry) == HASH_SIZE else entry[2 * HASH_SIZE:])
        expected = self._nodes[index]
        computed = hash_node(hashes[0], hashes[1])
        if computed != expected:
            raise StoreError(f"state tree row {row_id}: its children hash to {computed.hex()}, expected "
                             f"{expected.hex()} (checked down from the signed state root); the store was changed "
                             f"outside the node")
        for child, child_id in zip((2 * index, 2 * index + 1), found, strict=True):
            if child_id:
                dict.__setitem__(self._nodes, child, _entry_of(rows[child_id]))
                self._ids[child] = child_id
        self._lru[index] = None

    # --- writes -----------------------------------------------------------------------------------------------
    def wants_flush(self) -> bool:
        """Whether enough entries changed since the last ``written`` to write them now: the nodes near the top
        change with every block, so writing every few hundred thousand changes rather than every block writes
        each of them once for many blocks (``ledger.storage`` keeps the changed keys of the blocks between)."""
        return len(self._dirty) >= self._flush_at

    @property
    def changed(self) -> int:
        """Entries changed since the last ``written``."""
        return len(self._dirty)

    def pending(self) -> TreeWrite:
        """The rows for every entry changed since the last ``written``, children before parents, and the stored
        rows they replace (module docstring, "Compaction")."""
        nodes, known = self._nodes, self._ids
        replaced = sorted(known[i] for i in self._dirty if i in known)
        changed = sorted([i for i in self._dirty if i in nodes], key=int.bit_length, reverse=True)
        new = dict(zip(changed, range(self._next_id, self._next_id + len(changed)), strict=True))
        rows: list[Row] = []
        append, get_new, get_known = rows.append, new.get, known.get
        for index, row_id in new.items():
            entry = nodes[index]
            if len(entry) == HASH_SIZE:
                left = index << 1
                # a child is new, or cached and clean (its row known), or absent (empty)
                left_id = get_new(left)
                if left_id is None:
                    left_id = get_known(left, 0) if left in nodes else 0
                right_id = get_new(left + 1)
                if right_id is None:
                    right_id = get_known(left + 1, 0) if left + 1 in nodes else 0
                append((row_id, entry, left_id, right_id))
            else:
                append((row_id, entry[:2 * HASH_SIZE], None, None))
        root_id = new.get(1) or (known.get(1, 0) if 1 in nodes else 0)
        return TreeWrite(rows, root_id, self._size, new, self._next_id + len(changed), replaced)

    def written(self, write: TreeWrite) -> None:
        """``write`` is on disk (its transaction committed): its rows are now the clean state of the cache."""
        known, lru = self._ids, self._lru
        for index in self._dirty.difference(write.ids):  # deleted
            known.pop(index, None)
        known.update(write.ids)
        if not self._complete:
            for index in write.ids:  # deepest first (``pending``'s order): parents end up fresher
                if index > 1:
                    lru[index >> 1] = None
                    lru.move_to_end(index >> 1)
        self._dirty.clear()
        self._next_id = write.next_id
        self._evict()

    def _evict(self) -> None:
        nodes, known = self._nodes, self._ids
        if len(nodes) <= self._capacity:
            return
        if self._complete:
            self._complete = False
            self._lru = OrderedDict.fromkeys(sorted({index >> 1 for index in nodes if index > 1}, key=int.bit_length,
                                                    reverse=True))
        lru = self._lru
        dirty = self._dirty
        kept = []
        before = len(nodes)
        for _ in range(min(len(lru), 2 * (len(nodes) - self._capacity) + 64)):  # bounded work per walk
            if len(nodes) <= self._capacity:
                break
            parent, _ = lru.popitem(last=False)
            # Only below a parent whose row is on disk and current, which names the children's rows; changed
            # entries stay until they are written.
            if parent not in known or parent in dirty:
                if parent in nodes:
                    kept.append(parent)
                continue
            for child in (2 * parent, 2 * parent + 1):
                if child in nodes and child in known and child not in dirty:
                    dict.__delitem__(nodes, child)
                    del known[child]
        for parent in kept:  # tried again once they are written
            lru[parent] = None
        if len(nodes) < before:
            self._reached.clear()

    # --- building -------------------------------------------------------------------------------------------
    def load_all(self, items: Iterable[tuple[bytes, bytes]]) -> None:
        """Fill an empty tree with ``items`` (key, value_hash) in one build; every node is then pending."""
        if self._nodes or self._size:
            raise ValueError(f"expected an empty state tree to build, found {self._size} leaves")
        built = SparseMerkleTree.from_items(items)
        for index, entry in built._nodes.items():
            self._nodes[index] = entry
        self._size = len(built)
