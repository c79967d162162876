"""The state tree on disk: ``StoredTree``, the sparse Merkle tree of ``ledger_lite.smt`` whose nodes live in the
node's SQLite store behind a bounded cache of hot nodes, so a node's memory does not grow with its state.

Where. In the node's own SQLite file (``ledger.storage``), rather than a second embedded store (LMDB, RocksDB): the
tree's rows (and the keys each block logs for them, below) are then written in the very SQLite transaction
that stores a block, so a crash at any point leaves both or neither (one fsync, one WAL), and the node keeps
one file to back up and inspect.

How. A node is stored under its position in the tree, the heap index of ``ledger_lite.smt_tree``: an internal
node as its 32-byte hash, a leaf as ``path || value_hash``, an empty subtree not at all; four levels of the tree to
a row (a node and the three levels below it, ``ledger.tree_groups``), under a key that keeps every subtree's rows
together. The children of a node are therefore found from its position alone, without row ids to keep in memory
for every cached node, and a write replaces the rows of the groups it changes in place or deletes them: the table
holds the tree of ``smt_height`` and nothing else, with no replaced rows to list and delete later. (Formats 3 to 7
appended changed nodes under new row ids, as Diem's Jellyfish Merkle tree does, to write fewer pages per block; but
the tree is written once for many blocks, below, and deleting the rows it replaced touched pages all over the table
anyway. Under positions, a reading at the steady state of ``bench/ledger_steady.py`` with a cache of half the tree
costs 16 % less of the node's CPU, and a cached entry a quarter less memory: 246 bytes instead of 332. Formats 8 to
12 kept a row a node: ~12 rows a reading to write where groups take ~3.)

Checking. A cached node's children are read from disk only as a pair, and their hashes must hash to the
parent's, which the node checked against the last signed header at start (the root): a hand-edited, added or
deleted row is refused with ``StoreError`` at the first walk that reads it.

Writing. Changed entries are written once half of ``capacity`` changed (``wants_flush``), and when the node
closes, rather than with every block: the upper part of the tree changes in every block, and writing it once
for many blocks writes about 2.5 times fewer rows per reading (measured at 200,000 leaves: 3.9 rows per new
leaf written every 100,000 changes, 9.4 every 2,000). Changed entries stay cached until written. The store
logs the changed keys of every block in between (in the block's transaction); a node that starts after a crash
puts those keys' stored values back into the tree and checks the root against the signed header
(``ledger.state``). A write's changed nodes are packed in two buffers (``ledger.tree_groups.PackedRows``) rather than
a tuple each: a write of 1.3 M changes held ~190 bytes a change as tuples, ~56 packed. What the write freed goes back
to the system once it is done (``ledger.heap``).

Cache. ``_nodes`` holds the hot part of the tree in the layout of ``ledger_lite.smt_tree`` (heap index → entry), in
``_smt_native.NodeTable`` (an open-addressing table keyed by machine words, which the compiled walks take as they
take a dict; a plain dict where the module was never built). The walks, the loading of pairs, their check and the
changed entries' stored form are compiled too (``_smt_native.walk``, ``load_pairs``, ``pending``); their Python
forms are at the end of this module. The positions changed since the last write are kept in
``_smt_native.IndexSet``, where the compiled update notes each straight from the path's bits; on the two together
the update walks without the GIL, in the walker thread while the block producer plans the block's rows
(``SparseMerkleTree.start_update``, ``ledger.producer``), and nothing else touches the tree meanwhile (the node's
lock). Children are loaded
and evicted as a pair: a cached internal node with neither child cached has its children on disk. Pairs are evicted
least recently used first (their order in ``_smt_native.LruOrder``, a linked list of machine words, or
``ledger.lru_order.LruOrder`` where the module was never built; neither is walked by the cycle collector)
once ``capacity`` entries are cached (before a walk, and when the producer has nothing to do, ``trim``: so the cache
holds at most ``capacity``, what one batch's walks load and the changed entries not written yet), and only when
neither child changed since the last write (their rows on disk are theirs); a walk touches its pairs from the bottom
up, so a parent is always fresher than its children and leaves the cache after them. Paths walked whole are
remembered until an eviction takes a pair below a node one of them walks through: a block reads its values (one
batch of walks) and then updates the same keys, and the update does not walk them again (its eviction takes the
least recently used pairs, seldom theirs). The pairs below the top levels (``pinned_depth``: 16 by default) are never
evicted and kept out of that order: nearly every block walks through them, so they would stay the freshest anyway,
and touching them again in every walk took ~5 % of the block producer's time at a million readings (py-spy: the
order's touches 7.3 → 2.7 % of it). A tree expected to fit its cache (``NODES_PER_LEAF`` nodes a leaf) keeps no
order at all until the cache first overflows, when the pairs cached then are ordered deepest first: ~35 bytes a
pair saved (~76 MB for the whole tree of 1.78 M live assets), and no touches.

Warming. A tree built in this process is whole in its cache (``_complete``): walks need not look for nodes on disk,
and an update walks only once. A tree opened from the store starts as its root alone, and its walks load the pairs
they reach; at the random paths of new assets and swept ones, the whole tree takes millions of readings to come in
that way, and until it has, every update walks its paths twice (``_reach``, then the update) and loads pairs on the
way: after a restart at the 1,002 meters' steady state of ``bench/ledger_scale.py``, ~5,700 readings/s against
~7,000 before it. So a stored tree expected to fit the cache is loaded whole by ``warm``, a slice at a time (the
producer gives it its idle time and a share of each busy block's, ``ledger.producer``): from the root down, the
cached nodes whose children are on disk found below a list of positions (``_smt_native.cold_below``) and their rows
read together, then looked below in turn; then it is ``_complete`` again. Nodes do not move in the
tree (only leaves do) and none is evicted from a tree that fits, so a node a block loads or makes meanwhile is
below one the warming has still to visit, or made whole in memory, and the walk down reaches every stored node.

Loading whole. A restart after a crash puts the keys logged since the tree's last write back into it (``ledger.state``):
up to ~190,000 keys at the 1,002 meters' steady state, whose walks down cold paths load most of the tree a few levels at
a time (4.3–5.0 s, docs/performance.md). Where they would, ``load_whole`` reads every stored row at once instead, in key
order (one pass over the table), puts their nodes into the cache unchecked (``_smt_native.load_groups``) and then checks
each against its parent, up to the root the node checks against the signed header (``_smt_native.check_whole``): the
same checks as a walk's, made once for the whole tree. The rows are put and checked on a thread of their own, the
compiled parts without the interpreter lock, while the node reads the rows and then the logged keys' values.
"""

