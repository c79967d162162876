"""The sparse Merkle tree a node keeps: ``SparseMerkleTree``, updated in batches, and ``root_of``, the reference
it is tested against.

The construction is ``ledger_lite.smt``, the proofs ``prove`` returns are ``ledger_lite.smt_proof``. A light
client never needs this module.
"""

from __future__ import annotations

import hashlib
import os
import threading
import warnings
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Mapping, MutableMapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeAlias

from ledger_lite.errors import Error
from ledger_lite.smt import EMPTY, HASH_SIZE, LEAF_PREFIX, NODE_PREFIX, hash_leaf, hash_node, key_path
from ledger_lite.smt_proof import SmtLeaf, SmtProof

# The compiled module's interface; ``_smt_native.c`` says the same (``BUILD``) and both change together.
NATIVE_BUILD = 8

try:  # the same walks compiled (``_smt_native.c``, built by ``pip install -e .``): 1.6-2.4 times faster
    from ledger_lite import _smt_native
    NATIVE = getattr(_smt_native, "BUILD", 1) == NATIVE_BUILD
except ImportError:  # a checkout that was never installed: the walks below, in Python
    NATIVE = False
else:
    if not NATIVE:  # built from an older ``_smt_native.c`` than this checkout's: slower, but the same answers
        warnings.warn(f"ledger_lite/_smt_native was built from other source than this checkout's (interface "
                      f"{getattr(_smt_native, 'BUILD', 1)}, expected {NATIVE_BUILD}); the state tree runs in Python "
                      f"until it is built again (scripts/bootstrap.sh setup, or pip install -e .)",
                      RuntimeWarning, stacklevel=1)

_sha256 = hashlib.sha256


class PresentKeyError(Error, ValueError):
    """``SparseMerkleTree.update`` was told that keys have no value, and the tree holds one for ``keys`` (the
    tree was left unchanged)."""

    def __init__(self, keys: list[bytes]) -> None:
        self.keys = keys
        super().__init__(f"expected no value in the tree at the {len(keys)} key(s) said to be absent, found one at "
                         f"{keys[0]!r:.80}")


class HeldValueError(Error, ValueError):
    """``SparseMerkleTree.update`` was told which value hash keys hold now, and the tree holds another (or none) for
    ``keys`` (the tree was left unchanged)."""

    def __init__(self, keys: list[bytes]) -> None:
        self.keys = keys
        super().__init__(f"expected the value hash said to be held in the tree at {len(keys)} key(s), found another "
                         f"or none at {keys[0]!r:.80}")


def _check_value(key: bytes, value_hash: bytes) -> None:
    if not isinstance(key, bytes):
        raise TypeError(f"expected a bytes key, found {type(key).__name__}")
    if not isinstance(value_hash, bytes) or len(value_hash) != HASH_SIZE:
        raise ValueError(f"expected a {HASH_SIZE}-byte value_hash for key {key!r:.40}, found {value_hash!r:.80}")


# ---------------------------------------------------------------------------------------------------------------
# Reference: construction 3 read literally, for tests and other implementations. It shares nothing with
# SparseMerkleTree beyond the definitions in ledger_lite.smt (the tree inlines its hashing).

def root_of(items: Mapping[bytes, bytes]) -> bytes:
    """The root of the tree holding ``items`` (key -> value_hash), computed straight from the definition."""
    for key, value_hash in items.items():
        _check_value(key, value_hash)
    leaves = [(key_path(key), value_hash) for key, value_hash in items.items()]

    def bit(path: bytes, depth: int) -> int:
        return (int.from_bytes(path, "big") >> (255 - depth)) & 1

    def subtree(depth: int, leaves: list[tuple[bytes, bytes]]) -> bytes:
        if not leaves:
            return EMPTY
        if len(leaves) == 1:
            return hash_leaf(*leaves[0])
        return hash_node(subtree(depth + 1, [leaf for leaf in leaves if bit(leaf[0], depth) == 0]),
                         subtree(depth + 1, [leaf for leaf in leaves if bit(leaf[0], depth) == 1]))

    return subtree(0, leaves)


