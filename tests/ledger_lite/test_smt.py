"""The sparse Merkle state tree (DESIGN.md "The ledger": membership and non-membership proofs): the construction
written out by hand, the incremental tree against the reference ``root_of``, every proof, tampered proofs, and
the proof encodings fed arbitrary input."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_lite import (
    EncodingError,
    Error,
    ProofError,
    SmtLeaf,
    SmtProof,
    SparseMerkleTree,
    root_of,
    verify_membership,
    verify_non_membership,
)
from ledger_lite.encoding import canonical
from ledger_lite.smt import EMPTY
from ledger_lite.smt_proof import MAX_PROOF_BYTES
from ledger_lite.smt_tree import HeldValueError, PresentKeyError

ZERO = b"\x00" * 32


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf(key: bytes, value_hash: bytes) -> bytes:
    """Construction 2, by hand."""
    return sha(b"\x00" + sha(key) + value_hash)


def node(left: bytes, right: bytes) -> bytes:
    """Construction 3, by hand."""
    return sha(b"\x01" + left + right)


def bit(key: bytes, depth: int) -> int:
    return (sha(key)[depth // 8] >> (7 - depth % 8)) & 1


def shared_bits(a: bytes, b: bytes) -> int:
    return 256 - (int.from_bytes(sha(a), "big") ^ int.from_bytes(sha(b), "big")).bit_length()


def value(n: int) -> bytes:
    return sha(b"value %d" % n)


def items_of(n: int, prefix: bytes = b"key") -> dict[bytes, bytes]:
    return {b"%s/%d" % (prefix, i): value(i) for i in range(n)}


def encode(proof: SmtProof, **fields: Any) -> bytes:
    """``proof`` encoded with some fields replaced, as a forger would."""
    return canonical({**proof.to_cbor(), **fields})


def assert_canonical(tree: SparseMerkleTree, model: dict[bytes, bytes]) -> None:
    """The incremental tree equals the reference and, node for node, a fresh build (no stale nodes left)."""
    assert tree.root() == root_of(model)
    assert len(tree) == len(model)
    assert tree._nodes == SparseMerkleTree.from_items(model)._nodes


# --- The construction --------------------------------------------------------------------------------------------

def test_empty_tree_root_is_32_zero_bytes() -> None:
    tree = SparseMerkleTree()
    assert tree.root() == ZERO == EMPTY == root_of({})
    assert len(tree) == 0
    assert SparseMerkleTree.from_items({}).root() == ZERO
    assert tree.get(b"anything") is None


def test_one_leaf_is_lifted_to_the_root() -> None:
    tree = SparseMerkleTree()
    assert tree.update({b"alice": value(1)}) == leaf(b"alice", value(1))
    assert tree.root() == root_of({b"alice": value(1)})
    assert tree.get(b"alice") == value(1)
    assert len(tree) == 1


def test_three_leaves_by_hand_and_pinned_vector() -> None:
    # Paths: alice 0b00101011.., carol 0b01001100.., bob 0b10000001..: bob alone on the right at depth 0,
    # alice and carol split at depth 1.
    items = {b"alice": sha(b"1"), b"bob": sha(b"2"), b"carol": sha(b"3")}
    assert [bit(b"alice", 0), bit(b"carol", 0), bit(b"bob", 0)] == [0, 0, 1]
    assert [bit(b"alice", 1), bit(b"carol", 1)] == [0, 1]
    by_hand = node(node(leaf(b"alice", items[b"alice"]), leaf(b"carol", items[b"carol"])), leaf(b"bob", items[b"bob"]))
    assert SparseMerkleTree.from_items(items).root() == by_hand == root_of(items)
    # Pinned so that a change to the construction cannot pass unnoticed (another implementation checks this).
    assert by_hand.hex() == "8e0538a8f7d7d490cb03f94bcc29326f897ba6b003b0dada58aa63ee034a2fec"


def test_two_leaves_sharing_a_long_prefix_hash_through_every_shared_level() -> None:
    a, b = b"k712", b"k930"
    common = shared_bits(a, b)
    assert common >= 20
    # Both leaves sit at depth common + 1; above them every level is a node with one empty side.
    lower, upper = (a, b) if bit(a, common) == 0 else (b, a)
    expected = node(leaf(lower, value(1 if lower == a else 2)), leaf(upper, value(1 if upper == a else 2)))
    for depth in range(common - 1, -1, -1):
        expected = node(ZERO, expected) if bit(a, depth) else node(expected, ZERO)
    tree = SparseMerkleTree.from_items({a: value(1), b: value(2)})
    assert tree.root() == expected == root_of({a: value(1), b: value(2)})
    proof = tree.prove(a)
    assert proof.siblings == (leaf(b, value(2)),)
    assert proof.depth == common + 1
    assert int.from_bytes(proof.bitmap, "big") == 1 << (255 - common)
    verify_membership(tree.root(), a, value(1), proof)
    # Deleting one lifts the other back to the root.
    assert tree.update({b: None}) == leaf(a, value(1))
    assert tree._nodes == {1: sha(a) + value(1) + leaf(a, value(1))}


def test_deleting_everything_returns_to_the_empty_root() -> None:
    items = items_of(300)
    tree = SparseMerkleTree.from_items(items)
    keys = list(items)
    tree.update(dict.fromkeys(keys[:100]))
    assert_canonical(tree, {k: items[k] for k in keys[100:]})
    for key in keys[100:]:
        tree.update({key: None})
    assert tree.root() == ZERO
    assert len(tree) == 0
    assert tree._nodes == {}


def test_deleting_an_absent_key_changes_nothing() -> None:
    tree = SparseMerkleTree.from_items(items_of(50))
    root = tree.root()
    assert tree.update({b"never stored": None}) == root
    assert len(tree) == 50


def test_root_is_independent_of_insertion_order_and_batching() -> None:
    items = items_of(200)
    keys = list(items)
    forward, backward, batched = SparseMerkleTree(), SparseMerkleTree(), SparseMerkleTree()
    for key in keys:
        forward.update({key: items[key]})
    for key in reversed(keys):
        backward.update({key: items[key]})
    for start in range(0, 200, 37):
        batched.update({k: items[k] for k in keys[start:start + 37]})
    assert forward.root() == backward.root() == batched.root() == root_of(items)
    assert forward._nodes == backward._nodes == batched._nodes


def test_updating_a_value_changes_the_root_and_back() -> None:
    items = items_of(100)
    tree = SparseMerkleTree.from_items(items)
    root = tree.root()
    assert tree.update({b"key/7": value(1000)}) != root
    assert tree.get(b"key/7") == value(1000)
    assert len(tree) == 100
    assert tree.update({b"key/7": value(7)}) == root


def test_copy_is_independent() -> None:
    tree = SparseMerkleTree.from_items(items_of(20))
    snapshot = tree.copy()
    tree.update({b"key/1": None, b"new": value(1)})
    assert snapshot.root() == root_of(items_of(20))
    assert snapshot.get(b"key/1") == value(1)
    assert snapshot.get(b"new") is None


def test_from_items_accepts_pairs_and_refuses_a_key_twice() -> None:
    items = items_of(10)
    assert SparseMerkleTree.from_items(iter(items.items())).root() == root_of(items)
    with pytest.raises(ValueError, match="expected distinct keys, found b'key/3' twice"):
        SparseMerkleTree.from_items([*items.items(), (b"key/3", value(99))])


def test_bad_values_are_refused_before_anything_changes() -> None:
    tree = SparseMerkleTree.from_items(items_of(10))
    root = tree.root()
    with pytest.raises(ValueError, match="expected a 32-byte value_hash for key b'key/2'"):
        tree.update({b"key/1": None, b"key/2": b"short"})
    with pytest.raises(TypeError, match="expected a bytes key, found str"):
        tree.update({"text": None})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="32-byte value_hash"):
        SparseMerkleTree.from_items({b"a": b"x" * 33})
    with pytest.raises(ValueError, match="32-byte value_hash"):
        root_of({b"a": b""})
    assert tree.root() == root
    assert len(tree) == 10


def test_keys_said_absent_are_checked_by_the_update_and_a_present_one_changes_nothing() -> None:
    tree = SparseMerkleTree.from_items(items_of(10))
    root, nodes = tree.root(), dict(tree._nodes)
    with pytest.raises(PresentKeyError, match="found one at b'key/3'") as caught:
        tree.update({b"new/1": value(1), b"key/3": value(2), b"new/2": value(3)}, absent=[b"new/1", b"key/3"])
    assert caught.value.keys == [b"key/3"]
    assert (tree.root(), len(tree), tree._nodes) == (root, 10, nodes)  # undone: the very same nodes
    # with deletions and changes of present keys in the batch, and a key said absent deleted
    with pytest.raises(PresentKeyError) as caught:
        tree.update({b"key/0": None, b"key/1": value(7), b"key/5": None, b"new/3": value(4), b"key/8": value(9)},
                    absent=[b"key/5", b"new/3", b"key/8"])
    assert sorted(caught.value.keys) == [b"key/5", b"key/8"]
    assert (tree.root(), len(tree), tree._nodes) == (root, 10, nodes)
    with pytest.raises(ValueError, match="expected the keys said to be absent among the changes, found b'new/9'"):
        tree.update({b"new/1": value(1)}, absent=[b"new/9"])
    assert tree.root() == root
    # all of them absent: the update goes ahead as without the check
    expected = SparseMerkleTree.from_items({**items_of(10), b"new/1": value(1), b"new/2": value(3)}).root()
    assert tree.update({b"new/1": value(1), b"new/2": value(3)}, absent=[b"new/1", b"new/2"]) == expected
    assert len(tree) == 12


def test_values_said_held_are_checked_by_the_update_and_another_changes_nothing() -> None:
    tree = SparseMerkleTree.from_items(items_of(10))
    root, nodes = tree.root(), dict(tree._nodes)
    for said, wrong in (({b"key/3": value(4)}, b"key/3"),  # another value
                        ({b"key/3": value(3), b"new/1": value(1)}, b"new/1")):  # none
        with pytest.raises(HeldValueError, match=f"found another or none at {wrong!r}") as caught:
            tree.update({b"key/3": None, b"key/4": value(9), b"new/1": None}, held=said)
        assert caught.value.keys == [wrong]
        assert (tree.root(), len(tree), tree._nodes) == (root, 10, nodes)  # undone: the very same nodes
    with pytest.raises(ValueError, match="expected the keys said to be held among the changes, found b'key/5'"):
        tree.update({b"key/3": None}, held={b"key/5": value(5)})
    assert tree.root() == root
    # as said: the update goes ahead as without the check, with keys said absent beside them
    expected = SparseMerkleTree.from_items({**{k: v for k, v in items_of(10).items() if k != b"key/3"},
                                            b"new/1": value(1)}).root()
    assert tree.update({b"key/3": None, b"new/1": value(1)}, absent=[b"new/1"], held={b"key/3": value(3)}) == expected
    assert len(tree) == 10


def test_get_many_is_get_of_each() -> None:
    tree = SparseMerkleTree.from_items(items_of(50))
    keys = [b"key/3", b"absent", b"key/49", b"key/3"]
    assert tree.get_many(keys) == [tree.get(key) for key in keys] == [value(3), None, value(49), value(3)]
    assert tree.get_many([]) == []


def test_large_tree_proofs_stay_short() -> None:
    items = items_of(20_000)
    tree = SparseMerkleTree.from_items(items)
    assert tree.root() == root_of(items)
    proofs = [tree.prove(b"key/%d" % i) for i in range(0, 20_000, 97)]
    # log2(20000) ≈ 14.3: a proof carries about that many siblings, never anything like 256.
    assert max(len(p.siblings) for p in proofs) <= 30
    assert max(len(p.to_bytes()) for p in proofs) <= 1200


# --- Incremental tree against the reference --------------------------------------------------------------------

KEYS = st.sampled_from([b"k%d" % i for i in range(40)]) | st.binary(max_size=4)
VALUES = st.none() | st.binary(min_size=32, max_size=32)


@settings(max_examples=300, deadline=None)
@given(initial=st.dictionaries(KEYS, st.binary(min_size=32, max_size=32), max_size=30),
       batches=st.lists(st.dictionaries(KEYS, VALUES, max_size=12), max_size=6))
def test_incremental_updates_match_the_reference(initial: dict[bytes, bytes],
                                                 batches: list[dict[bytes, bytes | None]]) -> None:
    tree = SparseMerkleTree.from_items(initial)
    model = dict(initial)
    assert_canonical(tree, model)
    for batch in batches:
        root = tree.update(batch)
        for key, value_hash in batch.items():
            if value_hash is None:
                model.pop(key, None)
            else:
                model[key] = value_hash
        assert root == tree.root()
        assert_canonical(tree, model)
        for key in batch:
            assert tree.get(key) == model.get(key)


class _Heard(SparseMerkleTree):
    """A tree that keeps what ``_changed`` tells it, as a tree over a store does (``ledger.state_tree``)."""

    __slots__ = ("heard",)

    def __init__(self) -> None:
        super().__init__()
        self.heard: list[int] = []

    def _changed(self, touched: list[int]) -> None:
        self.heard.extend(touched)


@settings(max_examples=300, deadline=None)
@given(initial=st.dictionaries(KEYS, st.binary(min_size=32, max_size=32), max_size=30),
       batches=st.lists(st.dictionaries(KEYS, VALUES, max_size=12), max_size=6))
def test_an_update_names_every_position_it_changes(initial: dict[bytes, bytes],
                                                   batches: list[dict[bytes, bytes | None]]) -> None:
    """A tree over a store writes only the positions ``_changed`` names: each entry that an update adds, replaces
    or removes must be among them, and each named position lies on the walk of a changed key or beside it."""
    tree = _Heard()
    tree.update(dict(initial))
    for batch in batches:
        before, tree.heard = dict(tree._nodes), []
        tree.update(batch)
        after = tree._nodes
        differing = {i for i in before.keys() | after.keys() if before.get(i) != after.get(i)}
        assert differing <= set(tree.heard)
        paths = [int.from_bytes(sha(key), "big") for key in batch]
        on_walks = {(1 << depth) | (path >> (256 - depth)) for path in paths for depth in range(257)}
        assert all(i in on_walks or i ^ 1 in on_walks for i in tree.heard)


@settings(max_examples=150, deadline=None)
@given(items=st.dictionaries(KEYS, st.binary(min_size=32, max_size=32), max_size=25),
       probes=st.lists(st.binary(max_size=4), max_size=8))
def test_every_proof_of_present_and_absent_keys_verifies(items: dict[bytes, bytes], probes: list[bytes]) -> None:
    tree = SparseMerkleTree.from_items(items)
    root = tree.root()
    for key, value_hash in items.items():
        proof = tree.prove(key)
        verify_membership(root, key, value_hash, proof)
        with pytest.raises(ProofError):
            verify_non_membership(root, key, proof)
    for key in probes:
        if key in items:
            continue
        proof = tree.prove(key)
        verify_non_membership(root, key, proof)
        with pytest.raises(ProofError):
            verify_membership(root, key, value(0), proof)


# --- Tampered proofs ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tree() -> SparseMerkleTree:
    return SparseMerkleTree.from_items(items_of(500))


def absent_with_leaf(tree: SparseMerkleTree) -> tuple[bytes, SmtProof]:
    """An absent key whose walk ends at another key's leaf."""
    for i in range(1000):
        proof = tree.prove(b"absent/%d" % i)
        if proof.leaf is not None:
            return b"absent/%d" % i, proof
    raise AssertionError("no absent key ends at a leaf")


