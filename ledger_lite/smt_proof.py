"""Sparse Merkle proofs: their format and their verification, all a light client needs to check a state value.

The construction (paths, leaf and node hashes, ``EMPTY``) is ``ledger_lite.smt``; this module adds the proof.

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

from dataclasses import dataclass
from typing import Any

from ledger_lite.encoding import canonical, decode
from ledger_lite.errors import EncodingError, ProofError
from ledger_lite.smt import EMPTY, HASH_SIZE, hash_leaf, hash_node, key_path

# The largest canonical proof: a terminal leaf and a non-empty sibling at all 256 depths.
MAX_PROOF_BYTES = 8848


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
