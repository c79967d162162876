"""The full audit of a node's store (``greencert node --audit``): every stored state value read and hashed, the
state root recomputed from them alone and compared with the last signed header's.

A node starting normally checks only the stored tree's root against the signed header and each value at its
first read (``ledger.state``); the audit is the explicit, whole check, with progress reported as it goes: it
reads every row, so it takes the time a start took before the tree was kept on disk. It also checks the indexes
(``state_owner``, ``state_open``, ``state_expiry`` with the certificates' groups of ``ledger.expiry_groups``:
``ledger.storage``) against the values: the entries the values give and those stored must be the same sets,
compared by their count and an order-free digest (the XOR of each entry's SHA-256), so the audit holds no copy of
an index.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from ledger.errors import StoreError
from ledger.state_index import expiry_of, indexed
from ledger.storage import Store
from ledger_lite import sha256
from ledger_lite.smt import key_path
from ledger_lite.smt_tree import root_of_sorted

# told (percent done, what is being done) now and then
Progress = Callable[[int, str], None]

_READ_SHARE = 60  # percent of the audit's time that reading and hashing the values takes, roughly


def audit_state(store: Store, expected_root: bytes, height: int, progress: Progress | None = None) -> int:
    """Recompute the state root from every stored value; raise ``StoreError`` unless it is ``expected_root``
    (the state root of the signed header of block ``height``). Returns how many values were checked."""
    def tell(percent: int, what: str) -> None:
        if progress is not None:
            progress(percent, what)

    total = store.state_count()
    tell(0, f"reading {total:,} state values")
    leaves: list[tuple[bytes, bytes]] = []
    step = max(1, total // 50)
    expected = {"owner": _Digest(), "open": _Digest(), "expiry": _Digest()}
    for count, (row, key, encoded, value) in enumerate(store.iter_state_rows(), 1):
        leaves.append((key_path(key.encode()), sha256(encoded)))
        entry = indexed(key, value)
        if entry is not None:
            owner = store.owner_id(entry.owner)
            expected["owner"].add((owner, row))
            if entry.day is not None:
                expected["open"].add((owner, entry.day, entry.provider, entry.method, row))
        expires = expiry_of(key, value)
        if expires is not None:
            expected["expiry"].add((expires, row))
        if count % step == 0:
            tell(min(_READ_SHARE, count * _READ_SHARE // max(total, 1)), f"read {count:,} of {total:,} values")
    leaves.sort()
    paths = [p for p, _ in leaves]
    for before, after in pairwise(paths):
        if before == after:
            raise StoreError(f"expected each state key once, found the key of path {before.hex()} twice: the store "
                             f"was changed outside the node")
    values = [v for _, v in leaves]
    del leaves
    remaining = 100 - _READ_SHARE
    root = root_of_sorted(paths, values, lambda done: tell(_READ_SHARE + done * remaining // max(len(paths), 1),
                                                            f"hashed {done:,} of {len(paths):,} leaves"))
    if root != expected_root:
        raise StoreError(f"the stored state values hash to root {root.hex()}, but the signed header of block {height} "
                         f"commits to {expected_root.hex()}: the store was changed outside the node")
    found = {"owner": _Digest(), "open": _Digest(), "expiry": _Digest()}
    for table, stored in store.index_entries():
        found[table].add(stored)
    for table, digest in found.items():
        if digest != expected[table]:
            raise StoreError(f"the index state_{table} holds {digest.count:,} entries (digest {digest.value:064x}), "
                             f"but the state values give {expected[table].count:,} (digest "
                             f"{expected[table].value:064x}): the store was changed outside the node")
    tell(100, f"recomputed the state root over {len(paths):,} values and checked the indexes")
    return len(paths)


class _Digest:
    """How many entries, and the XOR of their SHA-256: equal for the same set in any order."""

    def __init__(self) -> None:
        self.count = 0
        self.value = 0

    def add(self, entry: tuple[object, ...]) -> None:
        self.count += 1
        self.value ^= int.from_bytes(sha256(repr(entry).encode()), "big")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Digest) and (self.count, self.value) == (other.count, other.value)

    __hash__ = None  # type: ignore[assignment]
