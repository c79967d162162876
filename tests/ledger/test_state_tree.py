"""The state tree on disk (issue #16, ``ledger.state_tree``): the same writes give the same roots and proofs as
the tree in memory, through a small cache that keeps evicting and reloading nodes and across reopening; a
hand-edited node is refused when first read; the cache stays within its bound."""

from __future__ import annotations

import hashlib
import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import cbor2
import pytest

from ledger.compact import unpack_key
from ledger.errors import Rejected, StoreError
from ledger.node import Node
from ledger.state_tree import Row, StoredTree
from ledger.storage import _CHILDREN, SCHEMA, Store
from ledger_lite.smt_tree import SparseMerkleTree, root_of
from tests.helpers.ledger_world import LedgerWorld, ManualClock, recompute_state_root
from tests.helpers.ledger_world import slot as slot_start


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


class TreeFile:
    """The ``smt`` table of a SQLite file, written the way ``ledger.storage.Store.write_block`` writes it."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.executescript(SCHEMA)

    def children(self, row_id: int) -> list[Row]:
        return self.db.execute(_CHILDREN, (row_id,)).fetchall()

    def rows_at(self, ids: Sequence[int]) -> list[Row]:
        return self.db.execute(f"SELECT id, node, l, r FROM smt WHERE id IN ({','.join('?' * len(ids))})",
                               list(ids)).fetchall()

    def open(self, capacity: int) -> StoredTree:
        meta = dict(self.db.execute("SELECT key, value FROM meta WHERE key IN ('smt_root', 'smt_size')"))
        root_id = int(meta.get("smt_root", 0))
        root = self.db.execute("SELECT id, node, l, r FROM smt WHERE id = ?", (root_id,)).fetchone()
        next_id = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM smt").fetchone()[0]
        return StoredTree(self.children, root, int(meta.get("smt_size", 0)), next_id, capacity=capacity,
                          read_rows=self.rows_at)

    def rows(self) -> set[int]:
        return {row_id for (row_id,) in self.db.execute("SELECT id FROM smt")}

    def live_rows(self) -> set[int]:
        """The rows reached from the stored root."""
        meta = dict(self.db.execute("SELECT key, value FROM meta WHERE key = 'smt_root'"))
        todo, live = [int(meta.get("smt_root", 0))], set()
        while todo:
            row_id = todo.pop()
            if row_id:
                live.add(row_id)
                _, left, right = self.db.execute("SELECT id, l, r FROM smt WHERE id = ?", (row_id,)).fetchone()
                todo += [child for child in (left, right) if child]
        return live

    def flush(self, tree: StoredTree) -> None:
        write = tree.pending()
        self.db.execute("BEGIN")
        self.db.executemany("DELETE FROM smt WHERE id = ?", ((row_id,) for row_id in write.replaced))
        self.db.executemany("INSERT INTO smt VALUES (?, ?, ?, ?)", write.rows)
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                            (("smt_root", str(write.root_id)), ("smt_size", str(write.size))))
        self.db.execute("COMMIT")
        tree.written(write)


@pytest.fixture
def tree_file(tmp_path: Path) -> Iterator[TreeFile]:
    tree_file = TreeFile(tmp_path / "tree.sqlite")
    yield tree_file
    tree_file.db.close()


def assert_same(stored: StoredTree, memory: SparseMerkleTree, keys: list[bytes]) -> None:
    assert stored.root() == memory.root()
    assert len(stored) == len(memory)
    for key in keys:
        assert stored.get(key) == memory.get(key)
        assert stored.prove(key).to_bytes() == memory.prove(key).to_bytes()


@pytest.mark.parametrize("capacity", [16, 200, 1 << 20])
def test_random_writes_give_the_roots_and_proofs_of_the_tree_in_memory(tree_file: TreeFile, capacity: int) -> None:
    rng = random.Random(16)
    stored, memory = tree_file.open(capacity), SparseMerkleTree()
    model: dict[bytes, bytes] = {}
    universe = [b"asset/%d" % i for i in range(400)]
    for block in range(60):
        changes: dict[bytes, bytes | None] = {}
        for _ in range(rng.choice([1, 2, 5, 30])):
            key = rng.choice(universe)
            changes[key] = None if key in model and rng.random() < 0.3 else sha(b"%d %d" % (block, rng.random()))
        if rng.random() < 0.2:  # a block prepared and discarded: put back what was there
            before = {key: model.get(key) for key in changes}
            stored.update(changes)
            stored.update(before)
        assert stored.update(changes) == memory.update(changes)
        for key, value_hash in changes.items():
            if value_hash is None:
                model.pop(key, None)
            else:
                model[key] = value_hash
        tree_file.flush(stored)
        assert stored.cached <= capacity
        assert_same(stored, memory, rng.sample(universe, 8))
        assert tree_file.live_rows() == tree_file.rows()  # compacted: every stored row is in the tree
    assert stored.root() == root_of(model)
    # A node that starts again reads the same tree back from disk, a pair of nodes at a time.
    reopened = tree_file.open(capacity)
    assert reopened.cached == 1
    assert_same(reopened, memory, universe)
    assert reopened.cached <= capacity + 2 * 32  # and what the last walk loaded (two entries a level)


def test_a_tree_built_at_once_is_the_tree_built_by_updates(tree_file: TreeFile) -> None:
    items = {b"key/%d" % i: sha(b"%d" % i) for i in range(300)}
    built = tree_file.open(32)
    built.load_all(items.items())
    tree_file.flush(built)
    reopened = tree_file.open(32)
    assert_same(reopened, SparseMerkleTree.from_items(items), [*items, b"absent/1", b"absent/2"])
    with pytest.raises(ValueError, match="expected an empty state tree to build, found 300 leaves"):
        reopened.load_all(items.items())


@pytest.mark.parametrize("what", ["leaf", "node", "link"])
def test_an_edited_tree_row_is_refused_when_first_read(tree_file: TreeFile, what: str) -> None:
    items = {b"key/%d" % i: sha(b"%d" % i) for i in range(50)}
    tree = tree_file.open(1 << 10)
    tree.update(items)
    tree_file.flush(tree)
    target = b"key/7"
    proof = SparseMerkleTree.from_items(items).prove(target)
    if what == "leaf":  # the value of one leaf
        row_id = tree_file.db.execute("SELECT id FROM smt WHERE node = ?", (sha(target) + items[target],)).fetchone()[0]
        tree_file.db.execute("UPDATE smt SET node = ? WHERE id = ?", (sha(target) + sha(b"forged"), row_id))
    elif what == "node":  # the hash of the internal node just below the root on the key's side
        first = sha(target)[0] >> 7
        root_id = int(tree_file.db.execute("SELECT value FROM meta WHERE key = 'smt_root'").fetchone()[0])
        child = tree_file.db.execute(f"SELECT {'lr'[first]} FROM smt WHERE id = ?", (root_id,)).fetchone()[0]
        tree_file.db.execute("UPDATE smt SET node = ? WHERE id = ?", (sha(b"forged"), child))
    else:  # a child link pointed at another row
        root_id = int(tree_file.db.execute("SELECT value FROM meta WHERE key = 'smt_root'").fetchone()[0])
        tree_file.db.execute("UPDATE smt SET l = r WHERE id = ?", (root_id,))
    assert proof.depth > 1
    reopened = tree_file.open(1 << 10)
    assert reopened.root() == tree.root()  # the root row itself is intact: what a start checks
    with pytest.raises(StoreError, match=r"state tree row \d+: its children hash to [0-9a-f]{64}, expected "
                                         r"[0-9a-f]{64} \(checked down from the signed state root\); the store was "
                                         r"changed outside the node"):
        reopened.prove(target)


def test_an_edited_tree_row_is_refused_by_a_batch_that_reaches_it(tree_file: TreeFile) -> None:
    """A batch's walks read the missing pairs of one depth together (``read_rows``): the edit is found all the same,
    and the tree is left unchanged."""
    items = {b"key/%d" % i: sha(b"%d" % i) for i in range(200)}
    tree = tree_file.open(1 << 10)
    tree.update(items)
    tree_file.flush(tree)
    root_id = int(tree_file.db.execute("SELECT value FROM meta WHERE key = 'smt_root'").fetchone()[0])
    left, right = tree_file.db.execute("SELECT l, r FROM smt WHERE id = ?", (root_id,)).fetchone()
    below = tree_file.db.execute("SELECT l FROM smt WHERE id = ?", (right,)).fetchone()[0]
    tree_file.db.execute("UPDATE smt SET node = ? WHERE id = ?", (sha(b"forged"), below))
    reopened = tree_file.open(1 << 10)
    with pytest.raises(StoreError, match=rf"state tree row {right}: its children hash to [0-9a-f]{{64}}, expected "):
        reopened.update({key: sha(b"new") for key in items})
    assert reopened.root() == tree.root()
    unedited = next(key for key in items if sha(key)[0] < 0x80)  # on the left of the root: read as before
    assert left and tree_file.open(1 << 10).get(unedited) == items[unedited]


def test_a_missing_or_misshapen_row_is_refused(tree_file: TreeFile) -> None:
    tree = tree_file.open(1 << 10)
    tree.update({b"key/%d" % i: sha(b"%d" % i) for i in range(20)})
    tree_file.flush(tree)
    root_id = int(tree_file.db.execute("SELECT value FROM meta WHERE key = 'smt_root'").fetchone()[0])
    left = tree_file.db.execute("SELECT l FROM smt WHERE id = ?", (root_id,)).fetchone()[0]
    tree_file.db.execute("UPDATE smt SET node = x'00' WHERE id = ?", (left,))
    with pytest.raises(StoreError, match=rf"expected state tree row {left} to hold a 32-byte node with two children "
                                         r"or a 64-byte leaf, found 1 bytes"):
        tree_file.open(1 << 10).get(b"key/1")
    tree_file.db.execute("DELETE FROM smt WHERE id = ?", (left,))
    with pytest.raises(StoreError, match=rf"state tree row {left} \(a child of row {root_id}\) is missing"):
        tree_file.open(1 << 10).get(b"key/1")


def test_a_cache_too_small_to_walk_is_refused(tree_file: TreeFile) -> None:
    with pytest.raises(ValueError, match="expected a cache of at least 16 entries, found 8"):
        tree_file.open(8)


def test_a_store_of_format_2_gets_its_tree_built_once(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """A store written before the tree was kept on disk: its tree is built from its state rows on open."""
    node = ledger_world.open_node(tmp_path / "node", ManualClock())
    try:
        ledger_world.new_asset(node, 2, 10_000)
        root = node.status()["state_root"]
    finally:
        node.close()
    db_path = tmp_path / "node" / "ledger.sqlite"
    db = sqlite3.connect(db_path, isolation_level=None)
    db.executescript("DROP TABLE smt; DELETE FROM meta WHERE key IN ('smt_root', 'smt_size'); "
                     "UPDATE meta SET value = '2' WHERE key = 'format';")
    db.close()
    node = ledger_world.open_node(tmp_path / "node", ManualClock())
    try:
        assert node.status()["state_root"] == root == recompute_state_root(db_path).hex()
        ledger_world.new_asset(node, 4, 5_000)  # and it goes on
        assert node.status()["state_root"] == recompute_state_root(db_path).hex()
        assert node.store.get_meta("format") == "7"
    finally:
        node.close()


def test_a_node_keeps_its_tree_on_disk_within_the_cache(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """A node whose cache holds a fraction of its tree: every block's root and every proof still match the
    tree computed from its state rows; after a restart too."""
    data_dir = tmp_path / "node"
    data_dir.mkdir()
    store = Store(data_dir / "ledger.sqlite", tree_cache=16)
    node = Node(store, ledger_world.genesis(), ledger_world.validator, clock=ManualClock())
    node.start()
    try:
        assets = [ledger_world.new_asset(node, slot, 1_000 + slot) for slot in range(2, 14)]
        assert store.tree.cached <= 16 < 2 * len(node.state)
        assert node.status()["state_root"] == recompute_state_root(data_dir / "ledger.sqlite").hex()
        proven = [node.proven_value(f"asset/{a}") for a in assets]
    finally:
        node.close()
    node = Node(Store(data_dir / "ledger.sqlite", tree_cache=16), ledger_world.genesis(), ledger_world.validator,
                clock=ManualClock())
    try:
        assert [node.proven_value(f"asset/{a}") for a in assets] == proven
    finally:
        node.close()


def test_a_block_whose_transaction_fails_after_its_tree_rows_leaves_no_trace(ledger_world: LedgerWorld,
                                                                             tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The tree's rows go in the block's SQLite transaction: when it rolls back after they were inserted, the
    tree on disk and the cache's bookkeeping stay at the last stored block, and the next block builds on it."""
    w = ledger_world
    data_dir = tmp_path / "node"
    node = w.open_node(data_dir, ManualClock())
    try:
        asset = w.new_asset(node, 2, 10_000)
        before = node.status()
        real = node.store._write_tree
        node.store.tree._flush_at = 1  # every block writes its tree rows

        def rows_then_disk_full(write: Any, height: int) -> None:
            real(write, height)
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(node.store, "_write_tree", rows_then_disk_full)
        allocation = w.allocate([(asset, 4_000)])
        assert w.submit_wait(node, allocation)["code"] == "store_unavailable"
        assert node.status()["state_root"] == before["state_root"]
        monkeypatch.setattr(node.store, "_write_tree", real)
        assert w.commit(node, allocation)["code"] == "ok"
        after = node.status()
    finally:
        node.close()
    node = w.open_node(data_dir, ManualClock())
    try:
        assert node.status()["state_root"] == after["state_root"] == recompute_state_root(
            data_dir / "ledger.sqlite").hex()
        assert node.audit() == len(node.state)
    finally:
        node.close()