def absent_with_empty_slot(tree: SparseMerkleTree) -> tuple[bytes, SmtProof]:
    for i in range(1000):
        proof = tree.prove(b"absent/%d" % i)
        if proof.leaf is None:
            return b"absent/%d" % i, proof
    raise AssertionError("no absent key ends at an empty slot")


def flip(data: bytes, index: int = 0) -> bytes:
    return data[:index] + bytes([data[index] ^ 1]) + data[index + 1:]


def test_flipped_sibling_fails(tree: SparseMerkleTree) -> None:
    proof = tree.prove(b"key/1")
    for index in range(len(proof.siblings)):
        siblings = list(proof.siblings)
        siblings[index] = flip(siblings[index], 31)
        with pytest.raises(ProofError, match=f"state proof leads to root [0-9a-f]{{64}}, expected {tree.root().hex()}"):
            verify_membership(tree.root(), b"key/1", value(1), dataclasses.replace(proof, siblings=tuple(siblings)))


def test_wrong_value_fails(tree: SparseMerkleTree) -> None:
    with pytest.raises(ProofError, match=f"proof leaf holds value_hash {value(1).hex()}, expected {value(2).hex()}"):
        verify_membership(tree.root(), b"key/1", value(2), tree.prove(b"key/1"))
    # Changing the leaf inside the proof too only moves the failure to the root.
    forged = dataclasses.replace(tree.prove(b"key/1"), leaf=SmtLeaf(sha(b"key/1"), value(2)))
    with pytest.raises(ProofError, match="state proof leads to root"):
        verify_membership(tree.root(), b"key/1", value(2), forged)


