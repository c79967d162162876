"""Sparse Merkle tree over 256-bit paths: the authenticated state behind a header's ``state_root``.

DESIGN.md "The ledger": ``state_root`` commits to the whole state with membership **and** non-membership
proofs, and proofs verify with ``ledger_lite`` alone. The construction below is a protocol: another
implementation must reproduce roots and proofs from this text.

Construction (H is SHA-256, ``||`` concatenation)

1. A key (bytes) lives at path ``p = H(key)``, read as 256 bits, most significant bit of byte 0 first:
   bit ``d`` is ``p[d // 8] >> (7 - d % 8) & 1`` and chooses the child at depth ``d`` (0 left, 1 right).
2. A leaf holds a 32-byte ``value_hash``; its hash is ``H(0x00 || p || value_hash)``.
3. The hash ``T(d, S)`` of the subtree at depth ``d`` holding the leaves ``S`` (which share their first d bits):
   * ``EMPTY`` (32 zero bytes) when S is empty;
   * the leaf's hash when S holds exactly one leaf, whatever d is: the leaf is lifted to the top of its
     otherwise empty subtree (as in Diem's Jellyfish Merkle tree and Libra's sparse Merkle tree);
   * ``H(0x01 || T(d+1, S0) || T(d+1, S1))`` otherwise, S0 and S1 being the leaves whose bit d is 0 and 1.
     One side may be EMPTY and the node is still hashed; both sides are never empty.
4. ``root = T(0, all leaves)``: EMPTY for the empty tree, the leaf's hash for a one-leaf tree. Distinct paths
   differ in some bit below 256, so the recursion ends.

Proof of key k (``SmtProof``). Walking from the root along ``p = H(k)`` ends at depth D at an empty subtree or
a single leaf, the *terminal*. ``siblings`` are the non-empty hashes ``T(d+1, other side)`` for d < D, root
side first; ``bitmap`` is 32 bytes whose bit d (numbered like path bits) is set when the sibling at depth d is
non-empty; ``leaf`` is the terminal leaf's ``(path, value_hash)``, or absent when the terminal is empty. The
deepest sibling is never empty (its parent holds at least two leaves, the terminal at most one), so
``D = 1 + the largest d set in bitmap``, or 0 when bitmap is zero. Encoding: the deterministic CBOR map
``{"bitmap": bstr .size 32, "leaf": null / {"path": bstr .size 32, "value_hash": bstr .size 32},
"siblings": [* bstr .size 32]}``; JSON: the same with lowercase hex strings.

Verification: start from the terminal's hash (leaf hash, or EMPTY), and for d = D-1 down to 0 hash it with the
sibling (EMPTY where bit d of bitmap is clear) on the side opposite to bit d of ``p``; the result must equal the
root. Membership also needs ``leaf.path == p`` and ``leaf.value_hash == value_hash``; non-membership needs no
leaf, or a leaf whose path differs from ``p`` but shares p's first D bits. Sound because leaf and node hashes
are domain-separated (0x00 / 0x01) and EMPTY is no SHA-256 output anyone can find a preimage for.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ledger_lite.encoding import canonical, decode
from ledger_lite.errors import EncodingError, ProofError

HASH_SIZE = 32
EMPTY = bytes(HASH_SIZE)
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
# The largest canonical proof: a terminal leaf and a non-empty sibling at all 256 depths.
MAX_PROOF_BYTES = 8848

_sha256 = hashlib.sha256


def key_path(key: bytes) -> bytes:
    """Construction 1: the 256-bit path of ``key``."""
    return _sha256(key).digest()


def hash_leaf(path: bytes, value_hash: bytes) -> bytes:
    """Construction 2: ``H(0x00 || path || value_hash)``."""
    return _sha256(LEAF_PREFIX + path + value_hash).digest()


def hash_node(left: bytes, right: bytes) -> bytes:
    """Construction 3: ``H(0x01 || left || right)``."""
    return _sha256(NODE_PREFIX + left + right).digest()


def _check_value(key: bytes, value_hash: bytes) -> None:
    if not isinstance(key, bytes):
        raise TypeError(f"expected a bytes key, found {type(key).__name__}")
    if not isinstance(value_hash, bytes) or len(value_hash) != HASH_SIZE:
        raise ValueError(f"expected a {HASH_SIZE}-byte value_hash for key {key!r:.40}, found {value_hash!r:.80}")


# ---------------------------------------------------------------------------------------------------------------
# Reference: construction 3 read literally, for tests and other implementations. It shares nothing with
# SparseMerkleTree beyond the definitions above (the tree inlines its hashing).

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


def _hash_of(entry: bytes | None) -> bytes:
    if entry is None:
        return EMPTY
    return entry if len(entry) == HASH_SIZE else entry[64:]


def _split(paths: list[bytes], lo: int, hi: int, depth: int) -> int:
    """First index in ``paths[lo:hi]`` (sorted, sharing their first ``depth`` bits) whose bit ``depth`` is 1."""
    i, mask = depth >> 3, 0x80 >> (depth & 7)
    first = paths[lo]
    if first[i] & mask:
        return lo
    if not paths[hi - 1][i] & mask:
        return hi
    # Smallest byte string with the shared prefix and bit `depth` set: keep the bits above, set the bit.
    return bisect_left(paths, first[:i] + bytes(((first[i] | (mask - 1)) + 1,)), lo, hi)


def _build(nodes: dict[int, bytes], paths: list[bytes], values: list[bytes], lo: int, hi: int, depth: int,
           index: int) -> bytes:
    """Store the subtree holding the sorted leaves ``paths[lo:hi]`` at heap ``index``; return its hash."""
    if hi - lo == 1:
        path, value_hash = paths[lo], values[lo]
        leaf = _sha256(LEAF_PREFIX + path + value_hash).digest()
        nodes[index] = path + value_hash + leaf
        return leaf
    if hi == lo:
        return EMPTY
    mid = _split(paths, lo, hi, depth)
    left = _build(nodes, paths, values, lo, mid, depth + 1, 2 * index) if mid > lo else EMPTY
    right = _build(nodes, paths, values, mid, hi, depth + 1, 2 * index + 1) if mid < hi else EMPTY
    node = _sha256(NODE_PREFIX + left + right).digest()
    nodes[index] = node
    return node


def _rehash(nodes: dict[int, bytes], index: int) -> None:
    """Recompute the entry at ``index`` from its children (construction 3: no leaves -> empty; one leaf -> lifted
    here; otherwise a node, even with one side empty)."""
    left_index, right_index = 2 * index, 2 * index + 1
    left, right = nodes.get(left_index), nodes.get(right_index)
    if left is None and right is None:
        nodes.pop(index, None)
    elif left is None and right is not None and len(right) == _RECORD_SIZE:
        del nodes[right_index]
        nodes[index] = right
    elif right is None and left is not None and len(left) == _RECORD_SIZE:
        del nodes[left_index]
        nodes[index] = left
    else:
        nodes[index] = _sha256(NODE_PREFIX + _hash_of(left) + _hash_of(right)).digest()


def _apply(nodes: dict[int, bytes], index: int, depth: int, paths: list[bytes], values: list[bytes | None],
           lo: int, hi: int) -> int:
    """Apply the sorted changes ``paths[lo:hi]`` to the subtree at heap ``index``; return leaves added - removed."""
    if hi - lo == 1:
        return _apply_one(nodes, index, depth, paths[lo], values[lo])
    current = nodes.get(index)
    if current is not None and len(current) == HASH_SIZE:
        mid = _split(paths, lo, hi, depth)
        added = 0
        if lo < mid:
            added += _apply(nodes, 2 * index, depth + 1, paths, values, lo, mid)
        if mid < hi:
            added += _apply(nodes, 2 * index + 1, depth + 1, paths, values, mid, hi)
        _rehash(nodes, index)
        return added
    # An empty slot or a single leaf: merge its leaf with the changes and build the subtree afresh.
    merged = dict(zip(paths[lo:hi], values[lo:hi], strict=True))
    if current is not None:
        merged.setdefault(current[:32], current[32:64])
        del nodes[index]
    kept = sorted((path, value_hash) for path, value_hash in merged.items() if value_hash is not None)
    _build(nodes, [p for p, _ in kept], [v for _, v in kept], 0, len(kept), depth, index)
    return len(kept) - (current is not None)


def _apply_one(nodes: dict[int, bytes], index: int, depth: int, path: bytes, value: bytes | None) -> int:
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
        if value is None:
            if current is None:
                return 0  # deleting an absent key changes nothing
            del nodes[index]
            added = -1
        else:
            nodes[index] = path + value + _sha256(LEAF_PREFIX + path + value).digest()
            added = 0 if current is not None else 1
    else:  # another key's leaf sits here: both go below it
        if value is None:
            return 0
        del nodes[index]
        pair = sorted(((path, value), (current[:32], current[32:64])))
        _build(nodes, [p for p, _ in pair], [v for _, v in pair], 0, 2, depth, index)
        added = 1
    for above in reversed(walked):
        _rehash(nodes, above)
    return added


class SparseMerkleTree:
    """The state tree of the module docstring, updated in batches in O(k log n) hashes for k changes."""

    __slots__ = ("_nodes", "_size")

    def __init__(self) -> None:
        self._nodes: dict[int, bytes] = {}
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
        _build(tree._nodes, paths, [by_path[p] for p in paths], 0, len(paths), 0, 1)
        tree._size = len(paths)
        return tree

    def copy(self) -> SparseMerkleTree:
        """An independent tree with the same content (copies the node dict, shares its immutable entries)."""
        other = SparseMerkleTree()
        other._nodes, other._size = dict(self._nodes), self._size
        return other

    def __len__(self) -> int:
        return self._size

    def root(self) -> bytes:
        return _hash_of(self._nodes.get(1))

    def update(self, changes: Mapping[bytes, bytes | None]) -> bytes:
        """Set each key to its new value_hash (``None`` deletes it) and return the new root.

        Every change is checked before the tree is touched, so a rejected batch changes nothing.
        """
        for key, value_hash in changes.items():
            if value_hash is not None:
                _check_value(key, value_hash)
            elif not isinstance(key, bytes):
                raise TypeError(f"expected a bytes key, found {type(key).__name__}")
        if changes:
            ordered = sorted((_sha256(key).digest(), value_hash) for key, value_hash in changes.items())
            self._size += _apply(self._nodes, 1, 0, [p for p, _ in ordered], [v for _, v in ordered],
                                 0, len(ordered))
        return self.root()

    def get(self, key: bytes) -> bytes | None:
        """The value_hash stored for ``key``, or None."""
        path = _sha256(key).digest()
        nodes, index, depth = self._nodes, 1, 0
        entry = nodes.get(1)
        while entry is not None and len(entry) == HASH_SIZE:
            index = 2 * index + (1 if path[depth >> 3] & (0x80 >> (depth & 7)) else 0)
            entry = nodes.get(index)
            depth += 1
        return entry[32:64] if entry is not None and entry[:32] == path else None

    def prove(self, key: bytes) -> SmtProof:
        """A membership proof if ``key`` is present, else a non-membership proof (module docstring, "Proof")."""
        path = _sha256(key).digest()
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


# ---------------------------------------------------------------------------------------------------------------
# Proofs.

@dataclass(frozen=True)
class SmtLeaf:
    """The leaf a proof's walk ends at."""

    path: bytes
    value_hash: bytes


