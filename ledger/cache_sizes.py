"""How much of its state a node keeps in memory: ``CacheSizes``, the number of state tree nodes
(``ledger.state_tree``) and of state values (``ledger.state_stored``) it caches, set by its operator in megabytes
(``greencert node --cache-mb``, a consortium node's ``cache_mb``).

Why a setting. The node's memory does not grow with its state: only these caches hold any of it. Their size is a
trade of memory for speed once the live state outgrows them. With 100 meters' readings over 45 days (182,602 live
assets, a tree of ~445,000 nodes, each block sweeping as many as it adds), the node spent 347 µs of CPU a reading
with the whole tree cached and 698 µs with a cache of 100,000 nodes (2,175 against 1,196 readings/s; the steady part
of ``bench/ledger_steady.py --meters 100 --days 45``, once with each cache). The default holds the whole tree of
about 1.9 million live assets (2.44 nodes each): a node with more, on a machine with the memory for it, runs faster
with more, and says so once as a warning when its tree outgrows the cache, naming the budget that would hold it whole
and a tenth more (``CacheSizes.holding``; ``ledger.producer``).

Why 4,600,000 nodes by default. Issue 16 gives a node 1 GB at 10 M readings. One intermediary's 1,002 meters
(``bench/ledger_scale.py --days 208 --steps 1000000,3000000,10000000``) keep 1.78 M assets live, a tree of ~4.3 M
nodes. With 60 % of it cached (the default until 2026-12-05) the node took 722 MB at 10 M readings (peak 822) and
committed 4,290 readings/s, ratio 0.36 of one core's verifications; with the whole tree, 5,836 readings/s (0.48) but
1,064 MB (peak 1,139). Since then a tree write packs its changes (``ledger.tree_groups.PackedRows``) and gives back
what it freed (``ledger.heap``), and a tree that fits its cache keeps no LRU order (``ledger.state_tree``): with the
whole tree cached the node took 726 MB at 10 M (peak 818, median 682 while readings were sent) and committed 5,779
readings/s, ratio 0.52 (2026-12-05, code of 99fbb83, leaves still 96 bytes a record); with 64-byte leaves, 638 MB
(peak 739) and ratio 0.50 (a7a6283). The budget below (``megabytes``) is a bound for a tree larger than the cache,
which holds its capacity, the order of its pairs and up to ``MAX_WRITE`` changes not written yet
(``ledger.state_tree`` says why no more): a tree that fits takes less.

How a budget is split: as the defaults split theirs (about 85 % for the tree), at the measured cost of an entry
(``bench/ledger_steady.py`` reports ``tree_cache_bytes_per_entry``). The tree may hold half its capacity again, up
to ``MAX_WRITE``, in changed nodes not written yet (``StoredTree.wants_flush``), so its part of the budget counts
them too.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.errors import Error
from ledger.state_stored import DEFAULT_VALUES
from ledger.state_tree import DEFAULT_CAPACITY, MAX_WRITE, NODES_PER_LEAF, write_size

# A cached tree node with its bookkeeping and the order of its pairs, compiled (``bench/ledger_steady.py``: 134.3
# bytes at 200,000 leaves with a leaf's record 64 bytes, 150.4 with 96; 88.7 for a tree that fits, with no order).
TREE_ENTRY_BYTES = 134
VALUE_BYTES = 1024  # a cached value: an asset's dict with its key and bookkeeping
MIN_MEGABYTES = 16
SPARE = 0.1  # ``CacheSizes.holding``: room for the live state to grow by a tenth
_MB = 1 << 20


class CacheSizeError(Error, ValueError):
    """A cache budget that cannot be used (the message says what was expected and what was found)."""

    code = "bad_cache_size"
    status = 400


@dataclass(frozen=True)
class CacheSizes:
    """Cached state tree nodes (``tree``) and state values (``values``)."""

    tree: int = DEFAULT_CAPACITY
    values: int = DEFAULT_VALUES

    @classmethod
    def from_megabytes(cls, megabytes: int) -> CacheSizes:
        """The caches that take about ``megabytes`` MB, split as the defaults are."""
        if isinstance(megabytes, bool) or not isinstance(megabytes, int) or megabytes < MIN_MEGABYTES:
            raise CacheSizeError(f"expected a cache of at least {MIN_MEGABYTES} MB (a whole number), found "
                                 f"{megabytes!r}")
        default = cls()
        budget = megabytes * _MB
        tree_budget = budget * _tree_bytes(default.tree) / default.bytes_at_most
        # the inverse of ``_tree_bytes``: entries held at most are the capacity and half again up to MAX_WRITE more
        held = tree_budget / TREE_ENTRY_BYTES
        tree = held / 1.5 if held <= 3 * MAX_WRITE else held - MAX_WRITE
        return cls(tree=round(tree), values=round((budget - tree_budget) / VALUE_BYTES))

    @classmethod
    def holding(cls, leaves: int) -> CacheSizes:
        """The smallest budget in whole MB (``from_megabytes``) whose tree cache holds a tree of ``leaves`` leaves
        whole, and a tenth more (``SPARE``): what a node whose tree outgrew its cache is told to ask for."""
        if isinstance(leaves, bool) or not isinstance(leaves, int) or leaves < 0:
            raise CacheSizeError(f"expected a number of leaves (a whole number, 0 or more), found {leaves!r}")
        wanted = leaves * NODES_PER_LEAF * (1 + SPARE)
        low, high = MIN_MEGABYTES, MIN_MEGABYTES
        while cls.from_megabytes(high).tree < wanted:
            low, high = high + 1, high * 2
        while low < high:  # the budget is found between the last that fell short and the first that held it
            middle = (low + high) // 2
            if cls.from_megabytes(middle).tree < wanted:
                low = middle + 1
            else:
                high = middle
        return cls.from_megabytes(high)

    @classmethod
    def of(cls, megabytes: int | None) -> CacheSizes:
        """``from_megabytes``, or the defaults for None (no budget given)."""
        return cls() if megabytes is None else cls.from_megabytes(megabytes)

    @property
    def bytes_at_most(self) -> float:
        """About how much memory the caches take at most."""
        return _tree_bytes(self.tree) + self.values * VALUE_BYTES

    @property
    def megabytes(self) -> int:
        """``bytes_at_most`` in MB."""
        return round(self.bytes_at_most / _MB)

    def describe(self) -> str:
        return (f"{self.tree:,} state tree nodes (and up to {write_size(self.tree):,} changed ones not written yet) "
                f"and {self.values:,} state values, ~{self.megabytes:,} MB at most")


def _tree_bytes(tree: int) -> float:
    return (tree + write_size(tree)) * TREE_ENTRY_BYTES


DEFAULT_CACHES = CacheSizes()
