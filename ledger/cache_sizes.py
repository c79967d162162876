"""How much of its state a node keeps in memory: ``CacheSizes``, the number of state tree nodes
(``ledger.state_tree``) and of state values (``ledger.state_stored``) it caches, set by its operator in megabytes
(``greencert node --cache-mb``, a consortium node's ``cache_mb``).

Why a setting. The node's memory does not grow with its state: only these caches hold any of it. Their size is a
trade of memory for speed once the live state outgrows them. With 100 meters' readings over 45 days (182,602 live
assets, a tree of ~445,000 nodes, each block sweeping as many as it adds), the node spent 347 µs of CPU a reading
with the whole tree cached and 698 µs with a cache of 100,000 nodes (2,175 against 1,196 readings/s; the steady
part of ``bench/ledger_steady.py --meters 100 --days 45``, once with each cache). The default (~650 MB) holds the
tree of about a million live assets (2.44 nodes each): a node with more, on a machine with the memory for it, runs
faster with more.

Why ~650 MB by default. Issue 16 gives a node 1 GB at 10 M readings. One intermediary's 1,002 meters
(``bench/ledger_scale.py --days 208 --steps 2000000,3500000,10000000``) keep 1.78 M assets live, a tree of ~4.3 M
nodes; ~430 MB (the default until 2026-12-05) held 39 % of it, ~650 MB holds 60 %. At 3.5 M readings, in the steady
state of that run, two interleaved pairs: 4,919 / 4,922 readings/s against 4,492 / 4,254 (+10 / +16 %), node memory
584 / 591 MB (peak 801 / 804) against 542 / 557 (peak 612 / 613).

How a budget is split: as the defaults split theirs (about 85 % for the tree), at the measured cost of an entry
(``bench/ledger_steady.py`` reports ``tree_cache_bytes_per_entry``). The tree may hold half its capacity again in
changed nodes not written yet (``StoredTree.wants_flush``), so its part of the budget counts them too.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.errors import Error
from ledger.state_stored import DEFAULT_VALUES
from ledger.state_tree import DEFAULT_CAPACITY

TREE_ENTRY_BYTES = 150  # a cached tree node with its bookkeeping, compiled (bench/ledger_steady.py)
TREE_HELD = 1.5  # entries the tree holds at most for each of its capacity: half again unwritten (wants_flush)
VALUE_BYTES = 1024  # a cached value: an asset's dict with its key and bookkeeping
MIN_MEGABYTES = 16
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
        tree_bytes = TREE_HELD * TREE_ENTRY_BYTES
        tree_share = default.tree * tree_bytes / (default.tree * tree_bytes + default.values * VALUE_BYTES)
        budget = megabytes * _MB
        return cls(tree=round(budget * tree_share / tree_bytes),
                   values=round(budget * (1 - tree_share) / VALUE_BYTES))

    @classmethod
    def of(cls, megabytes: int | None) -> CacheSizes:
        """``from_megabytes``, or the defaults for None (no budget given)."""
        return cls() if megabytes is None else cls.from_megabytes(megabytes)

    @property
    def megabytes(self) -> int:
        """About how much memory the caches take at most, in MB."""
        return round((self.tree * TREE_HELD * TREE_ENTRY_BYTES + self.values * VALUE_BYTES) / _MB)

    def describe(self) -> str:
        return (f"{self.tree:,} state tree nodes (and up to half as many changed ones not written yet) and "
                f"{self.values:,} state values, ~{self.megabytes:,} MB at most")


DEFAULT_CACHES = CacheSizes()
