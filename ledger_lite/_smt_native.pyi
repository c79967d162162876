# The compiled walks of ledger_lite.smt_tree, the stored tree's bookkeeping and cache of ledger.state_tree and the
# RFC 6962 root of ledger_lite.merkle (_smt_native.c); each mirrors the Python function or class named.

from collections.abc import Collection, Iterable, Iterator, MutableMapping, Sequence

BUILD: int  # the interface this module was built with (``ledger_lite.smt_tree.NATIVE_BUILD``)

def apply(nodes: MutableMapping[int, bytes], paths: list[bytes], values: list[bytes | None],
          old: list[tuple[bytes, bytes | None]] | None, touched: list[int] | IndexSet) -> int:
    """``_apply`` over the whole tree: the sorted distinct ``paths`` set to ``values`` (None: deleted)."""

def build(nodes: MutableMapping[int, bytes], paths: list[bytes], values: list[bytes],
          touched: list[int] | IndexSet) -> bytes:
    """``_build`` of a whole tree from the sorted distinct ``paths``; returns the root."""

def leaf(nodes: MutableMapping[int, bytes], path: bytes) -> bytes | None:
    """``SparseMerkleTree._leaf``: the entry of the leaf at ``path``, None if absent."""

def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """``ledger_lite.merkle.merkle_root``: the RFC 6962 root over the leaves' data."""

def loaded_below(level: list[int], found: dict[int, bytes]) -> list[int]:
    """``ledger.state_tree._loaded_below``: the children of ``level`` that ``found`` holds as internal nodes with a
    child found too, in order."""

def load_pairs(nodes: MutableMapping[int, bytes], indexes: list[int],
               found: dict[int, bytes]) -> tuple[int, int | bytes] | None:
    """``ledger.state_tree._load_checked``: the children of ``indexes`` cached from ``found`` if all of them hash to
    their parents, else none and the problem."""

def pending(nodes: MutableMapping[int, bytes], dirty: Iterable[int]
            ) -> tuple[bytes, bytes, list[tuple[int, bytes]], list[int]]:
    """``ledger.state_tree._pending_of``, packed: the stored rows of ``dirty`` deepest first, those at positions below
    2^63 as ``ledger.tree_groups.PackedRows`` (indexes, nodes) and the rest as rows; and the emptied positions."""

def dirty_groups(dirty: IndexSet, keyed_depth: int) -> tuple[bytes, list[int]]:
    """``ledger.tree_groups.dirty_group_keys``: the row keys of the groups holding the positions of ``dirty`` whose
    roots lie at most ``keyed_depth`` deep, distinct and in order as native 64-bit words, and the other positions."""

def group_rows(nodes: NodeTable, keys: bytes, start: int, stop: int
               ) -> tuple[list[tuple[int, bytes]], list[tuple[int]]]:
    """``ledger.tree_groups.cached_rows``: the rows (key, row) of the groups at ``keys[start:stop]`` as ``nodes``
    holds them, and the keys of those it holds nothing of (as one-item tuples)."""

def load_groups(nodes: NodeTable, rows: list[tuple[int, bytes]], expected: int = 0) -> int:
    """``ledger.state_tree._load_groups``: the nodes of the stored groups ``rows`` put unchecked where ``nodes`` holds
    nothing (its slots made for ``expected`` entries first); how many were put."""

def check_whole(nodes: NodeTable) -> tuple[int, bytes | None] | None:
    """``ledger.state_tree._check_whole``: None, or the problem at the lowest position of a tree whose every node is
    checked against its root."""

def cold_below(nodes: MutableMapping[int, bytes], indexes: list[int]) -> list[int]:
    """``ledger.state_tree._cold_below``: the cached internal nodes at or below ``indexes`` whose children are on
    disk."""

def walk(nodes: MutableMapping[int, bytes], waiting: list[tuple[bytes, int, int]], shared_walks: bool,
         touched: list[list[int]]) -> tuple[list[int], list[tuple[bytes, int, int]]]:
    """``ledger.state_tree._walk``: one pass of ``StoredTree._reach``'s walks; (cold nodes, walks stopped there)."""

class NodeTable(MutableMapping[int, bytes]):
    """Heap index -> state tree entry in a table of machine words (``ledger.state_tree``'s cache); the walks above
    take it wherever they take a dict."""

    def __getitem__(self, index: int) -> bytes: ...
    def __setitem__(self, index: int, entry: bytes) -> None: ...
    def __delitem__(self, index: int) -> None: ...
    def __iter__(self) -> Iterator[int]: ...
    def __len__(self) -> int: ...

class IndexSet(Collection[int]):
    """A set of heap indexes in a table of machine words (``ledger.state_tree``'s changed positions); ``apply`` and
    ``build`` note the positions they touch straight into it."""

    def __contains__(self, index: object) -> bool: ...
    def __iter__(self) -> Iterator[int]: ...
    def __len__(self) -> int: ...
    def add(self, index: int) -> None: ...
    def update(self, indexes: Iterable[int]) -> None: ...
    def clear(self) -> None: ...

class LruOrder:
    """``ledger.lru_order.LruOrder`` compiled (the order of ``ledger.state_tree``'s cached pairs): positive int
    keys from least to most recently used, in a linked list of machine words."""

    def __init__(self, keys: Iterable[int] = ()) -> None: ...
    def __contains__(self, key: object) -> bool: ...
    def __iter__(self) -> Iterator[int]: ...
    def __len__(self) -> int: ...
    def add(self, key: int) -> None: ...
    def touch(self, key: int) -> None: ...
    def touch_present(self, keys: Iterable[int]) -> None: ...
    def pop_oldest(self) -> int: ...
    def touch_parents(self, rows: Iterable[tuple[int, bytes]], pinned_below: int, indexes: bytes = b"") -> None:
        """Touch the parent of each row's position, in turn, then of each packed position of ``indexes``
        (``ledger.tree_groups.PackedRows``), but those below ``pinned_below``."""
    def evict(self, nodes: NodeTable, dirty: IndexSet, through: IndexSet, capacity: int) -> bool:
        """``ledger.state_tree.StoredTree._evict_pairs`` over this order."""