def test_membership_proof_used_as_non_membership_fails(tree: SparseMerkleTree) -> None:
    with pytest.raises(ProofError, match=f"proof ends at the leaf of the key itself \\(value_hash {value(1).hex()}\\)"
                                         ": expected the key absent"):
        verify_non_membership(tree.root(), b"key/1", tree.prove(b"key/1"))


def test_non_membership_proof_used_as_membership_fails(tree: SparseMerkleTree) -> None:
    key, proof = absent_with_empty_slot(tree)
    with pytest.raises(ProofError, match=f"membership proof ends at an empty slot at depth {proof.depth}"):
        verify_membership(tree.root(), key, value(1), proof)
    key, proof = absent_with_leaf(tree)
    with pytest.raises(ProofError, match=f"membership proof ends at the leaf of path {proof.leaf.path.hex()}, "  # type: ignore[union-attr]
                                         f"expected path {sha(key).hex()}"):
        verify_membership(tree.root(), key, value(1), proof)


def test_truncated_or_padded_bitmap_is_malformed(tree: SparseMerkleTree) -> None:
    proof = tree.prove(b"key/1")
    with pytest.raises(ProofError, match="proof bitmap has wrong size: expected 32 bytes, found 31 bytes"):
        dataclasses.replace(proof, bitmap=proof.bitmap[:-1])
    with pytest.raises(ProofError, match="proof bitmap has wrong size: expected 32 bytes, found 31 bytes"):
        SmtProof.from_bytes(encode(proof, bitmap=proof.bitmap[:-1]))
    with pytest.raises(ProofError, match="proof bitmap has wrong size: expected 32 bytes, found 33 bytes"):
        SmtProof.from_bytes(encode(proof, bitmap=proof.bitmap + b"\x00"))


