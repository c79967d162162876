"""Loading whole (``ledger.state_tree``, "Loading whole"): a restart whose logged keys would walk to most of the tree
reads every stored row at once and checks every node against the root; the tree is then whole, and gives the same
roots and proofs as the tree in memory. A hand-edited, added or deleted row is refused, and the cache holds its root
alone again. The compiled and the Python forms give the same."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger import state_tree
from ledger.errors import StoreError
from ledger.state_tree import WHOLE_LOAD_SHARE, StoredTree, _check_whole, _load_groups
from ledger.tree_groups import GroupError
from ledger_lite import smt_tree
from ledger_lite.smt import HASH_SIZE
from ledger_lite.smt_tree import SparseMerkleTree
from tests.helpers.ledger_world import LedgerWorld, ManualClock, crash, recompute_state_root
from tests.ledger.test_state_tree import EDITED, TreeFile, assert_same, leaf_position, sha, update_both

if smt_tree.NATIVE:
    from ledger_lite import _smt_native

ITEMS = {b"asset/%d" % i: sha(b"%d" % i) for i in range(2_000)}
BELOW_NONE = (r"the state tree's node at position \d+ lies below no internal node \(checked down from the signed "
              r"state root\); the store was changed outside the node")


@pytest.fixture
def tree_file(tmp_path: Path) -> Iterator[TreeFile]:
    tree_file = TreeFile(tmp_path / "tree.sqlite")
    yield tree_file
    tree_file.db.close()


@pytest.fixture(params=[True, False], ids=["compiled", "python"])
def native(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    if not request.param:
        monkeypatch.setattr(smt_tree, "NATIVE", False)
        monkeypatch.setattr(state_tree, "NATIVE", False)
    return bool(request.param)


def stored(tree_file: TreeFile, items: dict[bytes, bytes], capacity: int = 1 << 14) -> StoredTree:
    """A stored tree of ``items``, opened again: only its root cached."""
    tree = tree_file.open(capacity)
    tree.update(items)
    tree_file.flush(tree)
    return tree_file.open(capacity)


def chunks(tree_file: TreeFile, size: int = 37) -> Iterator[list[tuple[int, bytes]]]:
    """The stored groups in key order, ``size`` at a time, as ``Store.load_tree`` reads them."""
    rows = tree_file.db.execute("SELECT k, nodes FROM smt_groups ORDER BY k")
    return iter(lambda: rows.fetchmany(size), [])


def test_a_tree_loaded_whole_holds_every_stored_node_and_gives_the_memory_trees_roots_and_proofs(
        tree_file: TreeFile, native: bool) -> None:
    tree = stored(tree_file, ITEMS)
    assert tree.loads_whole(len(ITEMS) // WHOLE_LOAD_SHARE) and not tree.loads_whole(len(ITEMS) // WHOLE_LOAD_SHARE - 1)
    assert tree.load_whole(chunks(tree_file), lambda: "read meanwhile") == "read meanwhile"
    assert tree.whole and not tree.warming and not tree.loads_whole(len(ITEMS))
    on_disk = tree_file.rows()
    assert {index: entry if len(entry) == HASH_SIZE else entry[:64] for index, entry in tree._nodes.items()} == on_disk
    reads: list[int] = []
    tree._read_nodes = lambda indexes: reads.append(len(indexes)) or {}  # whole: nothing is read from disk again
    memory = SparseMerkleTree.from_items(ITEMS)
    update_both(tree, memory, dict(ITEMS), {b"asset/7": None, b"asset/new": sha(b"new"), b"asset/9": sha(b"changed")})
    assert_same(tree, memory, [b"asset/7", b"asset/new", b"asset/9", b"asset/1"])
    assert reads == []


def test_only_a_tree_opened_with_its_root_alone_that_fits_its_cache_loads_whole(tree_file: TreeFile) -> None:
    small = stored(tree_file, ITEMS, capacity=1_000)  # ~4,900 nodes: it outgrows a cache of 1,000
    assert not small.loads_whole(len(ITEMS))
    tree = stored(tree_file, ITEMS)
    tree.prove(b"asset/3")  # a walk loaded a path
    assert not tree.loads_whole(len(ITEMS))
    with pytest.raises(RuntimeError, match="expected a stored tree with only its root cached to load whole"):
        tree.load_whole(chunks(tree_file), list)


@pytest.mark.parametrize("what", ["leaf", "node", "deleted", "added"])
def test_an_edited_row_is_refused_and_the_cache_holds_the_root_alone_again(tree_file: TreeFile, native: bool,
                                                                           what: str) -> None:
    tree = stored(tree_file, ITEMS)
    root = tree.root()
    memory = SparseMerkleTree.from_items(ITEMS)
    target = b"asset/11"
    leaf = leaf_position(memory, target)
    if what == "leaf":  # the value of one leaf
        tree_file.set_node(leaf, sha(target) + sha(b"forged"))
    elif what == "node":  # an internal node deep in the tree
        tree_file.set_node(leaf >> 2, sha(b"forged"))
    elif what == "deleted":  # a leaf's row gone
        tree_file.set_node(leaf, None)
    else:  # a node below a leaf, where the tree has none
        tree_file.set_node(2 * leaf, sha(b"added"))
    reopened = tree_file.open(1 << 14)
    with pytest.raises(StoreError, match=BELOW_NONE if what == "added" else EDITED.format(r"\d+")):
        reopened.load_whole(chunks(tree_file), list)
    assert reopened.cached == 1 and reopened.root() == root and not reopened.whole
    if what != "added":  # and a walk that reads the edited row refuses it as before
        with pytest.raises(StoreError, match=EDITED.format(r"\d+")):
            reopened.prove(target)


def test_a_row_of_the_wrong_shape_is_refused(tree_file: TreeFile, native: bool,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state_tree, "LOAD_QUEUE", 1)  # the reader waits for room, and the loader stops meanwhile
    stored(tree_file, ITEMS)
    key = tree_file.db.execute("SELECT k FROM smt_groups ORDER BY k LIMIT 1 OFFSET 5").fetchone()[0]
    tree_file.db.execute("UPDATE smt_groups SET nodes = x'00ff0000' WHERE k = ?", (key,))
    reopened = tree_file.open(1 << 14)
    with pytest.raises(GroupError, match=f"row {key} to hold masks naming slots 1 to 15"):
        reopened.load_whole(chunks(tree_file), list)
    assert reopened.cached == 1


def test_a_read_that_fails_midway_stops_the_loader_and_leaves_the_root_alone(tree_file: TreeFile, native: bool,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state_tree, "LOAD_QUEUE", 1)
    tree = stored(tree_file, ITEMS)
    root = tree.root()

    def failing() -> Iterator[list[tuple[int, bytes]]]:
        for number, chunk in enumerate(chunks(tree_file)):
            if number == 3:
                raise sqlite3.OperationalError("disk I/O error")
            yield chunk

    read: list[str] = []
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        tree.load_whole(failing(), lambda: read.append("values"))
    assert tree.cached == 1 and tree.root() == root and not tree.whole and read == []
    tree.load_whole(chunks(tree_file), list)  # and a later load starts afresh
    assert tree.whole and tree.cached == len(tree_file.rows())


@pytest.mark.skipif(not smt_tree.NATIVE, reason="the compiled module was not built")
@pytest.mark.parametrize("edit", ["none", "node", "added"])
def test_the_compiled_load_and_check_give_what_the_python_forms_give(tree_file: TreeFile, edit: str) -> None:
    tree = stored(tree_file, ITEMS)
    memory = SparseMerkleTree.from_items(ITEMS)
    leaf = leaf_position(memory, b"asset/5")
    if edit == "node":
        tree_file.set_node(leaf >> 3, sha(b"forged"))
    elif edit == "added":
        tree_file.set_node(2 * leaf + 1, sha(b"added"))
    rows = [(int(key), bytes(row)) for key, row in tree_file.db.execute("SELECT k, nodes FROM smt_groups")]
    compiled, python = _smt_native.NodeTable(), _smt_native.NodeTable()
    compiled[1] = python[1] = tree._nodes[1]
    assert _smt_native.load_groups(compiled, rows) == _load_groups(python, rows) == len(tree_file.rows()) - 1
    assert dict(compiled.items()) == dict(python.items())
    problem = _smt_native.check_whole(compiled)
    assert problem == _check_whole(python)
    assert (problem is None) == (edit == "none")
    assert _smt_native.load_groups(compiled, rows) == 0  # what the table holds is kept


def test_a_node_restarting_after_a_crash_with_many_logged_keys_loads_its_tree_whole(ledger_world: LedgerWorld,
                                                                                    tmp_path: Path) -> None:
    """``ledger.state``: the logged keys' values go into a tree loaded whole first, which a tampered row stops."""
    w = ledger_world
    data_dir = tmp_path / "node"
    node = w.open_node(data_dir, ManualClock())
    for slot in range(2, 6):
        w.new_asset(node, slot, 1_000)
    node.store.flush_tree(node.head.height)
    for slot in range(6, 14):  # more keys logged than an eighth of the leaves
        w.commit(node, w.allocate([(w.new_asset(node, slot, 1_000), 400)]))
    status = node.status()
    assert len(node.store.redo_keys()) * WHOLE_LOAD_SHARE >= len(node.state)
    crash(node)
    node = w.open_node(data_dir, ManualClock(), start=False)
    try:
        assert node.store.tree.whole  # loaded before the keys went back in, not warmed since (not started)
        assert node.status()["state_root"] == status["state_root"] == recompute_state_root(
            data_dir / "ledger.sqlite").hex()
        assert node.audit() == len(node.state)
    finally:
        node.close()
