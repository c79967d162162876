"""Warming (``ledger.state_tree``, "Warming"): a stored tree that fits its cache is loaded whole a slice at a time,
blocks changing it in between; then walks read nothing from disk. A tree that outgrows its cache is left to its walks,
and a hand-edited row stops the warming and is still refused by the walk that reads it."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger import state_tree
from ledger.errors import StoreError
from ledger.node import Node
from ledger.state_tree import NODES_PER_LEAF, StoredTree, _cold_below, _loaded_below
from ledger_lite import smt_tree
from ledger_lite.smt import HASH_SIZE
from ledger_lite.smt_tree import SparseMerkleTree
from tests.helpers.ledger_world import WAIT_S, LedgerWorld, ManualClock, recompute_state_root, slot
from tests.helpers.waiting import wait_for
from tests.ledger.test_state_tree import EDITED, TreeFile, assert_same, deep_tree, leaf_position, sha, update_both

if smt_tree.NATIVE:
    from ledger_lite import _smt_native


@pytest.fixture
def tree_file(tmp_path: Path) -> Iterator[TreeFile]:
    tree_file = TreeFile(tmp_path / "tree.sqlite")
    yield tree_file
    tree_file.db.close()


def stored(tree_file: TreeFile, items: dict[bytes, bytes], capacity: int) -> StoredTree:
    """A stored tree of ``items``, opened again: only its root cached."""
    tree = tree_file.open(capacity)
    tree.update(items)
    tree_file.flush(tree)
    return tree_file.open(capacity)


def counting_reads(tree: StoredTree) -> list[int]:
    reads: list[int] = []
    inner = tree._read_nodes
    tree._read_nodes = lambda indexes: reads.append(len(indexes)) or inner(indexes)
    return reads


def cold_nodes(tree: StoredTree) -> list[int]:
    """The cached internal nodes whose children are both left on disk."""
    nodes = tree._nodes
    return [index for index in list(nodes) if len(nodes[index]) == HASH_SIZE
            and 2 * index not in nodes and 2 * index + 1 not in nodes]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_a_stored_tree_that_fits_is_loaded_whole_and_walks_then_read_nothing(
        tree_file: TreeFile, native: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not native:
        monkeypatch.setattr(smt_tree, "NATIVE", False)
        monkeypatch.setattr(state_tree, "NATIVE", False)
    monkeypatch.setattr(state_tree, "WARM_CHUNK", 16)  # many steps, each a slice of its own below
    items = {b"asset/%d" % i: sha(b"%d" % i) for i in range(2_000)}
    tree = stored(tree_file, items, 1 << 14)
    reads = counting_reads(tree)
    assert tree.warming and not tree.whole and tree.cached == 1
    steps = 0
    while tree.warm(0.0):  # a step a call
        steps += 1
    assert steps > 10 and not tree.warming and tree.whole
    on_disk = tree_file.rows()
    assert tree.cached == len(on_disk) and not cold_nodes(tree)
    assert {index: entry if len(entry) == HASH_SIZE else entry[:64] for index, entry in tree._nodes.items()} == on_disk
    assert max(reads) <= 2 * 16 * 16  # the children of the cold nodes below one step's positions at a time
    reads.clear()
    memory = SparseMerkleTree.from_items(items)
    model = dict(items)
    update_both(tree, memory, model, {b"asset/7": None, b"asset/new": sha(b"new"), b"asset/9": sha(b"changed")})
    assert_same(tree, memory, [b"asset/7", b"asset/new", b"asset/9", b"asset/1"])
    assert reads == []
    assert not tree.warm(1.0)  # nothing left: returns at once


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_blocks_between_the_slices_leave_the_tree_whole_and_right(tree_file: TreeFile, native: bool, seed: int,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Inserts, changes and deletions (leaves moving up and down) between every step of the warming: every node ends
    up cached, the roots and proofs are the tree's in memory, and the store written after gives the same tree."""
    if not native:
        monkeypatch.setattr(smt_tree, "NATIVE", False)
        monkeypatch.setattr(state_tree, "NATIVE", False)
    monkeypatch.setattr(state_tree, "WARM_CHUNK", 4)
    rng = random.Random(seed)
    items = {b"asset/%d" % i: sha(b"%d" % i) for i in range(600)}
    tree = stored(tree_file, items, 1 << 13)
    memory = SparseMerkleTree.from_items(items)
    model = dict(items)
    fresh = 0
    while tree.warming:
        tree.warm(0.0)
        changes: dict[bytes, bytes | None] = {}
        for key in rng.sample(sorted(model), 3):
            changes[key] = None if rng.random() < 0.5 else sha(b"v" + key + bytes([rng.randrange(256)]))
        for _ in range(3):
            fresh += 1
            changes[b"fresh/%d" % fresh] = sha(b"f%d" % fresh)
        update_both(tree, memory, model, changes)
    assert tree.whole and not cold_nodes(tree) and fresh > 30
    assert_same(tree, memory, [*rng.sample(sorted(model), 20), b"asset/gone?"])
    tree_file.flush(tree)
    assert_same(tree_file.open(1 << 13), memory, rng.sample(sorted(model), 20))