def test_bitmap_and_siblings_must_agree(tree: SparseMerkleTree) -> None:
    proof = tree.prove(b"key/1")
    n = len(proof.siblings)
    with pytest.raises(ProofError, match=f"proof has wrong number of siblings: its bitmap marks {n}, found {n - 1}"):
        dataclasses.replace(proof, siblings=proof.siblings[:-1])
    with pytest.raises(ProofError, match="proof sibling 0 has wrong size: expected 32 bytes, found 31 bytes"):
        dataclasses.replace(proof, siblings=(proof.siblings[0][:31], *proof.siblings[1:]))
    with pytest.raises(ProofError, match="proof sibling 1 is the empty hash"):
        dataclasses.replace(proof, siblings=(proof.siblings[0], ZERO, *proof.siblings[2:]))
    with pytest.raises(ProofError, match="proof leaf value_hash has wrong size: expected 32 bytes, found 0 bytes"):
        dataclasses.replace(proof, leaf=SmtLeaf(sha(b"key/1"), b""))
    # Moving the deepest sibling one level down is well formed but leads elsewhere.
    bits = int.from_bytes(proof.bitmap, "big")
    lowest = bits & -bits
    moved = dataclasses.replace(proof, bitmap=(bits ^ lowest ^ (lowest >> 1)).to_bytes(32, "big"))
    with pytest.raises(ProofError, match="state proof leads to root"):
        verify_membership(tree.root(), b"key/1", value(1), moved)


