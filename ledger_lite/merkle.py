"""RFC 6962 / RFC 9162 Merkle tree hash and inclusion proofs.

Leaf hash ``SHA-256(0x00 || d)``, node hash ``SHA-256(0x01 || left || right)``; the tree splits at the largest
power of two smaller than the number of leaves (RFC 6962 §2.1).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from ledger_lite.errors import ProofError

_native_root: Callable[[Sequence[bytes]], bytes] | None
try:  # the same root compiled (``_smt_native.c``): a block's tx_root, a certificate's assets_root
    from ledger_lite._smt_native import merkle_root as _native_root
except ImportError:  # a checkout that was never installed
    _native_root = None

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
HASH_SIZE = 32


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Merkle tree hash over already-hashed leaves, computed bottom-up level by level."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    # Pairing left to right and carrying an odd last node up gives exactly RFC 6962's split tree.
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """The RFC 6962 root over the leaves' data (bytes)."""
    if _native_root is not None:
        return _native_root(leaves)
    return root_from_leaf_hashes([leaf_hash(d) for d in leaves])


def inclusion_proof(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """Audit path for leaf ``index`` among leaf hashes ``hashes`` (RFC 6962 §2.1.1 PATH(m, D[n]))."""
    if not 0 <= index < len(hashes):
        raise ProofError(f"expected a leaf index in [0, {len(hashes)}), found {index}")
    path: list[bytes] = []
    lo, hi, m = 0, len(hashes), index
    # Walk down from the root, remembering the sibling subtree at each split; reverse at the end.
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            path.append(root_from_leaf_hashes(hashes[lo + k : hi]))
            hi = lo + k
        else:
            path.append(root_from_leaf_hashes(hashes[lo : lo + k]))
            lo, m = lo + k, m - k
    path.reverse()
    return path


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2: recompute the root from a leaf hash and its audit path."""
    if not 0 <= index < size:
        raise ProofError(f"expected a leaf index in [0, {size}), found {index}")
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            raise ProofError(f"inclusion proof has wrong size: expected fewer than {len(proof)} hashes")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof has wrong size: expected more than {len(proof)} hashes")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raise ``ProofError`` unless ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree with ``root``."""
    for name, value in (("leaf hash", leaf), ("root", root), *(("proof hash", p) for p in proof)):
        if len(value) != HASH_SIZE:
            raise ProofError(f"expected a {HASH_SIZE}-byte {name}, found {len(value)} bytes")
    computed = root_from_inclusion_proof(index, size, leaf, proof)
    if computed != root:
        raise ProofError(f"inclusion proof leads to root {computed.hex()}, expected {root.hex()}")