def test_a_tree_larger_than_its_cache_is_left_to_its_walks(tree_file: TreeFile) -> None:
    items = {b"asset/%d" % i: sha(b"%d" % i) for i in range(500)}
    capacity = int(500 * NODES_PER_LEAF) - 100
    tree = stored(tree_file, items, capacity)
    assert not tree.warming and not tree.warm(1.0) and not tree.whole


def test_a_tree_that_outgrows_its_cache_while_it_warms_is_left_to_its_walks(tree_file: TreeFile,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state_tree, "WARM_CHUNK", 8)
    items = {b"asset/%d" % i: sha(b"%d" % i) for i in range(300)}
    tree = stored(tree_file, items, 1_000)  # the 300 leaves' ~730 nodes fit
    assert tree.warming and tree.warm(0.0)
    memory = SparseMerkleTree.from_items(items)
    model = dict(items)
    update_both(tree, memory, model, {b"more/%d" % i: sha(b"m%d" % i) for i in range(400)})
    tree_file.flush(tree)  # the write evicts down to the capacity: the order is kept from then on
    assert not tree.warm(1.0) and not tree.warming and not tree.whole and tree.cached <= 1_000
    reads = counting_reads(tree)
    update_both(tree, memory, model, {b"asset/%d" % i: None for i in range(0, 300, 7)})
    assert reads  # walks load what they reach, as before
    assert_same(tree, memory, [b"asset/1", b"more/5"])


def test_an_edited_row_stops_the_warming_and_the_walk_that_reads_it_refuses_it(tree_file: TreeFile) -> None:
    items = {b"key/%d" % i: sha(b"%d" % i) for i in range(200)}
    tree = stored(tree_file, items, 1 << 10)
    target = b"key/7"
    memory = SparseMerkleTree.from_items(items)
    tree_file.set_node(leaf_position(memory, target), sha(target) + sha(b"forged"))
    reopened = tree_file.open(1 << 10)
    with pytest.raises(StoreError, match=EDITED.format(r"\d+")):
        while reopened.warm(1.0):
            pass
    assert not reopened.warming and not reopened.whole
    with pytest.raises(StoreError, match=EDITED.format(r"\d+")):
        reopened.prove(target)
    assert reopened.root() == tree.root()


