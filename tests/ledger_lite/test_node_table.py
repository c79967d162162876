"""``_smt_native.NodeTable``, the map from heap index to entry that ``ledger.state_tree`` caches its nodes in: the
same answers as a dict through random writes, deletions, growth and shrinking (heap indexes past a machine word
included), and clear errors for keys and entries a tree never holds. ``test_smt_native.py`` and
``tests/ledger/test_state_tree.py`` run the walks on it."""

from __future__ import annotations

import hashlib
import random

import pytest

from ledger_lite import smt_tree
from ledger_lite.smt import hash_leaf

if smt_tree.NATIVE:
    from ledger_lite._smt_native import NodeTable

pytestmark = pytest.mark.skipif(not smt_tree.NATIVE, reason="ledger_lite._smt_native is not built")


def entry(i: int) -> bytes:
    """An internal node's hash (32 bytes), or every third a leaf's entry (96: path, value hash, its hash)."""
    digest = hashlib.sha256(b"entry %d" % i).digest()
    if i % 3:
        return digest
    value_hash = hashlib.sha256(digest).digest()
    return digest + value_hash + hash_leaf(digest, value_hash)


@pytest.mark.parametrize("seed", range(6))
def test_the_table_answers_as_a_dict_through_writes_deletions_growth_and_shrinking(seed: int) -> None:
    rng = random.Random(seed)
    table, model = NodeTable(), {}
    keys = [rng.randrange(1, 1 << rng.choice((4, 20, 40, 62, 63, 64, 90))) for _ in range(3000)]
    for step in range(20_000):
        key = rng.choice(keys)
        if step < 12_000 or rng.random() < 0.3:
            table[key] = model[key] = entry(step)
        elif key in model:
            del table[key], model[key]
        else:
            with pytest.raises(KeyError):
                del table[key]
        assert len(table) == len(model)
    assert sorted(table) == sorted(model) == sorted(table.keys())
    assert dict(table.items()) == model
    for key in keys:
        assert table.get(key) == model.get(key)
        assert (key in table) == (key in model)
    for key in list(model):  # empty it: the table shrinks as it goes and still finds what is left
        del table[key], model[key]
        if len(model) % 500 == 0:
            assert all(table[k] == v for k, v in model.items())
    assert len(table) == 0 and table.keys() == []


def test_the_table_takes_a_dict_or_pairs_and_refuses_what_a_tree_never_holds() -> None:
    table = NodeTable()
    table.update({1: entry(1), 1 << 70: entry(2)})
    table.update([(2, entry(3))])
    assert table[1 << 70] == entry(2) and table.get(5, b"none") == b"none" and len(table) == 3
    with pytest.raises(KeyError):
        table[7]
    with pytest.raises(TypeError, match="expected an int heap index, found str"):
        table["1"] = entry(1)  # type: ignore[index]
    with pytest.raises(TypeError, match="expected a state tree entry of 32 or 96 bytes at 3"):
        table[3] = b"short"
    with pytest.raises(TypeError, match="expected a state tree entry of 32 or 96 bytes at 1180591620717411303424"):
        table[1 << 70] = b"short"  # beyond a machine word too
    with pytest.raises(TypeError, match=r"expected \(index, entry\) pairs"):
        table.update([(4,)])  # type: ignore[list-item]
    assert len(table) == 3  # nothing refused was kept


def test_a_leaf_is_held_without_its_hash_and_read_with_it_made_again() -> None:
    """A leaf's record is its path and value hash (64 bytes): the hash it was given is not kept, its own is made when
    the entry is read (the table holds only what the tree's walks write, where the two are always the same)."""
    table = NodeTable()
    path, value_hash = hashlib.sha256(b"path").digest(), hashlib.sha256(b"value").digest()
    table[9] = path + value_hash + bytes(32)
    assert table[9] == path + value_hash + hash_leaf(path, value_hash)
    assert dict(table.items()) == {9: path + value_hash + hash_leaf(path, value_hash)}


def test_an_entry_read_is_a_copy_that_later_writes_and_reused_records_leave_as_it_was() -> None:
    # Entries live in records of the table's own, which a removal hands out again to the next write: what was read
    # before is bytes of its own and stays as it was read.
    assert (len(entry(1)), len(entry(3))) == (32, 96)  # an internal node's hash, a leaf's record
    table = NodeTable()
    table[5], table[6] = entry(1), entry(3)
    node, leaf = table[5], table[6]
    del table[5], table[6]
    table[7], table[8] = entry(4), entry(6)  # take the records just given back
    table[9] = table[8]  # a record's bytes into another of the same shape
    table[7] = entry(9)  # a key changes shape: a leaf's record now, its old one given back
    table[10] = entry(2)  # ... and taken again
    assert (node, leaf) == (entry(1), entry(3))
    assert (table[7], table[8], table[9], table[10]) == (entry(9), entry(6), entry(6), entry(2))
