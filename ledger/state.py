"""The node's state: a key → value map with an owner index, authenticated by a sparse Merkle tree.

Values are CBOR-encodable maps. The state root is the root of ``ledger_lite.smt`` over
``key.encode() → SHA-256(canonical(value))``, so every value has a membership proof and every absent key a
non-membership proof that ``ledger_lite`` alone verifies. A block executes against an ``Overlay``; its root is
``prepare``d in the tree, then ``apply``ed once the block is stored, or ``discard``ed.

A node's tree is the store's (``ledger.state_tree.StoredTree``): it is not rebuilt when the node starts. With a
store (``State(tree, store)``), the values and the owner and open-asset indexes stay on disk too and are read as
needed through a bounded cache (``ledger.state_stored``): nothing is read on start but the keys logged since the
tree was last written, and each value read is checked against its leaf. Without a store, ``load`` is given every
value: they are held in memory, checked lazily against a stored tree, each at its first read (``get``, ``items``,
``encoded``): a value must hash to its leaf, and a key the store lacks must be absent from the tree, or the read
raises ``StoreError``. ``audit`` (``ledger.state_audit``) checks them all at once.

A write of ``None`` deletes a key (an ``Overlay.put(key, None)``, a ``None`` in the canonical bytes given to
``prepare`` and ``apply``): its leaf leaves the tree and its value and index entries leave the state. Only the
sweep of expired assets deletes (``ledger.rules.expiry``); ``expired`` names them in the order it takes them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ledger.errors import StoreError
from ledger.state_encoding import encode_state
from ledger.state_index import ASSET_NAMESPACE, EXPIRY_DAY, expiry_of
from ledger.state_stored import StoredValues, ValueStore
from ledger_lite import sha256
from ledger_lite.smt_proof import SmtProof
from ledger_lite.smt_tree import HeldValueError, PresentKeyError, SparseMerkleTree, TreeUpdate

__all__ = ["ASSET_NAMESPACE", "EXPIRY_DAY", "Overlay", "State", "encode_state"]


def _namespace(key: str) -> str | None:
    """``"registry/"`` of ``"registry/gc1…"``; None for a key (or prefix) without a namespace."""
    head, slash, _ = key.partition("/")
    return head + slash if slash else None


class State:
    def __init__(self, tree: SparseMerkleTree | None = None, store: ValueStore | None = None) -> None:
        """``tree``: the stored tree the values of ``load`` are already in (None: a tree in memory, built by
        ``load``); ``store``: where the values are, read through a cache of ``store.value_cache`` values (None:
        in memory, given to ``load``)."""
        if store is not None and tree is None:
            raise ValueError("expected the store's state tree with its store, found none")
        self._disk = None if store is None or tree is None else StoredValues(store, tree, store.value_cache)
        self._values: dict[str, Any] = {}
        self._owners: dict[str, set[str]] = {}
        # Keys of every namespace but assets ("registry/", "cert/", "gov/", …), in the order they were first
        # written: reading the registry or the certificates costs their own number, not the whole state's.
        self._namespaces: dict[str, dict[str, None]] = {}
        self._open: dict[str, set[str]] = {}  # owner → asset keys open for trade (a subset of _owners)
        # The same keys per (provider, method) by expiry day, with each one's days in order: open assets that
        # expired unused stay open for ever, so a read of the unexpired ones skips the past days instead of every
        # key, and a read of one provider's or method's skips the others' (issue #17).
        self._open_by_day: dict[str, dict[tuple[str, str], dict[int, set[str]]]] = {}
        self._open_days: dict[str, dict[tuple[str, str], list[int]]] = {}
        # Asset keys by their expiry, and the expiries held in order (the sweep's index, ``expired``).
        self._expiring: dict[int, set[str]] = {}
        self._expiries: list[int] = []
        self._stored = tree is not None
        self._tree = tree if tree is not None else SparseMerkleTree()
        self._undo: list[str] | None = None  # keys of a prepared block, to take out of the tree again
        # Keys read back by ``load`` and not yet checked against the stored tree; while ``_checking``, a key
        # absent here is checked absent from the tree too (a deleted row).
        self._unchecked: set[str] = set()
        self._checking = False

    def __len__(self) -> int:
        if self._disk is not None:
            return len(self._disk)
        return len(self._values)

    @property
    def values(self) -> StoredValues | None:
        """The values on disk with their cache (None: in memory)."""
        return self._disk

    def get(self, key: str) -> Any | None:
        if self._disk is not None:
            return self._disk.get(key)
        value = self._values.get(key)
        if self._checking:
            self._check(key, value)
        return value

    def peek(self, key: str) -> Any | None:
        """``get`` for a reader that does not hold the node's lock, which guards the state (admission's check of a
        transaction's signer, whose rule reads the value again): the value held, cached or stored, neither checked
        against the tree nor cached (``StoredValues.peek``), so nothing a block being made relies on changes."""
        if self._disk is not None:
            return self._disk.peek(key)
        return self._values.get(key)

    def _check(self, key: str, value: Any | None) -> None:
        """Module docstring: a value read back from the store against its leaf in the stored tree."""
        if value is None:
            found = self._tree.get(key.encode())
            if found is not None:
                raise StoreError(f"state key {key!r} is missing from the store, but the state tree (checked "
                                 f"against the signed header) holds it: the store was changed outside the node")
        elif key in self._unchecked:
            expected = self._tree.get(key.encode())
            computed = sha256(encode_state(value))
            if computed != expected:
                held = "no such key" if expected is None else f"value hash {expected.hex()}"
                raise StoreError(f"stored state value {key!r} hashes to {computed.hex()}, but the state tree "
                                 f"(checked against the signed header) holds {held}: the store was changed "
                                 f"outside the node")
            self._unchecked.discard(key)

    def checked(self) -> None:
        """Every value read back was checked at once (``ledger.state_audit``): reads need not check any more."""
        self._unchecked.clear()
        self._checking = False

    @property
    def tree(self) -> SparseMerkleTree:
        return self._tree

    @property
    def prepared(self) -> bool:
        """A block's writes are in the tree, neither applied nor discarded yet."""
        return self._undo is not None

    def encoded(self, key: str) -> bytes | None:
        """The canonical CBOR of the value at ``key``, which its tree leaf commits to. Encoded again on demand
        rather than kept (a fifth of the memory of a stored asset): canonical encoding gives the very bytes the
        rule's value was written as, and a proof of other bytes would not verify."""
        value = self.get(key)
        return None if value is None else encode_state(value)

    def items(self, prefix: str = "") -> Iterator[tuple[str, Any]]:
        if self._disk is not None:
            yield from self._disk.items(prefix)
            return
        namespace = _namespace(prefix)
        if namespace is not None and namespace != ASSET_NAMESPACE:
            for key in list(self._namespaces.get(namespace, ())):
                if key.startswith(prefix):
                    yield key, self._read(key)
            return
        for key, value in self._values.items():
            if key.startswith(prefix):
                if self._unchecked:
                    self._check(key, value)
                yield key, value

    def _read(self, key: str) -> Any:
        value = self._values[key]
        if self._unchecked:
            self._check(key, value)
        return value

    def owned(self, owner: str) -> list[str]:
        """Asset keys whose ``owner`` is ``owner``."""
        if self._disk is not None:
            return self._disk.owned(owner)
        return sorted(self._owners.get(owner, ()))

    def owned_open(self, owner: str, valid_at: int | None = None) -> list[str]:
        """Asset keys of ``owner`` still open for trade (not yet allocated or used up), in no order: what the
        intermediary allocates from, which stays small while ``owned`` grows with history (issue #17). With
        ``valid_at``, only keys expiring on that day (UTC) or later: every unexpired one, and the caller drops
        those of that day that expired by then; the cost is theirs, not that of every asset that expired open."""
        if valid_at is None:
            return self._disk.owned_open(owner) if self._disk is not None else list(self._open.get(owner, ()))
        return [key for keys in self.open_by_expiry_day(owner, valid_at) for key in keys]

    def open_by_expiry_day(self, owner: str, valid_at: int,
                           of: Callable[[str, str], bool] | None = None) -> Iterator[list[str]]:
        """``owned_open(owner, valid_at)`` one expiry day at a time, soonest day first (keys in no order within a
        day), only of the (provider, method) pairs ``of`` accepts (None: all): a reader that needs only the first
        few open assets in expiry order stops after the days they span."""
        first = valid_at // EXPIRY_DAY
        if self._disk is not None:
            yield from self._disk.open_by_expiry_day(owner, first, of)
            return
        pairs = {pair: days[bisect_left(days, first):] for pair, days in self._open_days.get(owner, {}).items()
                 if of is None or of(*pair)}
        by_pair = self._open_by_day[owner] if pairs else {}
        for day in sorted({day for days in pairs.values() for day in days}):
            yield [key for pair in pairs for key in by_pair[pair].get(day, ())]

    def prefetch(self, keys: Iterable[str]) -> None:
        """Read the values at ``keys`` ahead, together (``StoredValues.prefetch``), for a rule about to read them
        all; values held in memory need nothing."""
        if self._disk is not None:
            self._disk.prefetch(keys)

    def expired(self, cutoff: int, limit: int) -> list[str]:
        """The first ``limit`` asset keys expiring at or before ``cutoff``, in (expiry, key) order: the same keys on
        every node holding the same state, whatever order their values were written in (``ledger.rules.expiry``)."""
        if self._disk is not None:
            return self._disk.expired(cutoff, limit)
        found: list[str] = []
        for expires in self._expiries[:bisect_right(self._expiries, cutoff)]:
            found += sorted(self._expiring[expires])[:limit - len(found)]
            if len(found) >= limit:
                break
        return found

    def load(self, rows: Iterable[tuple[str, bytes, Any]], redo: Iterable[str] = ()) -> None:
        """Values read back from storage (key, canonical bytes, decoded value). Into a stored tree they are
        checked lazily (module docstring), but for the keys in ``redo``, written by blocks stored after the tree
        was last written: their values are put into the tree (the caller then checks its root against the
        signed header, which checks them). Without a stored tree, the tree is built from them in one pass. With
        a store, ``rows`` are not needed (the values stay on disk): the keys in ``redo`` are read from it."""
        if self._disk is not None:
            values = self._disk.store
            keys = list(dict.fromkeys(redo))  # read together: a query a key took ~26 µs
            # their values read while the tree, if the walks to them would load most of it anyway, is checked whole
            found = values.load_tree(len(keys), lambda: values.state_values_at(keys))
            self._tree.update({key.encode(): sha256(found[key][0]) if key in found else None for key in keys})
            if values.state_values != len(self._tree):
                raise StoreError(f"the store holds {values.state_values} state values, but its state tree holds "
                                 f"{len(self._tree)}: the store was changed outside the node")
            return
        if self._stored:
            for key, _, value in rows:
                self._set(key, value)
            replayed = {key: self._values.get(key) for key in redo}
            self._tree.update({key.encode(): None if value is None else sha256(encode_state(value))
                               for key, value in replayed.items()})
            self._unchecked = set(self._values).difference(replayed)
            self._checking = True
            if len(self._values) != len(self._tree):
                raise StoreError(f"the store holds {len(self._values)} state values, but its state tree holds "
                                 f"{len(self._tree)}: the store was changed outside the node")
            return
        hashes: dict[bytes, bytes] = {}
        for key, encoded, value in rows:
            self._set(key, value)
            hashes[key.encode()] = sha256(encoded)
        self._tree = SparseMerkleTree.from_items(hashes)

    def root(self) -> bytes:
        return self._tree.root()

    def prove(self, key: str) -> SmtProof:
        return self._tree.prove(key.encode())

    def prepare(self, encoded: Mapping[str, bytes | None], created: Collection[str] = ()) -> bytes:
        """Put a block's writes into the tree and return the root they give (``None``: the key is deleted);
        ``apply`` or ``discard`` next. ``created``: written keys that held no value before the block
        (``Overlay.create``), checked absent by the tree's update instead of being looked up first."""
        return self.start_prepare(encoded, created).root()

    def start_prepare(self, encoded: Mapping[str, bytes | None], created: Collection[str] = (), *,
                      beside: bool = False) -> Preparing:
        """``prepare`` in two steps (``SparseMerkleTree.start_update``): the returned ``Preparing``'s ``root``
        finishes it. With ``beside``, the tree's walks run meanwhile in a thread of their own, and the caller may
        do work that touches neither the tree nor this state (the producer plans the block's state rows:
        ``ledger.producer``); ``present`` says which written keys had a value."""
        if self._undo is not None:
            raise RuntimeError("a block is already prepared; apply or discard it first")
        if self._checking:  # ``discard`` puts back the values held now: they must be the stored ones
            for key in encoded:
                self._check(key, self._values.get(key))
        if self._disk is None:
            return Preparing(self, list(encoded), self._tree.start_update(_leaves(encoded), beside=beside))
        # their values before the block, to put back on ``discard``; those the store lacks checked absent
        unchecked, held = self._disk.pin(list(encoded), created)
        refuse = [*unchecked, *held]
        try:
            update = self._tree.start_update(_leaves(encoded), absent=[key.encode() for key in unchecked],
                                             held={key.encode(): value_hash for key, value_hash in held.items()},
                                             beside=beside)
        except BaseException:
            self._disk.refused(refuse)
            raise
        return Preparing(self, list(encoded), update, refuse, held)

    def present(self, keys: Iterable[str]) -> dict[str, Any] | None:
        """The keys of a block being prepared that had a value before it, with that value (checked against the
        tree when the block is prepared: ``stage``); None: not known (a state without a store)."""
        return None if self._disk is None else self._disk.present(keys)

    @contextmanager
    def deferring(self) -> Iterator[None]:
        """Execute a block within: a key the store lacks is checked absent from the tree when ``prepare`` walks
        its path anyway, not at each read (``ledger.state_stored``); keys read and not written are checked on
        leaving, or by ``prepare``."""
        disk = self._disk
        if disk is None:
            yield
            return
        disk.deferring = True
        try:
            yield
        finally:
            disk.deferring = False
            disk.check_deferred()

    def stage(self, encoded: Mapping[str, bytes | None]) -> dict[str, Any] | None:
        """Make sure the tree holds a block about to be stored (its writes' canonical bytes): ``prepare`` them
        unless they are prepared already (a block executed, discarded, and stored once final). The store calls
        this before it writes the tree with the block. Returns the keys that had a value before the block, with
        that value (checked against the tree when prepared), so the store looks up only those rows and decodes
        none of them again; None: not known."""
        if self._undo is None:
            self.prepare(encoded)
        return self.present(encoded)

    def discard(self) -> None:
        """Take a prepared block's writes out of the tree again (the block was not stored)."""
        if self._undo is not None and self._disk is not None:
            disk = self._disk
            self._tree.update({k.encode(): disk.old_hash(k) for k in self._undo})
            self._undo = None
            disk.unpin()
        if self._undo is not None:  # the values in memory are still those before the block
            self._tree.update({k.encode(): (sha256(encode_state(self._values[k])) if k in self._values else None)
                               for k in self._undo})
            self._undo = None

    def apply(self, writes: dict[str, Any], encoded: Mapping[str, bytes | None]) -> None:
        """Merge a stored block's writes (``encoded`` holds their canonical bytes; ``None`` for both: the key is
        deleted)."""
        if self._undo is None:
            self._tree.update(_leaves(encoded))
        self._undo = None
        if self._disk is not None:
            self._disk.unpin(writes)
            return
        for key, value in writes.items():
            self._set(key, value)
        if self._unchecked:
            self._unchecked.difference_update(writes)

    def _set(self, key: str, value: Any) -> None:
        old = self._values.get(key)
        old_expiry, expiry = expiry_of(key, old), expiry_of(key, value)
        if old_expiry != expiry:
            if old_expiry is not None:
                self._unexpiring(key, old_expiry)
            if expiry is not None:
                if expiry not in self._expiring:
                    self._expiring[expiry] = set()
                    insort(self._expiries, expiry)
                self._expiring[expiry].add(key)
        if isinstance(old, dict) and "owner" in old:
            self._owners.get(old["owner"], set()).discard(key)
            self._open.get(old["owner"], set()).discard(key)
            if key.startswith("asset/") and old.get("trade") == "open":
                pair = (old.get("provider", ""), old.get("method", ""))
                self._open_by_day[old["owner"]][pair][old["expires"] // EXPIRY_DAY].discard(key)
        namespace = _namespace(key)
        if value is None:
            self._values.pop(key, None)
            if namespace is not None and namespace != ASSET_NAMESPACE:
                self._namespaces.get(namespace, {}).pop(key, None)
            return
        if old is None and namespace is not None and namespace != ASSET_NAMESPACE:
            self._namespaces.setdefault(namespace, {})[key] = None
        self._values[key] = value
        if key.startswith("asset/") and isinstance(value, dict):
            self._owners.setdefault(value["owner"], set()).add(key)
            if value.get("trade") == "open":
                self._open.setdefault(value["owner"], set()).add(key)
                day, pair = value["expires"] // EXPIRY_DAY, (value.get("provider", ""), value.get("method", ""))
                by_day = self._open_by_day.setdefault(value["owner"], {}).setdefault(pair, {})
                if day not in by_day:
                    by_day[day] = set()
                    insort(self._open_days.setdefault(value["owner"], {}).setdefault(pair, []), day)
                by_day[day].add(key)


    def _unexpiring(self, key: str, expires: int) -> None:
        keys = self._expiring[expires]
        keys.discard(key)
        if not keys:
            del self._expiring[expires]
            del self._expiries[bisect_left(self._expiries, expires)]


def _leaves(encoded: Mapping[str, bytes | None]) -> dict[bytes, bytes | None]:
    """A block's canonical bytes as tree changes: key → value hash, ``None`` (deleted) kept."""
    return {k.encode(): None if v is None else sha256(v) for k, v in encoded.items()}


class Overlay:
    """Staged writes over a ``State`` (or over another overlay): reads see the writes; nothing reaches the
    parent until ``commit``. A block executes in one overlay, each transaction in a child of it, so a failed
    transaction leaves no trace (all-or-nothing, S207-S210)."""

    def __init__(self, base: State | Overlay) -> None:
        self.base = base
        self.writes: dict[str, Any] = {}
        self.created: set[str] = set()  # keys ``create`` wrote: absent before the block, not looked up

    def get(self, key: str) -> Any | None:
        if key in self.writes:
            return self.writes[key]
        return self.base.get(key)

    def put(self, key: str, value: Any) -> None:
        self.writes[key] = value

    def create(self, key: str, value: Any) -> None:
        """``put`` of a key that cannot hold a value yet (a new reading's asset, keyed by its transaction's id,
        which admission found new): ``prepare`` then has the tree's update check it absent rather than looking
        it up in the store first. A store that holds it anyway is refused (``StoreError``)."""
        self.writes[key] = value
        self.created.add(key)

    def prefetch(self, keys: Iterable[str]) -> None:
        """Have the state read ahead, together, the values at those of ``keys`` these writes do not hold: a rule
        about to read many (``State.prefetch``). Reads then see what they would have seen anyway."""
        writes = self.writes
        self.base.prefetch([key for key in keys if key not in writes])

    def child(self) -> Overlay:
        return Overlay(self)

    def commit(self) -> None:
        if not isinstance(self.base, Overlay):
            raise TypeError("commit merges into a parent overlay; apply a block's writes with State.apply")
        self.base.writes.update(self.writes)
        self.base.created.update(self.created)


class Preparing:
    """A block's writes on their way into the state tree (``State.start_prepare``): ``root`` finishes it."""

    __slots__ = ("_held", "_keys", "_refuse", "_root", "_state", "_update")

    def __init__(self, state: State, keys: list[str], update: TreeUpdate, refuse: list[str] | None = None,
                 held: Mapping[str, bytes] | None = None) -> None:
        self._state, self._keys, self._update = state, keys, update
        self._refuse, self._held = refuse, held or {}
        self._root: bytes | None = None

    def root(self) -> bytes:
        """The root the block's writes give, once they are in the tree; a ``StoreError`` when the tree finds the
        store changed outside the node (a value read from it that the tree does not hold), the tree then as it
        was. Called again: the same root."""
        if self._root is not None:
            return self._root
        state, refuse = self._state, self._refuse
        try:
            root = self._update.root()
        except (PresentKeyError, HeldValueError) as exc:
            assert state._disk is not None and refuse is not None
            state._disk.refused(refuse)
            key = exc.keys[0].decode()
            found = (f"state key {key!r} is missing from the store, but the state tree (checked against the "
                     f"signed header) holds it" if isinstance(exc, PresentKeyError) else
                     f"stored state value {key!r} hashes to {self._held[key].hex()}, but the state tree (checked "
                     f"against the signed header) holds another value hash or none")
            raise StoreError(f"{found}: the store was changed outside the node") from exc
        except BaseException:
            if state._disk is not None and refuse is not None:
                state._disk.refused(refuse)
            raise
        state._undo, self._root = self._keys, root
        return root