def test_a_restarted_node_loads_its_tree_while_idle_and_under_load(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """``ledger.producer``: the idle time of a node opened on its store goes to loading its tree whole; so does a
    share of each block's time while transactions wait. Its blocks' roots are the state's all along."""
    w = ledger_world
    data_dir = tmp_path / "node"
    node = w.open_node(data_dir, ManualClock())
    try:
        for n in range(2, 8):
            w.new_asset(node, n, 1_000)
    finally:
        node.close()
    node = w.open_node(data_dir, ManualClock())
    try:
        assert wait_for(lambda: node.store.tree.whole)
        assert not node.store.tree.warming and not cold_nodes(node.store.tree)
        assert node.store.tree.cached == len(recompute_tree_rows(node))
        w.new_asset(node, 9, 1_000)
        assert node.status()["state_root"] == recompute_state_root(data_dir / "ledger.sqlite").hex()
    finally:
        node.close()
    # Busy: blocks follow each other, and each that has another queued behind it warms for a share of its time.
    node = w.open_node(data_dir, ManualClock(), start=False)
    try:
        warmed: list[float] = []
        real = node._warm_tree
        node._warm_tree = lambda seconds: warmed.append(seconds) or real(seconds)  # type: ignore[method-assign]
        node.max_block_txs = 2
        pending = [node.submit(w.generate(slot(n), 1_000).encode()) for n in range(20, 30)]
        node.start()
        assert all(p.wait(WAIT_S) is not None for p in pending)
        assert [p.outcome["code"] for p in pending if p.outcome is not None] == ["ok"] * len(pending)
        assert warmed and all(0 < seconds < 1 for seconds in warmed) and node.store.tree.whole
        assert node.status()["state_root"] == recompute_state_root(data_dir / "ledger.sqlite").hex()
    finally:
        node.close()


def recompute_tree_rows(node: Node) -> dict[int, bytes]:
    """Every stored node of the node's tree by position (its rows once written)."""
    node.store.flush_tree(node.head.height)
    stored = TreeFile(node.store.path)
    try:
        return stored.rows()
    finally:
        stored.db.close()


@pytest.mark.skipif(not smt_tree.NATIVE, reason="ledger_lite._smt_native is not built")
@pytest.mark.parametrize("seed", range(6))
def test_the_compiled_search_for_cold_nodes_gives_the_python_one(seed: int) -> None:
    """On a tree with positions beyond a machine word, part of its pairs taken out (left on disk), in a dict and
    in a NodeTable, from the root and from positions of every kind (internal, cold, a leaf, empty)."""
    rng = random.Random(seed)
    tree = deep_tree(seed)
    inner = [index for index, entry in tree._nodes.items() if len(entry) == HASH_SIZE and index > 1]
    deep = max(index for index in inner if 2 * index in tree._nodes and 2 * index + 1 in tree._nodes)
    assert deep >= 1 << 63  # the three paths sharing 70 bits
    partial = dict(tree._nodes)
    above = {deep >> shift for shift in range(deep.bit_length())}
    for parent in [*rng.sample([index for index in inner if index not in above], len(inner) // 4), deep]:
        partial.pop(2 * parent, None)
        partial.pop(2 * parent + 1, None)
    table = _smt_native.NodeTable()
    table.update(partial)
    starts = [[1], rng.sample(sorted(partial), 10), [max(partial) * 2 + 1, 3], []]
    for indexes in starts:
        expected = sorted(_cold_below(partial, indexes))
        assert sorted(_smt_native.cold_below(partial, indexes)) == expected
        assert sorted(_smt_native.cold_below(table, indexes)) == expected
    assert deep in _smt_native.cold_below(table, [1])
    assert _cold_below(tree._nodes, [1]) == _smt_native.cold_below(tree._nodes, [1]) == []
    for bad in ([0], [-3], ["1"], [1.0]):
        with pytest.raises(TypeError, match="expected positions as ints of at least 1"):
            _smt_native.cold_below(table, bad)


@pytest.mark.skipif(not smt_tree.NATIVE, reason="ledger_lite._smt_native is not built")
@pytest.mark.parametrize("seed", range(4))
def test_the_compiled_next_level_of_a_load_gives_the_python_one(seed: int) -> None:
    """Of a level's children, those read as internal nodes with a child read too (what a load caches next), on rows
    of a tree with positions beyond a machine word, part of them not read."""
    rng = random.Random(seed)
    nodes = deep_tree(seed)._nodes
    found = {index: entry for index, entry in nodes.items() if rng.random() < 0.8}
    levels = [[1], sorted(rng.sample(sorted(nodes), 40)), [max(nodes)], []]
    for level in levels:
        expected = _loaded_below(level, found)
        assert _smt_native.loaded_below(level, found) == expected
        assert all(len(found[index]) == HASH_SIZE for index in expected)
    deep = [index for index in found if index >= 1 << 62 and len(found[index]) == HASH_SIZE]
    below = _loaded_below(deep, found)
    assert below and min(below) >= 1 << 63  # children past a machine word
    assert _smt_native.loaded_below(deep, found) == below
    with pytest.raises(TypeError):
        _smt_native.loaded_below([1], list(found))  # type: ignore[arg-type]
