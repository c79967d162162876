"""The node's state: a key → value map with an owner index and a root that commits to all of it.

Values are CBOR-encodable maps. ``root()`` is the RFC 6962 Merkle root over the sorted leaves
``canonical([key, SHA-256(canonical(value))])``; issue #3 replaces it by a sparse Merkle tree with proofs.
A block executes against a ``Overlay`` and is merged only once the block is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ledger_lite import canonical, leaf_hash, root_from_leaf_hashes, sha256


def state_leaf(key: str, value_bytes: bytes) -> bytes:
    return leaf_hash(canonical([key, sha256(value_bytes)]))


class State:
    def __init__(self) -> None:
        self._values: dict[str, Any] = {}
        self._encoded: dict[str, bytes] = {}
        self._leaves: dict[str, bytes] = {}
        self._owners: dict[str, set[str]] = {}
        self._root: bytes | None = None

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: str) -> Any | None:
        return self._values.get(key)

    def encoded(self, key: str) -> bytes | None:
        return self._encoded.get(key)

    def items(self, prefix: str = "") -> Iterator[tuple[str, Any]]:
        for key, value in self._values.items():
            if key.startswith(prefix):
                yield key, value

    def owned(self, owner: str) -> list[str]:
        """Asset keys whose ``owner`` is ``owner``."""
        return sorted(self._owners.get(owner, ()))

    def load(self, key: str, encoded: bytes, value: Any) -> None:
        """Put a value read back from storage (already encoded)."""
        self._set(key, encoded, value)

    def apply(self, writes: dict[str, Any], encoded: dict[str, bytes]) -> None:
        """Merge a stored block's writes (``encoded`` holds their canonical bytes)."""
        for key, value in writes.items():
            self._set(key, encoded[key], value)

    def _set(self, key: str, encoded: bytes, value: Any) -> None:
        old = self._values.get(key)
        if isinstance(old, dict) and "owner" in old:
            self._owners.get(old["owner"], set()).discard(key)
        self._values[key] = value
        self._encoded[key] = encoded
        self._leaves[key] = state_leaf(key, encoded)
        if key.startswith("asset/") and isinstance(value, dict):
            self._owners.setdefault(value["owner"], set()).add(key)
        self._root = None

    def root(self) -> bytes:
        if self._root is None:
            self._root = root_from_leaf_hashes([self._leaves[k] for k in sorted(self._leaves)])
        return self._root

    def root_with(self, writes: dict[str, Any]) -> bytes:
        """The root the state would have after ``writes``, without changing it."""
        if not writes:
            return self.root()
        leaves = dict(self._leaves)
        for key, value in writes.items():
            leaves[key] = state_leaf(key, canonical(value))
        return root_from_leaf_hashes([leaves[k] for k in sorted(leaves)])


class Overlay:
    """Staged writes over a ``State`` (or over another overlay): reads see the writes; nothing reaches the
    parent until ``commit``. A block executes in one overlay, each transaction in a child of it, so a failed
    transaction leaves no trace (all-or-nothing, S207-S210)."""

    def __init__(self, base: State | Overlay) -> None:
        self.base = base
        self.writes: dict[str, Any] = {}

    def get(self, key: str) -> Any | None:
        if key in self.writes:
            return self.writes[key]
        return self.base.get(key)

    def put(self, key: str, value: Any) -> None:
        self.writes[key] = value

    def child(self) -> Overlay:
        return Overlay(self)

    def commit(self) -> None:
        if not isinstance(self.base, Overlay):
            raise TypeError("commit merges into a parent overlay; apply a block's writes with State.apply")
        self.base.writes.update(self.writes)