def test_proof_for_another_key_fails(tree: SparseMerkleTree) -> None:
    with pytest.raises(ProofError, match=f"membership proof ends at the leaf of path {sha(b'key/2').hex()}, "
                                         f"expected path {sha(b'key/1').hex()}"):
        verify_membership(tree.root(), b"key/1", value(2), tree.prove(b"key/2"))
    # A non-membership proof of one absent key does not speak for a key on the other side of the root.
    key, proof = absent_with_leaf(tree)
    other = next(b"other/%d" % i for i in range(100) if bit(b"other/%d" % i, 0) != bit(key, 0))
    with pytest.raises(ProofError, match=r"off the key's path: expected its first [0-9]+ bits to equal those of"):
        verify_non_membership(tree.root(), other, proof)
    key, proof = absent_with_empty_slot(tree)
    other = next(b"other/%d" % i for i in range(100) if bit(b"other/%d" % i, 0) != bit(key, 0))
    with pytest.raises(ProofError, match="state proof leads to root"):
        verify_non_membership(tree.root(), other, proof)


def test_leaf_off_the_path_is_refused_for_non_membership(tree: SparseMerkleTree) -> None:
    key, proof = absent_with_leaf(tree)
    far = next(k for k in items_of(500) if bit(k, 0) != bit(key, 0))
    forged = dataclasses.replace(proof, leaf=SmtLeaf(sha(far), value(int(far.split(b"/")[1]))))
    with pytest.raises(ProofError, match=f"proof ends at the leaf of path {sha(far).hex()}, which is off the key's "
                                         f"path: expected its first {proof.depth} bits to equal those of "
                                         f"{sha(key).hex()}"):
        verify_non_membership(tree.root(), key, forged)