@dataclass(frozen=True)
class SmtProof:
    """Module docstring, "Proof": non-empty siblings root side first, their depths in ``bitmap``, the terminal leaf.

    Construction checks the shape and raises ``ProofError`` naming what is malformed.
    """

    bitmap: bytes
    siblings: tuple[bytes, ...]
    leaf: SmtLeaf | None

    def __post_init__(self) -> None:
        if not isinstance(self.bitmap, bytes) or len(self.bitmap) != HASH_SIZE:
            raise ProofError(f"proof bitmap has wrong size: expected {HASH_SIZE} bytes, found {_size(self.bitmap)}")
        expected = int.from_bytes(self.bitmap, "big").bit_count()
        if len(self.siblings) != expected:
            raise ProofError(f"proof has wrong number of siblings: its bitmap marks {expected}, "
                             f"found {len(self.siblings)}")
        for index, sibling in enumerate(self.siblings):
            if not isinstance(sibling, bytes) or len(sibling) != HASH_SIZE:
                raise ProofError(f"proof sibling {index} has wrong size: expected {HASH_SIZE} bytes, "
                                 f"found {_size(sibling)}")
            if sibling == EMPTY:
                raise ProofError(f"proof sibling {index} is the empty hash: expected only non-empty siblings")
        if self.leaf is not None:
            for name, value in (("path", self.leaf.path), ("value_hash", self.leaf.value_hash)):
                if not isinstance(value, bytes) or len(value) != HASH_SIZE:
                    raise ProofError(f"proof leaf {name} has wrong size: expected {HASH_SIZE} bytes, "
                                     f"found {_size(value)}")

    @property
    def depth(self) -> int:
        """D: the depth of the terminal, one below the deepest non-empty sibling."""
        bits = int.from_bytes(self.bitmap, "big")
        return 0 if bits == 0 else 256 - ((bits & -bits).bit_length() - 1)

    def to_cbor(self) -> dict[str, Any]:
        leaf = None if self.leaf is None else {"path": self.leaf.path, "value_hash": self.leaf.value_hash}
        return {"bitmap": self.bitmap, "leaf": leaf, "siblings": list(self.siblings)}

    def to_bytes(self) -> bytes:
        return canonical(self.to_cbor())

    @classmethod
    def from_bytes(cls, data: bytes) -> SmtProof:
        """Decode deterministic CBOR; ``EncodingError`` for a wrong shape, ``ProofError`` for wrong sizes."""
        if len(data) > MAX_PROOF_BYTES:
            raise EncodingError(f"expected a proof of at most {MAX_PROOF_BYTES} bytes, found {len(data)} bytes")
        value = decode(data)
        _expect_map(value, "proof", {"bitmap", "leaf", "siblings"})
        if not isinstance(value["bitmap"], bytes):
            raise EncodingError(f"expected proof bitmap as bytes, found {type(value['bitmap']).__name__}")
        siblings = value["siblings"]
        if not isinstance(siblings, list) or not all(isinstance(s, bytes) for s in siblings):
            raise EncodingError(f"expected proof siblings as a list of bytes, found {siblings!r:.80}")
        leaf = value["leaf"]
        if leaf is not None:
            _expect_map(leaf, "proof leaf", {"path", "value_hash"})
            if not isinstance(leaf["path"], bytes) or not isinstance(leaf["value_hash"], bytes):
                raise EncodingError(f"expected proof leaf path and value_hash as bytes, found {leaf!r:.80}")
        return cls(value["bitmap"], tuple(siblings), None if leaf is None else SmtLeaf(leaf["path"],
                                                                                       leaf["value_hash"]))

    def to_json(self) -> dict[str, Any]:
        leaf = None if self.leaf is None else {"path": self.leaf.path.hex(), "value_hash": self.leaf.value_hash.hex()}
        return {"bitmap": self.bitmap.hex(), "leaf": leaf, "siblings": [s.hex() for s in self.siblings]}

    @classmethod
    def from_json(cls, value: Any) -> SmtProof:
        try:
            _expect_map(value, "proof object", {"bitmap", "leaf", "siblings"})
            leaf = value["leaf"]
            if leaf is not None:
                _expect_map(leaf, "proof leaf object", {"path", "value_hash"})
                leaf = SmtLeaf(bytes.fromhex(leaf["path"]), bytes.fromhex(leaf["value_hash"]))
            if not isinstance(value["siblings"], list):
                raise EncodingError(f"expected proof siblings as a list, found {value['siblings']!r:.80}")
            return cls(bytes.fromhex(value["bitmap"]), tuple(bytes.fromhex(s) for s in value["siblings"]), leaf)
        except (TypeError, ValueError) as exc:
            raise EncodingError(f"expected hex strings in a proof object, found {exc}") from exc


