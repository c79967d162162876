"""The state tree's rows in groups of four levels (``ledger.tree_groups``): where a node goes, what a write stores, what
a read gives back, the compiled forms against the Python reference, and rows that are not what the node writes."""

from __future__ import annotations

import hashlib
import random
import sys
from typing import Any

import pytest

from ledger import tree_groups
from ledger.state_tree import StoredTree
from ledger.tree_groups import (
    KEYED_DEPTH,
    LEAF_FLAG,
    GroupChanges,
    GroupError,
    PackedRows,
    cached_rows,
    decode,
    dirty_group_keys,
    encode,
    group_changes,
    group_key,
    group_keys,
    group_nodes,
    group_of,
    stored_rows,
    tree_key,
)
from ledger_lite import smt_tree
from tests.helpers.packed_rows import packed

if smt_tree.NATIVE:
    from ledger_lite import _smt_native

MASKS = "masks naming slots 1 to 15, the leaves among the nodes held"


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@pytest.fixture(params=[True, False], ids=["compiled", "python"])
def codec(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    if request.param and not tree_groups.CODEC:
        pytest.skip("the compiled _state_codec is not built")
    monkeypatch.setattr(tree_groups, "CODEC", request.param)
    return bool(request.param)


def random_positions(rng: random.Random, count: int) -> list[int]:
    """Distinct heap indexes at every depth, from the root to past 64 bits, most of them in keyed groups."""
    positions: set[int] = set()
    while len(positions) < count:
        depth = rng.choice((0, 1, 2, 3, 4, 17, 20, 40, 55, 56, 57, 59, 60, 62, 63, 64, 70, 255))
        positions.add((1 << depth) | rng.getrandbits(depth))
    return list(positions)


def stored(rows: list[tuple[int, bytes]], deleted: list[int], old: dict[Any, bytes], chunk: int = 7
           ) -> dict[Any, bytes]:
    """The rows of the groups after a write over ``old``, made ``chunk`` groups at a time as the store makes them."""
    changes = group_changes(rows, deleted)
    after = dict(old)
    for part in (changes, GroupChanges(changes.deep_rows, changes.deep_deleted, None)):
        keys = part.keys
        for at in range(0, len(keys), chunk):
            before = {key: old[key] for key in keys[at:at + chunk] if key in old}
            kept, gone = stored_rows(part, before, at, at + chunk)
            assert [key for key, _ in kept] == sorted(key for key, _ in kept)
            after.update(kept)
            for (key,) in gone:
                del after[key]
    return after


def test_a_node_goes_to_the_group_of_the_four_levels_it_is_in() -> None:
    assert [group_of(index) for index in (1, 2, 3, 8, 15)] == [(1, 1), (1, 2), (1, 3), (1, 8), (1, 15)]
    assert [group_of(index) for index in (16, 32, 33, 255, 256)] == [(16, 1), (16, 2), (16, 3), (31, 15), (256, 1)]
    assert group_key(5) == tree_key(1) == 0
    assert group_key(17) == tree_key(17) == (1 << 58) | 4  # prefix 0001, depth 4
    assert isinstance(group_key(1 << (KEYED_DEPTH + 3)), int)  # a group whose root is 56 deep
    assert group_key(1 << (KEYED_DEPTH + 4)) == (1 << 60).to_bytes(8, "big")


def test_the_keys_of_many_positions_are_their_groups_keys_once_each_in_order(codec: bool) -> None:
    rng = random.Random(11)
    positions = random_positions(rng, 3_000)
    positions += positions[:500] + [16 * p for p in positions[:200] if p < 1 << 40]  # repeats, and shared groups
    rng.shuffle(positions)
    keys = {group_key(index) for index in positions}
    keyed, deep = group_keys(positions)
    assert keyed == sorted(key for key in keys if isinstance(key, int))
    assert deep == {key for key in keys if isinstance(key, bytes)} and deep
    assert group_keys([]) == ([], set())


@pytest.mark.parametrize("index, error", [(0, ValueError), (-3, ValueError), (True, TypeError), (2.0, TypeError),
                                          ("5", TypeError)])
def test_what_is_not_a_position_has_no_group_key(codec: bool, index: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        group_keys([5, index, 9])


def test_a_write_stores_its_nodes_and_keeps_the_rest_of_each_group(codec: bool) -> None:
    rng = random.Random(13)
    positions = random_positions(rng, 3000)
    nodes = {index: rng.randbytes(rng.choice((32, 64))) for index in positions}
    rows = stored(list(nodes.items()), [], {})
    assert group_nodes(rows.items()) == nodes
    assert sorted(key for key in rows if isinstance(key, int)) == group_changes(list(nodes.items()), []).keys
    changed = {index: sha(index.to_bytes(40, "big")) for index in positions[::5]}
    emptied = positions[1::5]
    rows = stored(list(changed.items()), emptied, rows)
    expected = {**nodes, **changed}
    for index in emptied:
        del expected[index]
    assert group_nodes(rows.items()) == expected
    rows = stored([], list(expected), rows)  # everything emptied: no row left
    assert rows == {}


def made(rows: list[tuple[int, bytes]], deleted: list[int], old: dict[Any, bytes], cut: int) -> tuple[Any, ...]:
    """Everything ``group_changes`` gives for a write, in two ranges, and what ``group_nodes`` reads of ``old``."""
    changes = group_changes(rows, deleted)
    assert isinstance(changes, GroupChanges) != tree_groups.CODEC
    return (changes.keys, changes.deep_rows, changes.deep_deleted, stored_rows(changes, old, 0, cut),
            stored_rows(changes, old, cut, len(changes.keys) + 5), group_nodes(old.items()))


def test_compiled_and_python_give_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    if not tree_groups.CODEC:
        pytest.skip("the compiled _state_codec is not built")
    rng = random.Random(16)
    for count in (0, 1, 2, 50, 3000):
        positions = random_positions(rng, 3 * count)
        before = {index: rng.randbytes(rng.choice((32, 64))) for index in positions[:2 * count]}
        with monkeypatch.context() as patched:
            patched.setattr(tree_groups, "CODEC", False)
            old = stored(list(before.items()), [], {})
        rows = [(index, rng.randbytes(rng.choice((32, 64)))) for index in positions[count:]]
        deleted = positions[:count]
        cut = rng.randrange(count + 1)
        compiled = made(rows, deleted, old, cut)
        with monkeypatch.context() as patched:
            patched.setattr(tree_groups, "CODEC", False)
            reference = made(rows, deleted, old, cut)
        assert compiled == reference


def test_packed_rows_make_the_same_write_as_the_rows_themselves(codec: bool) -> None:
    """A write given as ``PackedRows`` (positions below 2^63, down to the deep groups from 57 levels on) stores what
    the same rows given as tuples store, after the tuples of deeper positions and before the emptied ones."""
    rng = random.Random(21)
    positions = random_positions(rng, 2000)
    old = stored([(index, rng.randbytes(32)) for index in positions[::2]], [], {})
    words = [index for index in positions if index < 1 << 63]
    rows = [(index, rng.randbytes(rng.choice((32, 64)))) for index in positions if index >= 1 << 63]
    changed = [(index, rng.randbytes(rng.choice((32, 64)))) for index in words[::3]]
    deleted = words[1::3]
    write = packed(changed)
    assert list(write) == changed and len(write) == len(changed)
    by_rows, by_packed = group_changes(rows + changed, deleted), group_changes(rows, deleted, write)
    assert by_packed.keys == by_rows.keys and by_packed.deep_deleted == by_rows.deep_deleted
    assert sorted(by_packed.deep_rows) == sorted(by_rows.deep_rows) and by_rows.deep_rows
    assert stored_rows(by_packed, old, 0, 10 ** 6) == stored_rows(by_rows, old, 0, 10 ** 6)
    assert stored_rows(group_changes([], [2], packed([(2, sha(b"a"))])), {}, 0, 1) == ([], [(0,)])


@pytest.mark.parametrize("indexes, nodes, found", [
    (bytes(7), b"", "packed positions of 8 bytes each"),
    (bytes(8), bytes(32), "packed positions of at least 1"),
    ((2).to_bytes(8, sys.byteorder), bytes(31), "packed nodes"),
    ((2).to_bytes(8, sys.byteorder), bytes(33), "packed nodes"),
    ((2 | LEAF_FLAG).to_bytes(8, sys.byteorder), bytes(32), "packed nodes"),
])
def test_packed_rows_that_do_not_fit_are_refused(indexes: bytes, nodes: bytes, found: str) -> None:
    if not tree_groups.CODEC:
        pytest.skip("the compiled _state_codec is not built")
    with pytest.raises(ValueError, match=f"expected (the )?{found}"):
        group_changes([], [], PackedRows(indexes, nodes))


def test_the_later_change_of_a_position_wins(codec: bool) -> None:
    """A position both stored and emptied in one write (the tree never gives one) ends emptied, in both forms."""
    assert stored_rows(group_changes([(2, sha(b"a")), (3, sha(b"b"))], [2]), {}, 0, 1) == (
        [(0, encode({3: sha(b"b")}))], [])
    assert stored_rows(group_changes([(2, sha(b"a"))], [2]), {}, 0, 1) == ([], [(0,)])


@pytest.mark.parametrize("row, found", [
    (b"\x00", "at least 4 bytes, found 1"),
    (b"\x00\x01\x00\x00" + bytes(32), f"{MASKS}, found held 0x0001"),
    (b"\x00\x02\x00\x04" + bytes(32), f"{MASKS}, found held 0x0002, leaves 0x0004"),
    (b"\x00\x06\x00\x04" + bytes(64), "100 bytes for the nodes its masks name, found 68"),
    (b"\x00\x02\x00\x00" + bytes(33), "36 bytes for the nodes its masks name, found 37"),
])
def test_a_row_that_is_not_what_the_node_writes_is_refused(codec: bool, row: bytes, found: str) -> None:
    message = rf"expected the state tree's row 0 to hold {found}.*; the store was changed outside the node"
    with pytest.raises(GroupError, match=message):
        group_nodes([(0, row)])
    with pytest.raises(GroupError, match=message):
        stored_rows(group_changes([(2, sha(b"x"))], []), {0: row}, 0, 1)


@pytest.mark.parametrize("rows, deleted, error", [
    ([(0, b"x" * 32)], [], ValueError), ([], [-3], ValueError), ([], [-(1 << 80)], ValueError),
    ([("2", b"x" * 32)], [], TypeError), ([], [2.0], TypeError), ([(2, b"x" * 33)], [], ValueError),
])
def test_what_is_not_a_position_or_a_node_is_refused(codec: bool, rows: Any, deleted: Any,
                                                     error: type[Exception]) -> None:
    with pytest.raises(error):
        group_changes(rows, deleted)


def test_decode_gives_back_what_encode_stored() -> None:
    nodes = {1: sha(b"root"), 2: sha(b"l") + sha(b"v"), 15: sha(b"deep")}
    assert decode(0, encode(nodes)) == nodes
    assert encode({}) == bytes(4)


def test_the_groups_of_a_cache_held_whole_are_made_as_the_python_reference_makes_them() -> None:
    """``_smt_native.dirty_groups`` and ``group_rows`` against ``dirty_group_keys`` and ``cached_rows``: the keys of
    the touched groups (the deep ones' positions apart), and each group's row from a tree's cache, with the groups
    left empty by deletions named apart."""
    if not smt_tree.NATIVE:
        pytest.skip("ledger_lite._smt_native is not built")
    rng = random.Random(7)
    dirty = _smt_native.IndexSet()
    positions = random_positions(rng, 3000)
    dirty.update(positions)
    keys, others = _smt_native.dirty_groups(dirty, KEYED_DEPTH)
    expected_keys, expected_others = dirty_group_keys(positions)
    assert list(memoryview(keys).cast("Q")) == expected_keys
    assert sorted(others) == sorted(expected_others)
    assert {index for index in positions if group_of(index)[0].bit_length() - 1 > KEYED_DEPTH} == set(others)

    tree = StoredTree(lambda indexes: {}, None, 0)  # a new tree: cached whole, in a NodeTable
    tree.update({b"k%d" % i: sha(b"%d" % i) for i in range(5000)})
    tree.update(dict.fromkeys(b"k%d" % i for i in range(0, 5000, 3)))
    table = tree._nodes
    touched = sorted({group_key(index) for index in [*table.keys(), 1 << 40, 3 << 38]})  # two groups holding nothing
    packed_keys = b"".join(key.to_bytes(8, sys.byteorder) for key in touched)
    rows, gone = _smt_native.group_rows(table, packed_keys, 0, len(touched))
    assert (rows, gone) == cached_rows(dict(table.items()), touched)
    assert len(gone) == 2
    assert group_nodes(rows) == {index: entry[:64] for index, entry in table.items()}
    assert _smt_native.group_rows(table, packed_keys, 5, 9) == cached_rows(dict(table.items()), touched[5:9])