from __future__ import annotations

import math
import queue
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain
from typing import TypeVar

from ledger.errors import StoreError
from ledger.lru_order import LruOrder
from ledger.tree_groups import KEYED_DEPTH, NOTHING_PACKED, CachedGroups, GroupError, PackedRows, group_nodes
from ledger_lite.smt import EMPTY, HASH_SIZE, hash_leaf, hash_node
from ledger_lite.smt_tree import NATIVE, Nodes, SparseMerkleTree, Touched

if NATIVE:
    from ledger_lite import _smt_native

_T = TypeVar("_T")
# the stored nodes at the given heap indexes (those stored): a 32-byte hash, or a leaf's ``path || value_hash``
NodeReader = Callable[[Sequence[int]], dict[int, bytes]]

# Cached entries: ~134 bytes each in a NodeTable (its records and slots) with the bookkeeping and the order of their
# pairs in an ``_smt_native.LruOrder``, ~89 in a cache the tree fits, with no order (150 when a leaf's record was 96
# bytes, 177 when entries were bytes objects, 204 with ``ledger.lru_order``'s order, 242 in a dict when the default
# was 1 << 20). The default holds the whole tree of the 1,002 meters' steady state, ~1.9 million live assets
# (``ledger.cache_sizes`` says why).
DEFAULT_CAPACITY = 4_600_000
# Changed entries that make a write at most (``wants_flush``): half the cache, up to this many. A write held its rows
# as Python objects while it ran (~190 bytes a changed entry), so a write of half of a 4.6 M cache (2.3 M entries) took
# the node from 794 to a peak of 1,205 MB at 3 M readings of ``bench/ledger_scale.py``; the writes of the default
# cache, 1.3 M entries, kept it at ~820. (``pending`` now packs them: ``ledger.tree_groups.PackedRows``; a tree held
# whole has its rows made from the cache: ``ledger.tree_groups.CachedGroups``.) Writing 2.3 M at a time cost 4.6 µs a
# reading less at the 1,002 meters' steady state, but a restart after a crash puts back the keys logged since the last
# write, and took 15.6 s instead of 8.6 at most (docs/performance.md, "The node over the years").
MAX_WRITE = 1_300_000
# Nodes a leaf of a tree of random keys brings on average: itself and 1 / ln 2 internal nodes (4.35 M nodes for the
# 1.78 M live assets of ``bench/ledger_scale.py``'s steady state).
NODES_PER_LEAF = 1 + 1 / math.log(2)
# Positions ``warm`` looks below a step: the cold nodes found below them (16 at most below a position it has just
# loaded, four levels down) are loaded together, a few thousand rows in a few queries.
WARM_CHUNK = 128
# Logged keys, as a share of the leaves, from which a restart loads the tree whole rather than walk to each
# (``loads_whole``): at 1.78 M leaves, 60,000 keys took 2.4 s walking and 2.6 s loading whole, 120,000 took 4.0 and 3.5
# (docs/performance.md, "a restart after a crash loads the state tree whole").
WHOLE_LOAD_SHARE = 20
# Chunks of stored rows read ahead of the thread that loads them (``load_whole``): the reading need not wait for it, and
# holds a few of them at most.
LOAD_QUEUE = 8
REACHED_PATHS = 1 << 14  # paths remembered as walked whole (``StoredTree._reached``): a block's reads and more