def _size(value: object) -> str:
    return f"{len(value)} bytes" if isinstance(value, bytes) else type(value).__name__


def _expect_map(value: Any, what: str, fields: set[str]) -> None:
    if not isinstance(value, dict):
        raise EncodingError(f"expected a {what} map, found {type(value).__name__}")
    if set(value) != fields:
        raise EncodingError(f"expected {what} fields {sorted(fields)}, found {sorted(map(str, value))}")


def _root_from_proof(path: bytes, proof: SmtProof) -> bytes:
    """Module docstring, "Verification": fold the siblings from the terminal up to the root."""
    bits = int.from_bytes(proof.bitmap, "big")
    node = EMPTY if proof.leaf is None else hash_leaf(proof.leaf.path, proof.leaf.value_hash)
    index = len(proof.siblings)
    for depth in range(proof.depth - 1, -1, -1):
        if bits >> (255 - depth) & 1:
            index -= 1
            sibling = proof.siblings[index]
        else:
            sibling = EMPTY
        node = hash_node(sibling, node) if path[depth >> 3] & (0x80 >> (depth & 7)) else hash_node(node, sibling)
    return node


def _check_root(root: bytes, path: bytes, proof: SmtProof) -> None:
    computed = _root_from_proof(path, proof)
    if computed != root:
        raise ProofError(f"state proof leads to root {computed.hex()}, expected {root.hex()}")