# ---------------------------------------------------------------------------------------------------------------
# The incremental tree.
#
# All nodes live in one dict keyed by heap index: the subtree at depth d whose paths start with the d bits b is
# key ``(1 << d) | b`` (the root is 1, the children of k are 2k and 2k + 1). An empty subtree has no entry; a
# single-leaf subtree (construction 3, lifted) maps to the 96-byte record ``path || value_hash || leaf hash``;
# any other subtree maps to its 32-byte node hash. Ints and bytes are invisible to the cycle collector, so a
# million-leaf tree costs no garbage-collection passes (an object per node made building three times slower).

_RECORD_SIZE = 96

# Where a tree keeps its entries: a dict here; ``ledger.state_tree`` keeps its cache in ``_smt_native.NodeTable``.
Nodes = MutableMapping[int, bytes]
# Where an update notes the positions it writes or empties: a list, or (compiled walks only) an ``IndexSet``.
Touched: TypeAlias = "list[int] | _smt_native.IndexSet"


def _hash_of(entry: bytes | None) -> bytes:
    if entry is None:
        return EMPTY
    return entry if len(entry) == HASH_SIZE else entry[64:]


def _split(paths: Sequence[bytes], lo: int, hi: int, depth: int) -> int:
    """First index in ``paths[lo:hi]`` (sorted, sharing their first ``depth`` bits) whose bit ``depth`` is 1."""
    i, mask = depth >> 3, 0x80 >> (depth & 7)
    first = paths[lo]
    if first[i] & mask:
        return lo
    if not paths[hi - 1][i] & mask:
        return hi
    # Smallest byte string with the shared prefix and bit `depth` set: keep the bits above, set the bit.
    return bisect_left(paths, first[:i] + bytes(((first[i] | (mask - 1)) + 1,)), lo, hi)


def _build(nodes: Nodes, paths: list[bytes], values: list[bytes], lo: int, hi: int, depth: int,
           index: int, touched: list[int]) -> bytes:
    """Store the subtree holding the sorted leaves ``paths[lo:hi]`` at heap ``index``; return its hash. Like
    every function below that changes ``nodes``, it appends each position it writes or empties to ``touched``."""
    if hi - lo == 1:
        path, value_hash = paths[lo], values[lo]
        leaf = _sha256(LEAF_PREFIX + path + value_hash).digest()
        nodes[index] = path + value_hash + leaf
        touched.append(index)
        return leaf
    if hi == lo:
        return EMPTY
    mid = _split(paths, lo, hi, depth)
    left = _build(nodes, paths, values, lo, mid, depth + 1, 2 * index, touched) if mid > lo else EMPTY
    right = _build(nodes, paths, values, mid, hi, depth + 1, 2 * index + 1, touched) if mid < hi else EMPTY
    node = _sha256(NODE_PREFIX + left + right).digest()
    nodes[index] = node
    touched.append(index)
    return node


