"""The full audit of a node's store (``greencert node --audit``): every stored state value read and hashed, the
state root recomputed from them alone and compared with the last signed header's.

A node starting normally checks only the stored tree's root against the signed header and each value at its
first read (``ledger.state``); the audit is the explicit, whole check, with progress reported as it goes: it
reads every row, so it takes the time a start took before the tree was kept on disk.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from ledger.errors import StoreError
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
    for count, (key, encoded) in enumerate(store.iter_state(), 1):
        leaves.append((key_path(key.encode()), sha256(encoded)))
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
    tell(100, f"recomputed the state root over {len(paths):,} values")
    if root != expected_root:
        raise StoreError(f"the stored state values hash to root {root.hex()}, but the signed header of block {height} "
                         f"commits to {expected_root.hex()}: the store was changed outside the node")
    return len(paths)