def write_size(capacity: int) -> int:
    """Changed entries that make a cache of ``capacity`` entries write them (``StoredTree.wants_flush``): half of it,
    up to ``MAX_WRITE``; the most it holds beyond its capacity, not written yet."""
    return max(1, min(capacity // 2, MAX_WRITE))


def _order(keys: Iterable[int] = ()) -> LruOrder | _smt_native.LruOrder:
    """An LRU order of ``keys`` (oldest first), compiled where the module was built: ~35 bytes a key instead of ~80
    (300,000 keys, ``tracemalloc``), and a touch that makes no object."""
    return _smt_native.LruOrder(keys) if NATIVE else LruOrder(keys)


def pinned_depth(capacity: int) -> int:
    """How many levels of parents at the top of the tree a cache of ``capacity`` entries keeps with their children
    for good (module docstring, "Cache"): as many as fill at most an eighth of it (16, whose children are 131,070
    entries, for the default; none below 32)."""
    return max(0, (capacity // 16).bit_length() - 1)


@dataclass(frozen=True)
class TreeWrite:
    """What a write changes on disk: the nodes to store (heap index → stored node, in place of any there), as
    ``rows`` and then ``packed`` (``ledger.tree_groups.PackedRows``, where the compiled module packed those below
    2^63), the positions left empty, and the leaf count; of a tree its cache holds whole, the groups whose rows are
    made from the cache instead (``cached``: every changed position in them, ``ledger.tree_groups``), the rest in
    ``rows`` and ``deleted``."""

    rows: list[tuple[int, bytes]]  # deepest first, and deeper than ``packed``'s (``StoredTree.written`` relies on it)
    deleted: list[int]
    size: int
    packed: PackedRows = NOTHING_PACKED
    cached: CachedGroups | None = None

    @property
    def changes(self) -> int:
        """How many positions the write stores or empties."""
        return len(self.rows) + len(self.packed) + len(self.deleted) + (self.cached.changes if self.cached else 0)

    def stored(self) -> Iterator[tuple[int, bytes]]:
        """Every (position, stored node) of the write, deepest first."""
        return chain(self.rows, self.packed)


def _entry_of(index: int, node: bytes) -> bytes:
    """A stored node as a cache entry (``ledger_lite.smt_tree`` layout); raises for a row of neither shape."""
    if len(node) == HASH_SIZE:
        return bytes(node)
    if len(node) == 2 * HASH_SIZE:
        node = bytes(node)
        return node + hash_leaf(node[:HASH_SIZE], node[HASH_SIZE:])
    raise _misshapen(index, len(node))


def _misshapen(index: int, size: int) -> StoreError:
    return StoreError(f"expected the state tree node at position {index} to be a 32-byte hash or a 64-byte leaf, "
                      f"found {size} bytes; the store was changed outside the node")


class StoredTree(SparseMerkleTree):
    """``SparseMerkleTree`` over the stored nodes read by ``read_nodes``; ``pending`` and ``written`` move the
    changes to disk (``ledger.storage.Store.write_block`` calls them inside a block's transaction)."""

    __slots__ = ("_capacity", "_complete", "_dirty", "_flush_at", "_idle_flush_at", "_lru", "_ordered", "_pinned_below",
                 "_reached", "_reached_through", "_read_nodes", "_warming")

    def __init__(self, read_nodes: NodeReader, root: bytes | None, size: int, *,
                 capacity: int = DEFAULT_CAPACITY) -> None:
        """``read_nodes`` reads the stored nodes at many positions in a few queries; ``root``: the stored root
        (None: an empty tree)."""
        super().__init__()
        if capacity < 16:
            raise ValueError(f"expected a cache of at least 16 entries, found {capacity}")
        self._flush_at = write_size(capacity)  # changed entries that make ``wants_flush`` true
        self._idle_flush_at = max(1, self._flush_at // 8)  # ... and ``wants_flush(idle=True)``
        # Containers of ints (and bytes) are dicts, not sets: a dict of untracked objects is left out of the cycle
        # collector's passes (``ledger.lru_order``).
        # Heap indexes written since the last ``written``: the compiled walks note them straight in an ``IndexSet``
        # (a 900-key update of a million-leaf tree took 9.3-10.4 ms at the median with a dict here, 6.4-7.0 with it).
        self._dirty: dict[int, None] | _smt_native.IndexSet = _smt_native.IndexSet() if NATIVE else {}
        self._nodes: Nodes = _smt_native.NodeTable() if NATIVE else {}
        self._read_nodes = read_nodes
        self._capacity = capacity
        self._lru = _order()  # cached pairs by their parent's heap index, but the pinned ones
        # The top levels, which nearly every block walks through, are never evicted: pairs whose parent's heap index
        # is below this, kept out of the LRU order and its bookkeeping.
        self._pinned_below = 1 << pinned_depth(capacity)
        # Paths walked whole, everything along them still cached (module docstring), so the update that follows
        # the reads of a block's values does not walk them again; and the internal nodes they walk through: an
        # eviction of a pair below one of these, or a write of the tree, forgets them all.
        self._reached: dict[bytes, None] = {}
        self._reached_through: dict[int, None] | _smt_native.IndexSet = _smt_native.IndexSet() if NATIVE else {}
        self._size = size
        # Every node is cached (a new tree, nothing evicted yet): walks need not check for nodes on disk.
        self._complete = root is None
        # Whether the LRU order is kept: from the start for a tree expected to outgrow the cache, else from the
        # cache's first overflow, when it is made of the pairs cached then, deepest first. A tree that fits is
        # never ordered: no touches, and no ~35 bytes a pair (~76 MB for the 4.35 M nodes of 1.78 M live assets).
        self._ordered = size * NODES_PER_LEAF > capacity
        # What ``warm`` has still to look below (lists of positions, the last found last; None: nothing): a stored
        # tree expected to fit the cache is loaded whole, a little at a time, so that walks stop looking for nodes on
        # disk.
        self._warming: list[list[int]] | None = None
        if root is not None:
            self._nodes[1] = _entry_of(1, root)
            if not self._ordered:
                self._warming = [[1]]

    @property
    def cached(self) -> int:
        """How many entries the cache holds now."""
        return len(self._nodes)

    @property
    def capacity(self) -> int:
        """How many entries the cache holds at most, beyond what walks load and changes not written yet."""
        return self._capacity

    @property
    def whole(self) -> bool:
        """Whether every node of the tree is cached (built here, or loaded whole by ``warm``, and none evicted)."""
        return self._complete

    @property
    def outgrown(self) -> bool:
        """Whether the tree is larger than its cache: expected so when it was opened, or found at the cache's first
        overflow. Walks then read the nodes they miss from the store, and a block that touches many keys not used
        lately waits for them (``ledger.cache_sizes``: the memory that would hold it whole)."""
        return self._ordered

    @property
    def warming(self) -> bool:
        """Whether ``warm`` has nodes on disk still to load (a stored tree that fits its cache, opened lately)."""
        return self._warming is not None

    # --- reads ------------------------------------------------------------------------------------------------
    def warm(self, seconds: float) -> bool:
        """Load the stored nodes of a tree that fits the cache for about ``seconds``, from the root down (module
        docstring, "Warming"); whether there is more to load. Once every node is cached, walks stop looking for
        nodes on disk (``whole``); a tree that outgrew its cache meanwhile is left to its walks. A stored row that is
        not the tree's raises ``StoreError`` as a walk's load does, and nothing more is warmed."""
        stack = self._warming
        if stack is None:
            return False
        if self._ordered:  # the cache overflowed: what is cached now is what walks want, not the whole tree
            self._warming = None
            return False
        nodes = self._nodes
        end = time.perf_counter() + seconds
        try:
            while stack:
                level = stack[-1]
                chunk = level[-WARM_CHUNK:]
                del level[-WARM_CHUNK:]
                if not level:
                    stack.pop()
                # the nodes below these whose children are on disk (a block may have changed the tree since they
                # were found, or loaded some): loaded, then looked below in a later step
                cold = (_smt_native.cold_below if NATIVE else _cold_below)(nodes, chunk)
                if cold:
                    self._load_pairs(cold)
                    stack.append(cold)
                if time.perf_counter() >= end:
                    break
        except BaseException:
            self._warming = None
            raise
        if stack:
            return True
        self._warming = None
        self._complete = not self._ordered
        return False

    def loads_whole(self, paths: int) -> bool:
        """Whether walks to ``paths`` random keys had better be preceded by ``load_whole``: a tree opened from the store
        with only its root cached, which fits the cache, and that many paths to walk (``WHOLE_LOAD_SHARE``)."""
        return (not self._ordered and not self._complete and len(self._nodes) == 1 and not self._dirty
                and paths * WHOLE_LOAD_SHARE >= self._size)

    def load_whole(self, rows: Iterable[list[tuple[int, bytes]]], meanwhile: Callable[[], _T]) -> _T:
        """Cache every stored node at once (module docstring, "Loading whole"): ``rows``, the stored groups a list at a
        time (``ledger.storage.Store.load_tree``, in key order), read here and put into the cache unchecked on a thread
        of their own (compiled: without the interpreter lock), which then checks them all against the root while
        ``meanwhile`` runs here; returns what it returns. The tree is then ``whole``. For a tree that ``loads_whole``.
        A stored row that is not the tree's raises ``StoreError`` (as does whatever ``meanwhile`` raises), and the
        cache holds its root alone again."""
        if self._ordered or self._complete or len(self._nodes) != 1 or self._dirty:
            raise RuntimeError(f"expected a stored tree with only its root cached to load whole, found "
                               f"{len(self._nodes)} entries cached and {len(self._dirty)} changed")
        nodes, root = self._nodes, self._nodes[1]
        table = nodes if NATIVE and isinstance(nodes, _smt_native.NodeTable) else None
        chunks: queue.Queue[list[tuple[int, bytes]] | None] = queue.Queue(LOAD_QUEUE)
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="tree-load") as beside:
                loading = beside.submit(_load_then_check, nodes, table, math.ceil(self._size * NODES_PER_LEAF), chunks)
                try:
                    for chunk in rows:
                        if not _hand(chunks, chunk, loading):
                            break  # the loader stopped (a row not the tree's): it says why below
                finally:  # however the reading ended, the loader stops
                    _hand(chunks, None, loading)
                result = meanwhile()
                problem = loading.result()
            if problem is not None:
                index, computed = problem
                if computed is None:
                    raise StoreError(f"the state tree's node at position {index} lies below no internal node (checked "
                                     f"down from the signed state root); the store was changed outside the node")
                raise StoreError(f"the state tree's children of position {index} hash to {computed.hex()}, expected "
                                 f"{nodes[index].hex()} (checked down from the signed state root); the store was "
                                 f"changed outside the node")
        except BaseException:
            self._nodes = {} if table is None else _smt_native.NodeTable()
            self._nodes[1] = root
            raise
        self._warming = None
        self._complete = True
        return result

    def _reach(self, paths: Sequence[bytes]) -> None:
        """Load what walks along ``paths`` (sorted) read. A path walks on from where it leaves the one before it
        (the nodes of their common prefix are walked once), and stops at a cached node whose children are on disk;
        those nodes are then loaded together (``_load_pairs``: a few queries, not one a pair) and the stopped
        paths walk on, until every walk ends at a leaf or an empty slot."""
        reached = self._reached
        if reached and not self._complete and all(path in reached for path in paths):
            return  # all walked whole and still cached: nothing to evict first (which might forget them)
        self._evict()  # before loading: what a walk loads must stay until the walk is done
        if self._complete or not paths:
            return
        if reached:
            paths = [path for path in paths if path not in reached]
            if not paths:
                return
        if len(reached) + len(paths) > REACHED_PATHS:  # bounded: forgetting a path only costs a walk
            reached.clear()
            self._reached_through.clear()
        nodes = self._nodes
        touched: list[list[int]] = [[] for _ in range(257)]  # internal nodes walked through, by depth
        waiting = [(path, 1, 0) for path in paths]
        shared_walks = True  # the first pass: the paths start at the root, in order
        while waiting:
            cold, waiting = (_smt_native.walk if NATIVE else _walk)(nodes, waiting, shared_walks, touched)
            if cold:
                self._load_pairs(cold)
            shared_walks = False
        lru = self._lru
        evictable = touched[self._pinned_below.bit_length() - 1:]  # by depth: the parents at depth d are 2**d and up
        for level in reversed(evictable) if self._ordered else ():  # bottom up: parents stay fresher than children
            lru.touch_present(level)
        reached.update(dict.fromkeys(paths))
        through = self._reached_through
        for level in evictable:
            if isinstance(through, dict):
                through.update(dict.fromkeys(level))
            else:
                through.update(level)

    def _load_pairs(self, indexes: list[int]) -> None:
        """Read the children of the cached internal nodes ``indexes`` from disk (a few queries for all), check them
        against their parents and cache them; and the pairs below them that came in the same stored rows (the
        store reads a group of levels at once, ``ledger.tree_groups``), so the walks reach the next query four
        levels down rather than one."""
        nodes = self._nodes
        found = self._read_nodes([child for index in indexes for child in (2 * index, 2 * index + 1)])
        levels: list[list[int]] = []
        level = indexes
        while level:
            problem = (_smt_native.load_pairs if NATIVE else _load_checked)(nodes, level, found)
            if problem is not None and levels:
                break  # below what the walks asked for: refused when a walk reaches it, as if not read yet
            if problem is not None:
                index, what = problem
                if isinstance(what, int):
                    raise _misshapen(index, what)
                raise StoreError(f"the state tree's children of position {index} hash to {what.hex()}, expected "
                                 f"{nodes[index].hex()} (checked down from the signed state root); the store was "
                                 f"changed outside the node")
            levels.append(level)
            level = (_smt_native.loaded_below if NATIVE else _loaded_below)(level, found)
        lru, pinned = self._lru, self._pinned_below
        for level in reversed(levels) if self._ordered else ():  # bottom up: parents stay fresher than children
            for index in level:
                if index >= pinned:
                    lru.add(index)

    # --- writes -----------------------------------------------------------------------------------------------
    def _touched(self) -> Touched:
        """The changed positions' set itself, for the compiled walks; a list for the Python walks. (A batch that
        ``update`` undoes leaves its positions in the set: they are written again as they are.)"""
        dirty = self._dirty
        return [] if isinstance(dirty, dict) else dirty

    def _changed(self, touched: Touched) -> None:
        """The positions an update wrote or emptied: written with the next ``pending``, cached until then."""
        if isinstance(self._dirty, dict):
            self._dirty.update(dict.fromkeys(touched))

    def wants_flush(self, *, idle: bool = False, waited: bool = False) -> bool:
        """Whether enough entries changed since the last ``written`` to write them now: the nodes near the top
        change with every block, so writing every few hundred thousand changes rather than every block writes
        each of them once for many blocks (``ledger.storage`` keeps the changed keys of the blocks between).
        ``idle``: enough to write them while the node has nothing else to do (``ledger.producer``), an eighth
        as many: fewer than that would be written again soon, more would be written inside a block later.
        ``waited``: enough for a block someone waits for to write them, an eighth more: such a block leaves a due
        write to the next bulk block or the idle node (a 900-asset certificate whose block wrote 100,000 entries
        took 247-260 ms against 23-57, ``bench/issuance_at_scale.py --between 15000 --tree-cache 200000``,
        2026-12-06), and a restart after a crash puts back at most an eighth more keys."""
        if idle:
            return len(self._dirty) >= self._idle_flush_at
        return len(self._dirty) >= self._flush_at + (self._flush_at // 8 if waited else 0)

    @property
    def changed(self) -> int:
        """Entries changed since the last ``written``."""
        return len(self._dirty)

    def pending(self) -> TreeWrite:
        """The stored form of every entry changed since the last ``written`` (deepest first), and the positions
        emptied."""
        if not NATIVE:
            rows, deleted = _pending_of(self._nodes, self._dirty)
            return TreeWrite(rows, deleted, self._size)
        if self._complete and isinstance(self._nodes, _smt_native.NodeTable) \
                and isinstance(self._dirty, _smt_native.IndexSet):
            # every node cached: the touched groups' rows are made from the cache as they are written
            keys, others = _smt_native.dirty_groups(self._dirty, KEYED_DEPTH)
            rows, deleted = _pending_of(self._nodes, others)
            cached = CachedGroups(self._nodes, keys, len(self._dirty) - len(others))
            return TreeWrite(rows, deleted, self._size, cached=cached)
        indexes, nodes, rows, deleted = _smt_native.pending(self._nodes, self._dirty)
        return TreeWrite(rows, deleted, self._size, PackedRows(indexes, nodes))

    def written(self, write: TreeWrite) -> None:
        """``write`` is on disk (its transaction committed): the cache's entries are now as stored."""
        # The remembered paths may go on through nodes that updates made since they were walked, which may leave
        # the cache from now on: forget them (the next reads walk again).
        self._reached.clear()
        self._reached_through.clear()
        if self._ordered:
            lru, pinned = self._lru, self._pinned_below
            if isinstance(lru, LruOrder):
                for index, _ in write.stored():  # deepest first: parents end up fresher than their children
                    if index >> 1 >= pinned:
                        lru.touch(index >> 1)
            else:
                lru.touch_parents(write.rows, pinned, write.packed.indexes)  # the same loop, compiled
        self._dirty.clear()
        self._evict()

    def trim(self) -> None:
        """Evict what the last walks loaded beyond ``capacity`` now rather than at the start of the next walk: the
        producer calls this when no transaction waits, so the next block (often one a client waits for) does not
        pay for what the last one loaded."""
        self._evict()

    def _evict(self) -> None:
        nodes = self._nodes
        if len(nodes) <= self._capacity:
            return
        if not self._ordered:  # the first overflow: the order of what is cached now (``__init__``)
            self._ordered = True
            self._complete = False
            pinned = self._pinned_below
            self._lru = _order(sorted({index >> 1 for index in nodes if index >> 1 >= pinned}, key=int.bit_length,
                                      reverse=True))
        lru = self._lru
        dirty = self._dirty
        through = self._reached_through
        if (NATIVE and isinstance(lru, _smt_native.LruOrder) and isinstance(nodes, _smt_native.NodeTable)
                and isinstance(dirty, _smt_native.IndexSet) and isinstance(through, _smt_native.IndexSet)):
            forget = lru.evict(nodes, dirty, through, self._capacity)  # the loop below, compiled
        else:
            forget = self._evict_pairs(nodes, lru, dirty, through)
        if forget:  # a pair below a node that a remembered path walks through left: forget them all
            self._reached.clear()
            through.clear()

    def _evict_pairs(self, nodes: Nodes, lru: LruOrder | _smt_native.LruOrder, dirty: Collection[int],
                     through: Collection[int]) -> bool:
        """``_evict``'s loop (``_smt_native.LruOrder.evict`` compiled): least recently used pairs leave until
        ``capacity`` entries are cached; True if one below a node that a remembered path walks through left."""
        kept = []
        forget = False
        for _ in range(min(len(lru), 2 * (len(nodes) - self._capacity) + 64)):  # bounded work per walk
            if len(nodes) <= self._capacity:
                break
            parent = lru.pop_oldest()
            left = 2 * parent
            # Only a pair whose rows on disk are theirs: a changed (or emptied) position stays until written.
            if left in dirty or left + 1 in dirty:
                if left in nodes or left + 1 in nodes:
                    kept.append(parent)
                continue
            if parent in through and (left in nodes or left + 1 in nodes):
                forget = True
            if left in nodes:
                del nodes[left]
            if left + 1 in nodes:
                del nodes[left + 1]
        for parent in kept:  # tried again once they are written
            lru.add(parent)
        return forget

    # --- building -------------------------------------------------------------------------------------------
    def load_all(self, items: Iterable[tuple[bytes, bytes]]) -> None:
        """Fill an empty tree with ``items`` (key, value_hash) in one build; every node is then pending."""
        if self._nodes or self._size:
            raise ValueError(f"expected an empty state tree to build, found {self._size} leaves")
        built = SparseMerkleTree.from_items(items)
        self._nodes.update(built._nodes)
        self._dirty.update(dict.fromkeys(built._nodes))
        self._size = len(built)


def _hash_of(entry: bytes | None) -> bytes:
    if entry is None:
        return EMPTY
    return entry if len(entry) == HASH_SIZE else entry[2 * HASH_SIZE:]


# The Python forms of ``_smt_native.load_pairs``, ``loaded_below``, ``cold_below``, ``pending``, ``walk``,
# ``load_groups`` and ``check_whole`` (tests/ledger/test_state_tree.py, test_state_tree_warming.py and
# test_state_tree_whole.py check that both give the same), for a checkout whose module was never built.

def _load_then_check(nodes: Nodes, table: _smt_native.NodeTable | None, expected: int,
                     chunks: queue.Queue[list[tuple[int, bytes]] | None]) -> tuple[int, bytes | None] | None:
    """``StoredTree.load_whole``'s thread: the stored groups of each chunk put into ``nodes`` (``table``, the same
    compiled, its slots made for ``expected`` entries) until None comes, then every node checked: the problem, if
    any (``_check_whole``)."""
    while (chunk := chunks.get()) is not None:
        try:
            if table is None:
                _load_groups(nodes, chunk)
            else:
                _smt_native.load_groups(table, chunk, expected)
        except ValueError as exc:  # as ``group_nodes`` says it
            raise GroupError(f"{exc}; the store was changed outside the node") from None
    return _check_whole(nodes) if table is None else _smt_native.check_whole(table)


def _hand(chunks: queue.Queue[list[tuple[int, bytes]] | None], chunk: list[tuple[int, bytes]] | None,
          loading: Future[tuple[int, bytes | None] | None]) -> bool:
    """Put ``chunk`` in the queue for the loader, waiting for room while it runs; False if it stopped first."""
    while not loading.done():
        try:
            chunks.put(chunk, timeout=0.05)
            return True
        except queue.Full:
            continue
    return False


def _load_groups(nodes: Nodes, rows: list[tuple[int, bytes]]) -> int:
    """The nodes of the stored groups ``rows`` (key, row) put into ``nodes`` at the positions it holds nothing at (what
    it holds is the same or newer), unchecked (``_check_whole``); how many were put."""
    put = 0
    for index, node in group_nodes(rows).items():
        if index not in nodes:
            nodes[index] = _entry_of(index, node)
            put += 1
    return put


def _check_whole(nodes: Nodes) -> tuple[int, bytes | None] | None:
    """Whether ``nodes`` is a tree whose every node is checked against its root: each node but the root below an
    internal node, each internal node the hash of its children's. None, or the problem at the lowest position:
    (position, None) for a node below no internal node, (an internal node's position, the hash its children give)
    for one they do not hash to."""
    for index in sorted(nodes):
        if index > 1 and len(nodes.get(index >> 1, b"")) != HASH_SIZE:
            return index, None
        entry = nodes[index]
        if len(entry) == HASH_SIZE:
            computed = hash_node(_hash_of(nodes.get(2 * index)), _hash_of(nodes.get(2 * index + 1)))
            if computed != entry:
                return index, computed
    return None


def _loaded_below(level: list[int], found: dict[int, bytes]) -> list[int]:
    """The children of the heap indexes ``level``, in order, that ``found`` holds as internal nodes with a child of
    theirs found too: the next level of ``StoredTree._load_pairs``."""
    return [child for index in level for child in (2 * index, 2 * index + 1)
            if (2 * child in found or 2 * child + 1 in found) and len(found.get(child, b"")) == HASH_SIZE]


def _load_checked(nodes: Nodes, indexes: list[int],
                  found: dict[int, bytes]) -> tuple[int, int | bytes] | None:
    """Cache the children of the internal nodes ``indexes`` as ``found`` holds them (heap index -> stored node), if
    every pair hashes to its parent; else cache none and return the problem: (a child's index, its size) for a
    row of neither shape, (the parent's index, the hash its children give) for children that hash to another."""
    loaded: list[tuple[int, bytes]] = []
    for index in indexes:
        hashes = []
        for child in (2 * index, 2 * index + 1):
            node = found.get(child)
            if node is None:
                hashes.append(EMPTY)
                continue
            if len(node) not in (HASH_SIZE, 2 * HASH_SIZE):
                return child, len(node)
            entry = _entry_of(child, node)
            loaded.append((child, entry))
            hashes.append(_hash_of(entry))
        computed = hash_node(*hashes)
        if computed != nodes[index]:
            return index, computed
    nodes.update(loaded)
    return None


def _cold_below(nodes: Nodes, indexes: list[int]) -> list[int]:
    """The cached internal nodes at or below the positions ``indexes`` whose children are both on disk, found walking
    down through the cached internal nodes; a position that holds no internal node is passed over."""
    cold: list[int] = []
    todo = list(indexes)
    while todo:
        index = todo.pop()
        entry = nodes.get(index)
        if entry is None or len(entry) != HASH_SIZE:
            continue
        left, right = 2 * index in nodes, 2 * index + 1 in nodes
        if not left and not right:
            cold.append(index)
        else:
            todo.extend(child for child, cached in ((2 * index, left), (2 * index + 1, right)) if cached)
    return cold


def _pending_of(nodes: Nodes, dirty: Iterable[int]) -> tuple[list[tuple[int, bytes]], list[int]]:
    """The stored form of the entries at the positions ``dirty`` (index, node), deepest first, and the positions
    of those that ``nodes`` does not hold."""
    rows: list[tuple[int, bytes]] = []
    deleted: list[int] = []
    for index in dirty:
        entry = nodes.get(index)
        if entry is None:
            deleted.append(index)
        else:
            rows.append((index, entry if len(entry) == HASH_SIZE else entry[:2 * HASH_SIZE]))
    rows.sort(key=lambda row: row[0].bit_length(), reverse=True)
    return rows, deleted


def _walk(nodes: Nodes, waiting: list[tuple[bytes, int, int]], shared_walks: bool,
          touched: list[list[int]]) -> tuple[list[int], list[tuple[bytes, int, int]]]:
    """One pass of ``StoredTree._reach``'s walks (``_smt_native.walk`` compiled): each ``(path, index, depth)`` of
    ``waiting`` walks down from there to a leaf, an empty slot or a cached node whose children are on disk;
    ``shared_walks``: the paths are sorted and start at the root, and each starts where it leaves the one before.
    The internal nodes walked through are appended to ``touched[depth]``. Returns the cached nodes whose children
    are on disk and the walks stopped at them."""
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
    return list(cold), stopped