def root_of_sorted(paths: Sequence[bytes], values: Sequence[bytes],
                   progress: Callable[[int], None] | None = None) -> bytes:
    """The root over ``paths`` (sorted, distinct, with their ``values`` hashes) without keeping any node: for a
    full recomputation over a store. ``progress`` is told how many leaves are hashed, now and then."""
    if len(paths) != len(values):
        raise ValueError(f"expected as many value hashes as paths, found {len(values)} for {len(paths)}")
    step = max(1, len(paths) // 100)

    def subtree(lo: int, hi: int, depth: int) -> bytes:
        if hi - lo == 1:
            if progress is not None and lo % step == 0:
                progress(lo)
            return _sha256(LEAF_PREFIX + paths[lo] + values[lo]).digest()
        if hi == lo:
            return EMPTY
        if depth >= 256:
            raise ValueError(f"expected distinct paths, found {paths[lo].hex()} twice")
        mid = _split(paths, lo, hi, depth)
        return _sha256(NODE_PREFIX + subtree(lo, mid, depth + 1) + subtree(mid, hi, depth + 1)).digest()

    return subtree(0, len(paths), 0)


def _rehash(nodes: Nodes, index: int, touched: list[int]) -> None:
    """Recompute the entry at ``index`` from its children (construction 3: no leaves -> empty; one leaf -> lifted
    here; otherwise a node, even with one side empty)."""
    left_index = 2 * index
    touched.append(index)
    left, right = nodes.get(left_index), nodes.get(left_index + 1)
    if left is not None and right is not None:  # the common case first: two children, hashes taken inline
        nodes[index] = _sha256(NODE_PREFIX + (left if len(left) == HASH_SIZE else left[64:])
                               + (right if len(right) == HASH_SIZE else right[64:])).digest()
    elif left is None and right is None:
        if index in nodes:
            del nodes[index]
    elif left is None:
        assert right is not None
        if len(right) == _RECORD_SIZE:
            del nodes[left_index + 1]
            touched.append(left_index + 1)
            nodes[index] = right
        else:
            nodes[index] = _sha256(NODE_PREFIX + EMPTY + right).digest()
    elif len(left) == _RECORD_SIZE:
        del nodes[left_index]
        touched.append(left_index)
        nodes[index] = left
    else:
        nodes[index] = _sha256(NODE_PREFIX + left + EMPTY).digest()


def _apply(nodes: Nodes, index: int, depth: int, paths: list[bytes], values: list[bytes | None],
           lo: int, hi: int, old: list[tuple[bytes, bytes | None]], touched: list[int]) -> int:
    """Apply the sorted changes ``paths[lo:hi]`` to the subtree at heap ``index``; return leaves added - removed.
    ``old`` gets each change's path with the value hash it had (None: absent), in path order."""
    if hi - lo == 1:
        return _apply_one(nodes, index, depth, paths[lo], values[lo], old, touched)
    current = nodes.get(index)
    if current is not None and len(current) == HASH_SIZE:
        mid = _split(paths, lo, hi, depth)
        added = 0
        if lo < mid:
            added += _apply(nodes, 2 * index, depth + 1, paths, values, lo, mid, old, touched)
        if mid < hi:
            added += _apply(nodes, 2 * index + 1, depth + 1, paths, values, mid, hi, old, touched)
        _rehash(nodes, index, touched)
        return added
    # An empty slot or a single leaf: merge its leaf with the changes and build the subtree afresh.
    merged = dict(zip(paths[lo:hi], values[lo:hi], strict=True))
    if current is None:
        old.extend((path, None) for path in paths[lo:hi])
    else:
        held, held_value = current[:32], current[32:64]
        old.extend((path, held_value if path == held else None) for path in paths[lo:hi])
    if current is not None:
        merged.setdefault(current[:32], current[32:64])
        del nodes[index]
        touched.append(index)
    kept = sorted((path, value_hash) for path, value_hash in merged.items() if value_hash is not None)
    _build(nodes, [p for p, _ in kept], [v for _, v in kept], 0, len(kept), depth, index, touched)
    return len(kept) - (current is not None)


def _apply_one(nodes: Nodes, index: int, depth: int, path: bytes, value: bytes | None,
               old: list[tuple[bytes, bytes | None]], touched: list[int]) -> int:
    """``_apply`` for a single change, the case of every level below the top few of a batch: walk down along
    ``path`` to the empty slot or leaf it ends at, change it, then rehash the way back up (no recursion)."""
    walked = []
    current = nodes.get(index)
    while current is not None and len(current) == HASH_SIZE:
        walked.append(index)
        index = 2 * index + (path[depth >> 3] >> (7 - (depth & 7)) & 1)
        depth += 1
        current = nodes.get(index)
    if current is None or current[:32] == path:
        old.append((path, None if current is None else current[32:64]))
        if value is None:
            if current is None:
                return 0  # deleting an absent key changes nothing
            del nodes[index]
            touched.append(index)
        else:
            leaf = _sha256(LEAF_PREFIX + path + value).digest()
            nodes[index] = path + value + leaf
            touched.append(index)
            _rehash_up(nodes, walked, index, leaf, touched)
            return 0 if current is not None else 1
    else:  # another key's leaf sits here: both go below it
        old.append((path, None))
        if value is None:
            return 0
        del nodes[index]
        pair = sorted(((path, value), (current[:32], current[32:64])))
        _rehash_up(nodes, walked, index,
                   _build(nodes, [p for p, _ in pair], [v for _, v in pair], 0, 2, depth, index, touched), touched)
        return 1
    touched.extend(walked)  # a deletion: a leaf left alone below a walked node moves up (``_rehash``)
    for above in reversed(walked):
        left, right = nodes.get(2 * above), nodes.get(2 * above + 1)
        if left is not None and right is not None:  # ``_rehash``'s common case, inline: most levels of a walk
            nodes[above] = _sha256(NODE_PREFIX + (left if len(left) == HASH_SIZE else left[64:])
                                   + (right if len(right) == HASH_SIZE else right[64:])).digest()
        else:
            _rehash(nodes, above, touched)
    return -1


def _leaf_of(nodes: Nodes, path: bytes) -> bytes | None:
    """The entry of the leaf at ``path`` in ``nodes`` (None: absent)."""
    index, depth = 1, 0
    entry = nodes.get(1)
    while entry is not None and len(entry) == HASH_SIZE:
        index = 2 * index + (path[depth >> 3] >> (7 - (depth & 7)) & 1)
        entry = nodes.get(index)
        depth += 1
    return entry if entry is not None and entry[:32] == path else None


def _apply_all(nodes: Nodes, paths: list[bytes], values: list[bytes | None],
               old: list[tuple[bytes, bytes | None]], touched: Touched) -> int:
    """``_apply`` of the sorted changes to the whole tree, compiled when it was built."""
    if NATIVE:
        return _smt_native.apply(nodes, paths, values, old, touched)
    if not isinstance(touched, list):
        raise TypeError(f"expected the touched positions as a list, found {type(touched).__name__}")
    return _apply(nodes, 1, 0, paths, values, 0, len(paths), old, touched)


def _rehash_up(nodes: Nodes, walked: list[int], index: int, node_hash: bytes, touched: list[int]) -> None:
    """Rehash the internal nodes ``walked`` down to ``index`` (each the parent of the next), bottom up, after
    ``index`` was given a subtree of hash ``node_hash``: the hash is carried up, so each level reads only the
    sibling. A write never leaves a walked node with a lone leaf below it (that happens only on a deletion), so
    each stays an internal node; a sibling that is empty is hashed as ``EMPTY``."""
    touched.extend(walked)
    for above in reversed(walked):
        sibling = nodes.get(index ^ 1)
        other = EMPTY if sibling is None else sibling if len(sibling) == HASH_SIZE else sibling[64:]
        node_hash = _sha256(NODE_PREFIX + other + node_hash if index & 1 else NODE_PREFIX + node_hash + other).digest()
        nodes[above] = node_hash
        index = above


class SparseMerkleTree:
    """The state tree of ``ledger_lite.smt``, updated in batches in O(k log n) hashes for k changes.

    Every node is in ``_nodes``. A subclass may keep only part of them there (a cache over a store): it makes
    sure, in ``_reach``, that every entry a walk along the given paths reads is present, and hears in
    ``_changed`` which positions an update wrote or emptied (the walks note them as they go in what ``_touched``
    gives: a list, or the compiled ``IndexSet`` itself; either costs far less than a ``dict`` subclass seeing every
    write).
    """

    __slots__ = ("_nodes", "_size")

    def __init__(self) -> None:
        self._nodes: Nodes = {}
        self._size = 0

    @classmethod
    def from_items(cls, items: Mapping[bytes, bytes] | Iterable[tuple[bytes, bytes]]) -> SparseMerkleTree:
        """Build from scratch (sort once, build bottom-up): each node is hashed once, unlike one-by-one inserts.

        A key given twice raises ``ValueError``: a stored state holding a key twice is corrupt.
        """
        pairs = items.items() if isinstance(items, Mapping) else items
        by_path: dict[bytes, bytes] = {}
        for count, (key, value_hash) in enumerate(pairs, 1):
            _check_value(key, value_hash)
            by_path[_sha256(key).digest()] = value_hash
            if len(by_path) != count:
                raise ValueError(f"expected distinct keys, found {key!r:.40} twice")
        paths = sorted(by_path)
        tree = cls()
        if NATIVE:
            _smt_native.build(tree._nodes, paths, [by_path[p] for p in paths], [])
        else:
            _build(tree._nodes, paths, [by_path[p] for p in paths], 0, len(paths), 0, 1, [])
        tree._size = len(paths)
        return tree

    def copy(self) -> SparseMerkleTree:
        """An independent tree with the same content (copies the node dict, shares its immutable entries)."""
        other = SparseMerkleTree()
        other._nodes, other._size = dict(self._nodes), self._size
        return other

    def __len__(self) -> int:
        return self._size

    def _reach(self, paths: Sequence[bytes]) -> None:
        """Make every entry that walks along ``paths`` read present in ``_nodes``: here they all are."""

    def _touched(self) -> Touched:
        """Where the next update notes the positions it writes or empties (handed to ``_changed`` then)."""
        return []

    def _changed(self, touched: Touched) -> None:
        """An update wrote or emptied the entries at these positions (some more than once): nothing to do here."""

    def root(self) -> bytes:
        return _hash_of(self._nodes.get(1))

    def update(self, changes: Mapping[bytes, bytes | None], absent: Collection[bytes] = (),
               held: Mapping[bytes, bytes] | None = None) -> bytes:
        """Set each key to its new value_hash (``None`` deletes it) and return the new root.

        ``absent``: keys among ``changes`` that the caller takes to have no value now (a store that lacks them);
        if the tree holds one, ``PresentKeyError`` names them. ``held``: keys among ``changes`` with the value
        hash the caller takes them to hold now (a stored value not checked yet); if the tree holds another or
        none, ``HeldValueError`` names them. The checks ride on the walks the update makes anyway (each notes the
        value it replaces), instead of a walk per key beforehand; a batch that finds such a key is undone by
        putting back the values it replaced, which gives back the very same nodes (the tree's shape follows from
        its content alone). Every change is checked for its form before the tree is touched. Either way a
        rejected batch leaves the tree as it was.
        """
        return self.start_update(changes, absent, held).root()

    def start_update(self, changes: Mapping[bytes, bytes | None], absent: Collection[bytes] = (),
                     held: Mapping[bytes, bytes] | None = None, *, beside: bool = False) -> TreeUpdate:
        """``update`` in two steps: the changes are checked for their form and what their walks read is made
        present now; the returned ``TreeUpdate``'s ``root`` makes the walks, checks ``absent`` and ``held`` and
        returns the root, raising as ``update`` does. With ``beside``, on a tree whose walks the compiled module
        makes without the GIL (a ``NodeTable`` noted into an ``IndexSet``: ``ledger.state_tree``), the walks start
        now in a thread of their own, and the caller may do other work meanwhile: work that neither reads nor
        changes this tree until ``root`` has returned."""
        for key, value_hash in changes.items():
            if value_hash is not None:
                _check_value(key, value_hash)
            elif not isinstance(key, bytes):
                raise TypeError(f"expected a bytes key, found {type(key).__name__}")
        for key in absent:
            if key not in changes:
                raise ValueError(f"expected the keys said to be absent among the changes, found {key!r:.80} "
                                 f"outside them")
        held = held or {}
        for key in held:
            if key not in changes:
                raise ValueError(f"expected the keys said to be held among the changes, found {key!r:.80} "
                                 f"outside them")
        path_of = {key: _sha256(key).digest() for key in changes}
        ordered = sorted((path, changes[key]) for key, path in path_of.items())
        paths, values = [p for p, _ in ordered], [v for _, v in ordered]
        if paths:
            self._reach(paths)
        return TreeUpdate(self, path_of, paths, values, absent, held, beside=beside)

    def get_many(self, keys: Sequence[bytes]) -> list[bytes | None]:
        """``get`` of each of ``keys``, their walks made as one batch (a tree on disk loads what they miss
        together)."""
        paths = [_sha256(key).digest() for key in keys]
        if paths:
            self._reach(sorted(paths))
        return [None if (entry := self._leaf(path)) is None else entry[32:64] for path in paths]

    def _leaf(self, path: bytes) -> bytes | None:
        """The entry of the leaf at ``path`` (None: absent), walking the entries in ``_nodes`` only."""
        return _smt_native.leaf(self._nodes, path) if NATIVE else _leaf_of(self._nodes, path)

    def get(self, key: bytes) -> bytes | None:
        """The value_hash stored for ``key``, or None."""
        return self.get_many((key,))[0]

    def prove(self, key: bytes) -> SmtProof:
        """A membership proof if ``key`` is present, else a non-membership proof (``ledger_lite.smt_proof``,
        "Proof")."""
        path = _sha256(key).digest()
        self._reach((path,))
        nodes, index, depth, bitmap = self._nodes, 1, 0, 0
        siblings: list[bytes] = []
        entry = nodes.get(1)
        while entry is not None and len(entry) == HASH_SIZE:
            index = 2 * index + (1 if path[depth >> 3] & (0x80 >> (depth & 7)) else 0)
            sibling = nodes.get(index ^ 1)
            if sibling is not None:
                bitmap |= 1 << (255 - depth)
                siblings.append(_hash_of(sibling))
            entry = nodes.get(index)
            depth += 1
        leaf = None if entry is None else SmtLeaf(entry[:32], entry[32:64])
        return SmtProof(bitmap.to_bytes(HASH_SIZE, "big"), tuple(siblings), leaf)


class TreeUpdate:
    """A batch of changes on its way into a tree (``SparseMerkleTree.start_update``): ``root`` finishes it."""

    __slots__ = ("_absent", "_failed", "_held", "_old", "_path_of", "_paths", "_root", "_touched", "_tree", "_values",
                 "_walk")

    def __init__(self, tree: SparseMerkleTree, path_of: dict[bytes, bytes], paths: list[bytes],
                 values: list[bytes | None], absent: Collection[bytes], held: Mapping[bytes, bytes], *,
                 beside: bool) -> None:
        self._tree, self._path_of, self._paths, self._values = tree, path_of, paths, values
        self._absent, self._held = absent, held
        self._old: list[tuple[bytes, bytes | None]] = []
        self._touched = tree._touched() if paths else []
        self._root: bytes | None = None
        self._failed = False
        self._walk: Future[int] | None = None
        if paths and beside and NATIVE and isinstance(tree._nodes, _smt_native.NodeTable) \
                and isinstance(self._touched, _smt_native.IndexSet):
            self._walk = _walker().submit(_smt_native.apply, tree._nodes, paths, values, self._old, self._touched)

    def root(self) -> bytes:
        """The tree's root once the batch is in (waiting for walks made beside); ``PresentKeyError`` or
        ``HeldValueError`` as ``update`` says, the tree then as it was. Called again: the same root, or a
        ``RuntimeError`` after it raised."""
        if self._root is not None:
            return self._root
        if self._failed:
            raise RuntimeError("expected a batch of changes on its way into the tree, found one that failed")
        self._failed = True  # until it is in
        tree, paths, old = self._tree, self._paths, self._old
        if paths:
            walk, self._walk = self._walk, None
            added = walk.result() if walk is not None else _apply_all(tree._nodes, paths, self._values, old,
                                                                      self._touched)
            if self._absent or self._held:  # checked on the walks just made: another value undoes the whole batch
                before, path_of = dict(old), self._path_of
                present = [key for key in self._absent if before[path_of[key]] is not None]
                other = [key for key, value_hash in self._held.items() if before[path_of[key]] != value_hash]
                if present or other:  # every entry as it was: none changed
                    _apply_all(tree._nodes, [p for p, _ in old], [v for _, v in old], [], [])
                    raise PresentKeyError(present) if present else HeldValueError(other)
            tree._size += added
            tree._changed(self._touched)
        self._root, self._failed = tree.root(), False
        return self._root


_walkers: list[ThreadPoolExecutor] = []  # the one thread that makes walks beside their caller, once one is asked for
_walkers_lock = threading.Lock()
os.register_at_fork(after_in_child=_walkers.clear)  # a forked child has none of its parent's threads


def _walker() -> ThreadPoolExecutor:
    with _walkers_lock:
        if not _walkers:
            _walkers.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="state-tree-walk"))
        return _walkers[0]
