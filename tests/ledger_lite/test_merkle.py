"""RFC 6962 Merkle tree hash and inclusion proofs against the published Certificate Transparency vectors
(``tests/assets/merkle_vectors.json``, sources listed there) and against the recursive definition."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_lite import (
    ProofError,
    inclusion_proof,
    leaf_hash,
    merkle,
    merkle_root,
    root_from_leaf_hashes,
    verify_inclusion,
)
from ledger_lite.merkle import EMPTY_ROOT, node_hash, root_from_inclusion_proof

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[1] / "assets" / "merkle_vectors.json").read_text(encoding="utf-8"))
LEAVES = [bytes.fromhex(x) for x in VECTORS["leaves"]]
LEAF_HASHES = [leaf_hash(x) for x in LEAVES]
ROOTS = [bytes.fromhex(x) for x in VECTORS["roots_by_size"]]
SOME_HASH = bytes.fromhex(VECTORS["some_hash"])
PROOFS = [(p["leaf_index"], p["tree_size"], [bytes.fromhex(h) for h in p["proof"]])
          for p in VECTORS["inclusion_proofs"]]


def mth(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH, literally: split at the largest power of two smaller than n."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def test_prefixes_are_rfc6962() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert node_hash(b"l" * 32, b"r" * 32) == hashlib.sha256(b"\x01" + b"l" * 32 + b"r" * 32).digest()


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert merkle_root([]) == EMPTY_ROOT == ROOTS[0]
    assert root_from_leaf_hashes([]) == ROOTS[0]


@pytest.mark.parametrize("size", range(1, 9))
def test_published_root_for_the_first_n_leaves(size: int) -> None:
    assert merkle_root(LEAVES[:size]).hex() == VECTORS["roots_by_size"][size]
    assert root_from_leaf_hashes(LEAF_HASHES[:size]) == ROOTS[size]


def test_eight_leaf_root() -> None:
    assert merkle_root(LEAVES).hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


@pytest.mark.parametrize("level", range(4))
def test_published_subtree_hashes(level: int) -> None:
    width = 1 << level
    for i, expected in enumerate(VECTORS["node_hashes_by_level"][level]):
        assert root_from_leaf_hashes(LEAF_HASHES[i * width:(i + 1) * width]).hex() == expected


@pytest.mark.parametrize(("index", "size", "proof"), PROOFS, ids=[f"leaf{p[0]}-of-{p[1]}" for p in PROOFS])
def test_published_inclusion_proofs(index: int, size: int, proof: list[bytes]) -> None:
    assert inclusion_proof(index, LEAF_HASHES[:size]) == proof
    assert root_from_inclusion_proof(index, size, LEAF_HASHES[index], proof) == ROOTS[size]
    verify_inclusion(index, size, LEAF_HASHES[index], proof, ROOTS[size])


def corrupt(index: int, size: int, proof: list[bytes], root: bytes, leaf: bytes) -> list[tuple[str, tuple[Any, ...]]]:
    """transparency-dev/merkle proof/verify_test.go corruptInclusionProof, with 0-based indices."""
    probes: list[tuple[str, tuple[Any, ...]]] = [
        ("leafIndex - 1", (index - 1, size, leaf, proof, root)),
        ("leafIndex + 1", (index + 1, size, leaf, proof, root)),
        ("leafIndex ^ 2", (index ^ 2, size, leaf, proof, root)),
        ("treeSize * 2", (index, size * 2, leaf, proof, root)),
        ("treeSize / 2", (index, size // 2, leaf, proof, root)),
        ("wrong leaf", (index, size, b"WrongLeaf", proof, root)),
        ("empty root", (index, size, leaf, proof, EMPTY_ROOT)),
        ("random root", (index, size, leaf, proof, SOME_HASH)),
        ("trailing garbage", (index, size, leaf, [*proof, b""], root)),
        ("trailing root", (index, size, leaf, [*proof, root], root)),
        ("preceding garbage", (index, size, leaf, [b"", *proof], root)),
        ("preceding root", (index, size, leaf, [root, *proof], root)),
    ]
    for i in range(len(proof)):
        wrong = list(proof)
        wrong[i] = bytes([wrong[i][0] ^ 8]) + wrong[i][1:]
        probes.append((f"modified proof[{i}] bit 3", (index, size, leaf, wrong, root)))
    if proof:
        probes.append(("removed component", (index, size, leaf, proof[:-1], root)))
    if len(proof) > 1:
        probes.append(("inserted component", (index, size, leaf, [proof[0], SOME_HASH, *proof[1:]], root)))
    return probes


@pytest.mark.parametrize(("index", "size", "proof"), PROOFS, ids=[f"leaf{p[0]}-of-{p[1]}" for p in PROOFS])
def test_corrupted_published_proofs_fail(index: int, size: int, proof: list[bytes]) -> None:
    accepted = []
    for desc, args in corrupt(index, size, proof, ROOTS[size], LEAF_HASHES[index]):
        try:
            verify_inclusion(*args)
        except ProofError:
            continue
        accepted.append(desc)
    assert accepted == [], f"incorrectly verified against: {', '.join(accepted)}"


def test_wrong_root_is_reported_with_both_values() -> None:
    index, size, proof = PROOFS[1]
    computed = ROOTS[size].hex()
    with pytest.raises(ProofError, match=f"inclusion proof leads to root {computed}, expected {SOME_HASH.hex()}"):
        verify_inclusion(index, size, LEAF_HASHES[index], proof, SOME_HASH)


@pytest.mark.parametrize(("index", "size"), [(3, 3), (-1, 3), (0, 0), (8, 8)])
def test_index_outside_the_tree_is_refused(index: int, size: int) -> None:
    with pytest.raises(ProofError, match=rf"expected a leaf index in \[0, {size}\), found {index}"):
        verify_inclusion(index, size, LEAF_HASHES[0], [], ROOTS[1])
    with pytest.raises(ProofError, match=rf"expected a leaf index in \[0, {size}\), found {index}"):
        inclusion_proof(index, LEAF_HASHES[:size])


def test_proof_of_wrong_length_is_refused_with_the_size() -> None:
    index, size, proof = PROOFS[1]
    with pytest.raises(ProofError, match="inclusion proof has wrong size: expected fewer than 4 hashes"):
        verify_inclusion(index, size, LEAF_HASHES[index], [*proof, SOME_HASH], ROOTS[size])
    with pytest.raises(ProofError, match="inclusion proof has wrong size: expected more than 2 hashes"):
        verify_inclusion(index, size, LEAF_HASHES[index], proof[:2], ROOTS[size])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.binary(max_size=12), min_size=0, max_size=70))
def test_root_equals_the_recursive_definition(leaves: list[bytes]) -> None:
    assert merkle_root(leaves) == mth(leaves)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=0, max_size=300))
def test_the_compiled_root_is_the_python_one(leaves: list[bytes]) -> None:
    """``merkle_root`` runs compiled once ``ledger_lite._smt_native`` is built (``test_smt_native`` checks that it
    is); the Python levels it stands in for give the very same root, odd sizes and empty leaves included."""
    assert merkle_root(leaves) == root_from_leaf_hashes([leaf_hash(leaf) for leaf in leaves]) == mth(leaves)


@pytest.mark.skipif(merkle._native_root is None, reason="ledger_lite._smt_native is not built")
def test_the_compiled_root_takes_bytes_like_leaves_and_refuses_others() -> None:
    leaves = [b"a", b"bc", b"def"]
    assert merkle_root([bytearray(b"a"), memoryview(b"bc"), b"def"]) == merkle_root(leaves)  # bytes-like, as in Python
    with pytest.raises(TypeError, match="expected bytes leaves, found str at 1"):
        merkle_root([b"a", "b"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="expected a sequence of bytes leaves"):
        merkle_root(7)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=1, max_size=40), st.data())
def test_every_proof_of_every_index_verifies_and_a_flipped_byte_fails(leaves: list[bytes], data: st.DataObject) -> None:
    hashes = [leaf_hash(x) for x in leaves]
    root = merkle_root(leaves)
    size = len(leaves)
    for index in range(size):
        proof = inclusion_proof(index, hashes)
        verify_inclusion(index, size, hashes[index], proof, root)
    index = data.draw(st.integers(0, size - 1), label="index")
    proof = inclusion_proof(index, hashes)
    # Flip one byte of one of: the leaf hash, a proof element or the root.
    targets = len(proof) + 2
    target = data.draw(st.integers(0, targets - 1), label="target")
    position = data.draw(st.integers(0, 31), label="byte")
    bit = data.draw(st.integers(0, 7), label="bit")

    def flip(h: bytes) -> bytes:
        return h[:position] + bytes([h[position] ^ (1 << bit)]) + h[position + 1:]

    leaf, wrong_proof, wrong_root = hashes[index], list(proof), root
    if target == 0:
        leaf = flip(leaf)
    elif target == 1:
        wrong_root = flip(root)
    else:
        wrong_proof[target - 2] = flip(wrong_proof[target - 2])
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf, wrong_proof, wrong_root)


# transparency-dev/merkle proof/verify_test.go TestVerifyInclusionSingleEntry and TestVerifyInclusion probes.
def test_single_entry_tree_root_is_its_leaf_hash() -> None:
    h = leaf_hash(b"data")
    verify_inclusion(0, 1, h, [], h)
    with pytest.raises(ProofError):
        verify_inclusion(0, 1, b"", [], h)
    with pytest.raises(ProofError):
        verify_inclusion(0, 1, h, [], b"")


@pytest.mark.parametrize(("index", "size"), [(0, 0), (0, 1), (1, 0), (2, 1)])
def test_published_invalid_root_or_leaf_probes(index: int, size: int) -> None:
    for leaf, root in ((SOME_HASH, b""), (b"", EMPTY_ROOT), (SOME_HASH, EMPTY_ROOT)):
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaf, [], root)


def test_hashes_of_the_wrong_size_are_refused() -> None:
    with pytest.raises(ProofError, match="32"):
        verify_inclusion(0, 1, b"", [], b"")