def _check_sizes(**values: bytes) -> None:
    for name, value in values.items():
        if not isinstance(value, bytes) or len(value) != HASH_SIZE:
            raise ProofError(f"expected a {HASH_SIZE}-byte {name}, found {_size(value)}")


def verify_membership(root: bytes, key: bytes, value_hash: bytes, proof: SmtProof) -> None:
    """Raise ``ProofError`` unless ``proof`` shows ``key`` holding ``value_hash`` in the tree with ``root``."""
    _check_sizes(root=root, value_hash=value_hash)
    path = key_path(key)
    # 1. The walk must end at this key's own leaf.
    if proof.leaf is None:
        raise ProofError(f"membership proof ends at an empty slot at depth {proof.depth}: "
                         f"expected the leaf of path {path.hex()}")
    if proof.leaf.path != path:
        raise ProofError(f"membership proof ends at the leaf of path {proof.leaf.path.hex()}, "
                         f"expected path {path.hex()}")
    # 2. ... holding the claimed value.
    if proof.leaf.value_hash != value_hash:
        raise ProofError(f"proof leaf holds value_hash {proof.leaf.value_hash.hex()}, expected {value_hash.hex()}")
    # 3. The siblings must lead to the root.
    _check_root(root, path, proof)


def verify_non_membership(root: bytes, key: bytes, proof: SmtProof) -> None:
    """Raise ``ProofError`` unless ``proof`` shows that ``key`` is absent from the tree with ``root``."""
    _check_sizes(root=root)
    path = key_path(key)
    # 1. The walk must end at an empty slot or at another key's leaf on this key's path.
    if proof.leaf is not None:
        if proof.leaf.path == path:
            raise ProofError(f"proof ends at the leaf of the key itself (value_hash {proof.leaf.value_hash.hex()}): "
                             f"expected the key absent")
        depth = proof.depth
        shift = 256 - depth
        if int.from_bytes(proof.leaf.path, "big") >> shift != int.from_bytes(path, "big") >> shift:
            raise ProofError(f"proof ends at the leaf of path {proof.leaf.path.hex()}, which is off the key's path: "
                             f"expected its first {depth} bits to equal those of {path.hex()}")
    # 2. The siblings must lead to the root.
    _check_root(root, path, proof)