def crash(node: Node) -> None:
    """Stop a node the way SIGKILL would leave its store: no tree written on closing."""
    node.stop()
    node._admission.close()
    node.store._db.close()


def test_a_node_that_crashed_between_tree_writes_puts_the_logged_keys_back(ledger_world: LedgerWorld,
                                                                           tmp_path: Path) -> None:
    """The tree is written every so many changes; the blocks in between log their keys. After a crash the
    node starts from the tree as last written plus those keys' stored values, and its root is the head's."""
    w = ledger_world
    data_dir = tmp_path / "node"
    node = w.open_node(data_dir, ManualClock())
    node.store.tree._flush_at = 40  # a tree write every few blocks
    heights = []
    for slot in range(2, 12):
        asset = w.new_asset(node, slot, 1_000)
        w.commit(node, w.allocate([(asset, 400)]))
        heights.append(int(node.store.get_meta("smt_height") or -1))
    status = node.status()
    logged = node.store.redo_keys()
    crash(node)
    assert len(set(heights)) > 2 and heights[-1] < status["height"]  # written now and then, not at the end
    assert logged  # so the last blocks' keys were logged
    node = w.open_node(data_dir, ManualClock())
    try:
        assert node.status()["state_root"] == status["state_root"] == recompute_state_root(
            data_dir / "ledger.sqlite").hex()
        assert node.audit() == len(node.state)
        w.commit(node, w.allocate([(w.new_asset(node, 20, 1_000), 500)]))  # and it goes on
    finally:
        node.close()
    assert Store(data_dir / "ledger.sqlite").redo_keys() == []  # closing wrote the tree