def test_wrong_root_and_sizes(tree: SparseMerkleTree) -> None:
    proof = tree.prove(b"key/1")
    with pytest.raises(ProofError, match=f"state proof leads to root {tree.root().hex()}, expected {ZERO.hex()}"):
        verify_membership(ZERO, b"key/1", value(1), proof)
    with pytest.raises(ProofError, match="expected a 32-byte root, found 31 bytes"):
        verify_membership(tree.root()[:31], b"key/1", value(1), proof)
    with pytest.raises(ProofError, match="expected a 32-byte value_hash, found 33 bytes"):
        verify_membership(tree.root(), b"key/1", value(1) + b"\x00", proof)
    key, absent = absent_with_empty_slot(tree)
    with pytest.raises(ProofError, match="expected a 32-byte root, found str"):
        verify_non_membership(tree.root().hex(), key, absent)  # type: ignore[arg-type]


def test_empty_and_single_leaf_trees_prove_both_ways() -> None:
    empty = SparseMerkleTree()
    proof = empty.prove(b"x")
    assert proof == SmtProof(ZERO, (), None)
    verify_non_membership(ZERO, b"x", proof)
    one = SparseMerkleTree.from_items({b"a": value(1)})
    verify_membership(one.root(), b"a", value(1), one.prove(b"a"))
    verify_non_membership(one.root(), b"b", one.prove(b"b"))
    assert one.prove(b"b") == SmtProof(ZERO, (), SmtLeaf(sha(b"a"), value(1)))


# --- Encodings ---------------------------------------------------------------------------------------------------

def test_proof_round_trips_through_cbor_and_json(tree: SparseMerkleTree) -> None:
    for key in (b"key/1", *(b"absent/%d" % i for i in range(20))):
        proof = tree.prove(key)
        data = proof.to_bytes()
        assert SmtProof.from_bytes(data) == proof
        assert SmtProof.from_bytes(data).to_bytes() == data
        assert SmtProof.from_json(json.loads(json.dumps(proof.to_json()))) == proof
    assert tree.prove(b"key/1").to_json()["leaf"] == {"path": sha(b"key/1").hex(), "value_hash": value(1).hex()}


def test_largest_possible_proof_is_max_proof_bytes() -> None:
    largest = SmtProof(b"\xff" * 32, tuple(sha(b"%d" % i) for i in range(256)), SmtLeaf(ZERO, ZERO))
    assert len(largest.to_bytes()) == MAX_PROOF_BYTES
    assert SmtProof.from_bytes(largest.to_bytes()) == largest
    with pytest.raises(EncodingError, match=f"expected a proof of at most {MAX_PROOF_BYTES} bytes"):
        SmtProof.from_bytes(largest.to_bytes() + b"\x00")


