"""The state's values on disk behind a bounded cache (issue #16): what a node's ``State`` reads when it has a
store, so its memory stays flat however many assets accumulate and its start reads nothing but the root.

A value read from the store is checked against its leaf in the state tree (itself checked down from the root
that the node compared with the last signed header): it must hash to the leaf, and a key the store lacks must be
absent from the tree, or the read raises ``StoreError``, the first time the edited value is read. Checked
values are cached, the least recently used leaving first once ``capacity`` are held; keys found absent are
cached too (``prepare`` does not look up again a key that a rule found absent).

While a block executes (``deferring``), a key read from the store is not walked in the tree at once: the block
writes most keys it reads (a new reading's asset, a certificate's assets, the expired ones its sweep deletes), and
the tree's update walks their paths anyway, so ``prepare`` has it check them there — a key the store lacks absent
(``SparseMerkleTree.update(absent=…)``), a value's hash at its leaf (``update(held=…)``) — and walks only to the
others (``check_deferred``), once the block's rules have run. Until then they are cached but not yet checked; a
store found changed refuses the block and drops them from the cache, so the next read checks them again and
refuses. A certificate of 900 allocations made long ago so walks each path once, in its update, rather than once
to check its asset and again to update it: its rules took 13.3-14.4 ms of its block before, 10.8-13.0 after, with
the tree cached whole (``bench/issuance_at_scale.py --assets 200000 --between 15000 --value-cache 13000``,
2026-12-06); with half of the tree cached, the paths' loads moved from the rules into the update, the block no
shorter (31-53 ms).

The values a prepared block writes are pinned in the cache with the values they had before it, from
``prepare`` until ``apply`` or ``discard``: the tree holds the block's hashes meanwhile, so these keys must not
be read from the store and checked against it, and ``discard`` puts their old hashes back from them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from ledger.errors import StoreError
from ledger.state_encoding import encode_state
from ledger_lite import sha256
from ledger_lite.smt_tree import SparseMerkleTree

DEFAULT_VALUES = 98_304  # cached values; ~1 KB each (an asset's dict with its key and bookkeeping)
_ABSENT = object()  # a cached "no value at this key"
_MISSING = object()  # not cached
_T = TypeVar("_T")


class ValueStore(Protocol):
    """What ``StoredValues`` reads (``ledger.storage.Store``)."""

    @property
    def state_values(self) -> int: ...

    value_cache: int

    def state_value(self, key: str) -> tuple[bytes, Any] | None: ...

    def state_values_at(self, keys: list[str]) -> dict[str, tuple[bytes, Any]]: ...

    def load_tree(self, paths: int, meanwhile: Callable[[], _T]) -> _T: ...

    def state_scan(self, prefix: str) -> list[tuple[str, bytes, Any]]: ...

    def owned_keys(self, owner: str) -> list[str]: ...

    def open_keys(self, owner: str, first_day: int | None = None,
                  of: Callable[[str, str], bool] | None = None) -> Iterator[list[str]]: ...

    def expired_values(self, cutoff: int, limit: int) -> list[tuple[str, tuple[bytes, Any]]]: ...


class StoredValues:
    def __init__(self, store: ValueStore, tree: SparseMerkleTree, capacity: int = DEFAULT_VALUES) -> None:
        if capacity < 1:
            raise ValueError(f"expected a cache of at least 1 value, found {capacity}")
        self.store = store
        self._tree = tree
        self._capacity = capacity
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._pinned: set[str] = set()
        self.deferring = False  # module docstring: keys the store lacks are checked absent later
        self._unchecked: set[str] = set()  # read as absent while deferring, not yet checked against the tree
        self._unverified: dict[str, bytes] = {}  # read with a value while deferring: key → its stored bytes' hash

    def __len__(self) -> int:
        return self.store.state_values

    @property
    def cached(self) -> int:
        return len(self._cache)

    def get(self, key: str) -> Any | None:
        cache = self._cache
        hit = cache.get(key, _MISSING)
        if hit is not _MISSING:
            cache.move_to_end(key)
            return None if hit is _ABSENT else hit
        value = self._read(key, self.store.state_value(key))
        if not self._pinned and len(cache) > self._capacity:
            self._evict()
        return value

    def peek(self, key: str) -> Any | None:
        """The value at ``key`` as cached, else as stored, for a reader that does not hold the node's lock
        (admission's check of a transaction's signer, ``State.peek``): the cache is only looked in and the tree not
        at all, so a block being made meanwhile, which loads and evicts both, is not disturbed. A value read from the
        store is not checked against its leaf: the block's rule reads it again, checked."""
        hit = self._cache.get(key, _MISSING)
        if hit is not _MISSING:
            return None if hit is _ABSENT else hit
        found = self.store.state_value(key)
        return None if found is None else found[1]

    def _read(self, key: str, found: tuple[bytes, Any] | None, leaf: Any = _MISSING) -> Any | None:
        """Cache what the store holds at ``key`` (``found``), checked or, deferring, noted (module docstring);
        ``leaf``: its value hash in the tree if already looked up."""
        if self.deferring and leaf is _MISSING:
            if found is None:
                self._unchecked.add(key)
                value = None
            else:
                encoded, value = found
                self._unverified[key] = sha256(encoded)
        else:
            value = self._check(key, found, leaf)
        self._cache[key] = _ABSENT if found is None else value
        return value

    def _check(self, key: str, found: tuple[bytes, Any] | None, leaf: Any = _MISSING) -> Any | None:
        """Module docstring: a value read from the store against its leaf (``leaf``: looked up already)."""
        expected = self._tree.get(key.encode()) if leaf is _MISSING else leaf
        if found is None:
            if expected is not None:
                raise StoreError(f"state key {key!r} is missing from the store, but the state tree (checked "
                                 f"against the signed header) holds it: the store was changed outside the node")
            return None
        encoded, value = found
        computed = sha256(encoded)
        if computed != expected:
            raise _differs(key, computed, expected)
        return value

    def items(self, prefix: str) -> Iterator[tuple[str, Any]]:
        """The values at keys starting with ``prefix``, in key order, each checked (not cached: a scan would
        push the hot values out)."""
        for key, encoded, value in self.store.state_scan(prefix):
            if key in self._cache and self._cache[key] is not _ABSENT:
                yield key, self._cache[key]
            else:
                yield key, self._check(key, (encoded, value))

    def owned(self, owner: str) -> list[str]:
        return sorted(self.store.owned_keys(owner))

    def owned_open(self, owner: str) -> list[str]:
        return [key for keys in self.store.open_keys(owner) for key in keys]

    def open_by_expiry_day(self, owner: str, first_day: int,
                           of: Callable[[str, str], bool] | None) -> Iterator[list[str]]:
        return self.store.open_keys(owner, first_day, of)

    def expired(self, cutoff: int, limit: int) -> list[str]:
        """``State.expired`` from the store's expiry index (what the last stored block left: a prepared block
        never adds an asset that expired). Their values come with them and are cached: the sweep deletes these
        keys next, and the block's ``prepare`` needs their values before it. While deferring they are checked by
        the block's update (module docstring), otherwise at once, as ``prefetch`` checks them."""
        found = self.store.expired_values(cutoff, limit)
        cache = self._cache
        fresh = [(key, value) for key, value in found if key not in cache]
        if self.deferring:
            unverified = self._unverified
            for key, (encoded, value) in fresh:
                cache[key] = value
                unverified[key] = sha256(encoded)
        else:
            leaves = self._tree.get_many([key.encode() for key, _ in fresh])
            for (key, value), leaf in zip(fresh, leaves, strict=True):
                self._read(key, value, leaf)
        return [key for key, _ in found]

    def prefetch(self, keys: Iterable[str]) -> None:
        """Cache the values at those of ``keys`` not cached yet, as ``get`` of each would (checked, or noted while
        deferring), but in a few queries and one batch of tree walks rather than one of each a key: for a rule
        about to read many values (a certificate's up to 900 assets) that may have left the caches long ago. They
        may hold the cache above its capacity until the next read that misses, or the block's end (``unpin``), so
        that none leaves before the rule reads it."""
        cache = self._cache
        self._read_many([key for key in dict.fromkeys(keys) if key not in cache])

    def _read_many(self, missing: list[str]) -> None:
        """``_read`` of each of ``missing`` (none cached), their values and leaves looked up together."""
        if not missing:
            return
        found = self.store.state_values_at(missing)  # a few queries, not one a key
        if self.deferring:  # each checked by the block's update or on leaving (module docstring)
            for key in missing:
                self._read(key, found.get(key))
            return
        leaves = self._tree.get_many([key.encode() for key in missing])
        for key, leaf in zip(missing, leaves, strict=True):
            self._read(key, found.get(key), leaf)

    def pin(self, keys: list[str], created: Collection[str] = ()) -> tuple[set[str], dict[str, bytes]]:
        """Hold ``keys`` (a block about to be prepared) in the cache, read now (module docstring), but for those
        ``created`` (no value before the block: ``Overlay.create``), taken as absent without a look-up. Returns
        the keys taken or read as absent and not checked yet, and those read with a value not checked yet (with
        its hash): the caller has the tree's update check them. Every other key read and not checked yet is
        checked now (``check_deferred``)."""
        self._pinned.update(keys)  # first: nothing is evicted while they are read
        cache = self._cache
        fresh = [key for key in created if key not in cache]
        for key in fresh:
            cache[key] = _ABSENT
        self._unchecked.update(fresh)
        self._read_many([key for key in keys if key not in cache])
        written = self._unchecked.intersection(keys)
        self._unchecked.difference_update(written)
        held: dict[str, bytes] = {}
        if self._unverified:
            unverified = self._unverified
            held = {key: unverified.pop(key) for key in keys if key in unverified}
        try:
            self.check_deferred()
        except StoreError:
            self.refused([*written, *held])
            raise
        return written, held

    def check_deferred(self) -> None:
        """Check every key read while deferring and not yet checked (module docstring): absent, or with the value
        read; if the tree holds another, they all leave the cache and ``StoreError`` says which."""
        keys, self._unchecked = self._unchecked, set()
        unverified, self._unverified = self._unverified, {}
        try:
            for key in keys:
                self._check(key, None)
            if unverified:  # left unchecked by a block that was not prepared
                leaves = self._tree.get_many([key.encode() for key in unverified])
                for (key, computed), leaf in zip(unverified.items(), leaves, strict=True):
                    if computed != leaf:
                        raise _differs(key, computed, leaf)
        except StoreError:
            for key in [*keys, *unverified]:
                self._cache.pop(key, None)
            raise

    def refused(self, keys: Iterable[str]) -> None:
        """A block about to be prepared was refused because the store lacks one of ``keys`` that the tree holds, or
        holds another value: they leave the cache (their next read checks them and refuses) and nothing stays
        pinned."""
        for key in keys:
            self._cache.pop(key, None)
        self.unpin()

    def present(self, keys: Iterable[str]) -> dict[str, Any] | None:
        """The pinned ``keys`` that had a value before the block, with that value (checked against its leaf when
        read); None if one is not pinned."""
        cache = self._cache
        if not self._pinned.issuperset(keys):
            return None
        return {key: hit for key in keys if (hit := cache[key]) is not _ABSENT}

    def old_hash(self, key: str) -> bytes | None:
        """The leaf of a pinned key before the block (None: it had no value)."""
        hit = self._cache[key]
        return None if hit is _ABSENT else sha256(encode_state(hit))

    def unpin(self, writes: dict[str, Any] | None = None) -> None:
        """The prepared block was stored (``writes``: its values, cached now; a deleted key leaves the cache,
        as an expired asset is seldom asked for again) or discarded (None)."""
        self._pinned.clear()
        if writes:
            cache = self._cache
            for key, value in writes.items():
                if value is None:
                    cache.pop(key, None)
                    continue
                cache[key] = value
                cache.move_to_end(key)
        self._evict()

    def _evict(self) -> None:
        cache = self._cache
        while len(cache) > self._capacity:
            cache.popitem(last=False)


def _differs(key: str, computed: bytes, leaf: bytes | None) -> StoreError:
    """The error of a stored value at ``key`` whose bytes hash to ``computed`` where the tree holds ``leaf``."""
    held = "no such key" if leaf is None else f"value hash {leaf.hex()}"
    return StoreError(f"stored state value {key!r} hashes to {computed.hex()}, but the state tree (checked against "
                      f"the signed header) holds {held}: the store was changed outside the node")