def test_a_logged_key_taken_out_is_refused_on_start(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    data_dir = tmp_path / "node"
    node = w.open_node(data_dir, ManualClock())
    asset = w.new_asset(node, 2, 1_000)
    status = {"values": len(node.state)}
    crash(node)
    db = sqlite3.connect(data_dir / "ledger.sqlite")
    with db:
        height, blob = db.execute("SELECT height, keys FROM smt_redo ORDER BY height DESC LIMIT 1").fetchone()
        keys = [k for k in cbor2.loads(blob) if unpack_key(bytes(k)) != f"asset/{asset}"]
        db.execute("UPDATE smt_redo SET keys = ? WHERE height = ?", (cbor2.dumps(keys), height))
    db.close()
    store = Store(data_dir / "ledger.sqlite")
    try:
        with pytest.raises(StoreError, match=f"the store holds {status['values']} state values, but its state tree "
                                             f"holds {status['values'] - 1}: the store was changed outside the node"):
            Node(store, w.genesis(), w.validator, clock=ManualClock())
    finally:
        store.close()


def stored_rows(db_path: Path) -> tuple[set[int], set[int]]:
    """(every row id of ``smt`` not yet listed for deletion, the row ids reached from the stored root)."""
    tree_file = TreeFile(db_path)
    try:
        garbage = {row for (row,) in tree_file.db.execute("SELECT id FROM smt_garbage")}
        assert garbage <= tree_file.rows() and not garbage & tree_file.live_rows()
        return tree_file.rows() - garbage, tree_file.live_rows()
    finally:
        tree_file.db.close()


def garbage(db_path: Path) -> int:
    db = sqlite3.connect(db_path)
    try:
        return int(db.execute("SELECT count(*) FROM smt_garbage").fetchone()[0])
    finally:
        db.close()


def assert_only_the_live_tree(w: LedgerWorld, data_dir: Path, state_root: str) -> None:
    """The closed node's store holds one row per node of its tree and nothing else, and reads back the same state."""
    everything, live = stored_rows(data_dir / "ledger.sqlite")
    assert everything == live
    values = {key.encode(): sha(encoded) for key, encoded, _ in Store(data_dir / "ledger.sqlite").state_rows()}
    assert len(live) == len(SparseMerkleTree.from_items(values)._nodes)  # one row per node of the tree
    node = w.open_node(data_dir, ManualClock())
    try:
        assert node.status()["state_root"] == state_root
        assert node.audit() == len(node.state)
    finally:
        node.close()


def test_a_node_keeps_only_the_rows_of_its_tree(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """Each write of the tree lists the rows it replaces in the same transaction, and the blocks that follow
    without writing the tree delete them: every stored row is then a node of the tree of the stored root, and
    the node reads the same state back."""
    w = ledger_world
    data_dir = tmp_path / "node"
    node = w.open_node(data_dir, ManualClock())
    node.store.tree._flush_at = 1  # every block writes its tree rows
    for slot in range(2, 10):
        w.commit(node, w.allocate([(w.new_asset(node, slot, 1_000), 400)]))
    assert garbage(data_dir / "ledger.sqlite") > 0
    node.store.tree._flush_at = 1 << 20  # no more tree writes: the idle producer deletes the replaced rows
    for slot in range(10, 12):
        w.new_asset(node, slot, 1_000)
    deadline = time.monotonic() + 30
    while garbage(data_dir / "ledger.sqlite") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert garbage(data_dir / "ledger.sqlite") == 0
    status = node.status()
    node.close()
    assert_only_the_live_tree(w, data_dir, status["state_root"])


def test_a_block_someone_waits_on_leaves_the_replaced_rows_to_idle_moments(ledger_world: LedgerWorld,
                                                                          tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Its client is answered without the deletion; ``collect_garbage`` deletes them later, a batch at a time, in
    transactions of their own, and a bulk block (nobody waits) deletes them with itself."""
    w = ledger_world
    data_dir = tmp_path / "node"
    db_path = data_dir / "ledger.sqlite"
    monkeypatch.setattr(Node, "_collect_while_idle", lambda self: None)
    node = w.open_node(data_dir, ManualClock())
    try:
        node.store.tree._flush_at = 1
        for slot in range(2, 8):
            w.commit(node, w.allocate([(w.new_asset(node, slot, 1_000), 400)]))
        node.store.tree._flush_at = 1 << 20
        listed = garbage(db_path)
        assert listed > 10
        w.new_asset(node, 8, 1_000)  # waited on: nothing deleted
        assert garbage(db_path) == listed
        assert node.store.collect_garbage(5) == 5
        assert garbage(db_path) == listed - 5
        bulk = node.submit_many([w.generate(slot_start(9), 1_000).encode()])  # nobody waits: some deleted with it
        assert not isinstance(bulk[0], Rejected)
        outcome = bulk[0].wait(30)
        assert outcome is not None and outcome["code"] == "ok"
        left = garbage(db_path)
        assert left < listed - 5
        while node.store.collect_garbage():
            pass
        assert garbage(db_path) == 0
        status = node.status()
    finally:
        node.close()
    assert_only_the_live_tree(w, data_dir, status["state_root"])


def test_a_store_of_format_3_loses_its_replaced_rows_once(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """Format 3 kept every replaced row: opening it deletes those the stored root does not reach, nothing else."""
    w = ledger_world
    data_dir = tmp_path / "node"
    node = w.open_node(data_dir, ManualClock())
    for slot in range(2, 6):
        w.new_asset(node, slot, 1_000)
    status = node.status()
    node.close()
    db = sqlite3.connect(data_dir / "ledger.sqlite")
    with db:  # rows a store of format 3 would hold besides its tree: replaced nodes and leaves
        top = db.execute("SELECT max(id) FROM smt").fetchone()[0]
        db.executemany("INSERT INTO smt VALUES (?, ?, ?, ?)",
                       [(top + 1, sha(b"old node"), 1, 2), (top + 2, sha(b"a") + sha(b"b"), None, None)])
        db.execute("UPDATE meta SET value = '3' WHERE key = 'format'")
    db.close()
    everything, live = stored_rows(data_dir / "ledger.sqlite")
    assert everything == live | {top + 1, top + 2}
    node = w.open_node(data_dir, ManualClock())
    try:
        assert node.store.get_meta("format") == "7"
        assert node.status()["state_root"] == status["state_root"]
        assert node.audit() == len(node.state)
    finally:
        node.close()
    assert stored_rows(data_dir / "ledger.sqlite") == (live, live)
