"""Sparse Merkle tree over 256-bit paths: the construction behind a header's ``state_root``.

DESIGN.md "The ledger": ``state_root`` commits to the whole state with membership **and** non-membership
proofs, and proofs verify with ``ledger_lite`` alone. The construction below is a protocol: another
implementation must reproduce roots and proofs from this text and the proof format in ``ledger_lite.smt_proof``.
The tree a node keeps is ``ledger_lite.smt_tree``; a light client checking a proof needs only this module and
``ledger_lite.smt_proof``.

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
"""

from __future__ import annotations

import hashlib

HASH_SIZE = 32
EMPTY = bytes(HASH_SIZE)
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

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