def test_malformed_encodings_name_the_problem(tree: SparseMerkleTree) -> None:
    proof = tree.prove(b"key/1")
    with pytest.raises(EncodingError, match="expected a proof map, found list"):
        SmtProof.from_bytes(b"\x80")
    with pytest.raises(EncodingError, match=r"expected proof fields \['bitmap', 'leaf', 'siblings'\]"):
        SmtProof.from_bytes(encode(proof, extra=1))
    with pytest.raises(EncodingError, match="expected proof bitmap as bytes, found str"):
        SmtProof.from_bytes(encode(proof, bitmap="00"))
    with pytest.raises(EncodingError, match="expected proof siblings as a list of bytes"):
        SmtProof.from_bytes(encode(proof, siblings=[1]))
    with pytest.raises(EncodingError, match="expected proof leaf path and value_hash as bytes"):
        SmtProof.from_bytes(encode(proof, leaf={"path": "x", "value_hash": ZERO}))
    with pytest.raises(EncodingError, match="expected deterministic CBOR"):
        SmtProof.from_bytes(b"\xbf" + proof.to_bytes()[1:] + b"\xff")  # indefinite-length map
    with pytest.raises(EncodingError, match="expected hex strings in a proof object"):
        SmtProof.from_json({**proof.to_json(), "bitmap": "zz"})
    with pytest.raises(EncodingError, match="expected a proof object map, found list"):
        SmtProof.from_json([])
    with pytest.raises(ProofError, match="proof bitmap has wrong size"):
        SmtProof.from_json({**proof.to_json(), "bitmap": "00"})


@settings(max_examples=1000, deadline=None)
@given(data=st.binary(max_size=200))
def test_from_bytes_on_arbitrary_bytes_raises_only_ledger_lite_errors(data: bytes) -> None:
    with contextlib.suppress(Error):
        SmtProof.from_bytes(data)


_VALID = SparseMerkleTree.from_items(items_of(50)).prove(b"absent/1").to_bytes()


@settings(max_examples=1000, deadline=None)
@given(cut=st.integers(0, len(_VALID)), index=st.integers(0, len(_VALID) - 1), byte=st.integers(0, 255),
       junk=st.binary(max_size=40))
def test_from_bytes_on_mutated_proofs_raises_only_ledger_lite_errors(cut: int, index: int, byte: int,
                                                                     junk: bytes) -> None:
    mutated = (_VALID[:index] + bytes([byte]) + _VALID[index + 1:])[:cut] + junk
    try:
        proof = SmtProof.from_bytes(mutated)
    except Error:
        return
    assert proof.to_bytes() == mutated


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=70),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                        st.sampled_from(["bitmap", "leaf", "siblings", "path", "value_hash", "x"]), inner,
                        max_size=4), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(value=JSON)
def test_from_json_on_arbitrary_json_raises_only_ledger_lite_errors(value: Any) -> None:
    with contextlib.suppress(Error):
        SmtProof.from_json(value)


def test_root_of_sorted_paths_is_the_reference_root() -> None:
    """``root_of_sorted`` (the full recomputation of a node's audit) keeps no node and gives ``root_of``."""
    from ledger_lite.smt_tree import root_of_sorted

    for count in (0, 1, 2, 3, 257):
        items = items_of(count)
        leaves = sorted((sha(key), value_hash) for key, value_hash in items.items())
        told: list[int] = []
        assert root_of_sorted([p for p, _ in leaves], [v for _, v in leaves], told.append) == root_of(items)
        assert told == sorted(told) and all(0 <= n < max(count, 1) for n in told)
    path = sha(b"key/1")
    with pytest.raises(ValueError, match=f"expected distinct paths, found {path.hex()} twice"):
        root_of_sorted([path, path], [value(1), value(2)])
    with pytest.raises(ValueError, match="expected as many value hashes as paths, found 1 for 2"):
        root_of_sorted([path, sha(b"key/2")], [value(1)])
