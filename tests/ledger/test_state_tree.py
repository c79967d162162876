"""The state tree on disk (issue #16, ``ledger.state_tree``): the same writes give the same roots and proofs as
the tree in memory, through a small cache that keeps evicting and reloading nodes and across reopening; the store
holds exactly the nodes of the tree, under their positions; a hand-edited node is refused when first read; the cache
stays within its bound."""

from __future__ import annotations

import hashlib
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cbor2
import pytest

from ledger import state_tree
from ledger.compact import unpack_key
from ledger.errors import StoreError
from ledger.lru_order import LruOrder
from ledger.node import Node
from ledger.state_tree import StoredTree, TreeWrite, pinned_depth
from ledger.storage import LEGACY_SMT, SCHEMA, Store, read_tree_nodes, write_tree_nodes
from ledger.tree_groups import PackedRows, encode, group_key, group_nodes, group_of, tree_key
from ledger_lite import smt_tree
from ledger_lite.smt_tree import PresentKeyError, SparseMerkleTree, root_of
from tests.helpers.ledger_world import LedgerWorld, ManualClock, crash, recompute_state_root
from tests.helpers.waiting import wait_for

if smt_tree.NATIVE:
    from ledger_lite import _smt_native


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


class TreeFile:
    """The tree tables of a SQLite file, read and written the way ``ledger.storage.Store`` reads and writes them."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.executescript(SCHEMA)

    def open(self, capacity: int) -> StoredTree:
        size = self.db.execute("SELECT coalesce((SELECT value FROM meta WHERE key = 'smt_size'), 0)").fetchone()[0]
        root = read_tree_nodes(self.db, [1]).get(1)
        return StoredTree(lambda indexes: read_tree_nodes(self.db, indexes), root, int(size), capacity=capacity)

    def rows(self) -> dict[int, bytes]:
        """Every stored node by its position."""
        return group_nodes([(key, bytes(row)) for table in ("smt_groups", "smt_groups_deep")
                            for key, row in self.db.execute(f"SELECT k, nodes FROM {table}")])

    def set_node(self, index: int, node: bytes | None) -> None:
        """Store ``node`` at ``index`` (None: empty it) as a hand edit would, keeping the rest of its group."""
        root, slot = group_of(index)
        nodes = {slot_of(i): n for i, n in read_tree_nodes(self.db, [index]).items() if group_of(i)[0] == root}
        if node is None:
            nodes.pop(slot, None)
        else:
            nodes[slot] = node
        table = "smt_groups" if isinstance(group_key(index), int) else "smt_groups_deep"
        self.db.execute(f"INSERT OR REPLACE INTO {table}(k, nodes) VALUES (?, ?)", (group_key(index), encode(nodes)))

    def flush(self, tree: StoredTree) -> None:
        self.write(tree, tree.pending())

    def write(self, tree: StoredTree, write: TreeWrite) -> None:
        """Store ``write`` (the tree's ``pending``) as a block's transaction stores it."""
        self.db.execute("BEGIN")
        write_tree_nodes(self.db, write)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('smt_size', ?)", (str(write.size),))
        self.db.execute("COMMIT")
        tree.written(write)


def slot_of(index: int) -> int:
    return group_of(index)[1]


def rows_of(tree: SparseMerkleTree) -> dict[int, bytes]:
    """The nodes that store ``tree`` (every node in memory) by position, leaves without their hash."""
    return {index: entry if len(entry) == 32 else entry[:64] for index, entry in tree._nodes.items()}


def leaf_position(tree: SparseMerkleTree, key: bytes) -> int:
    """The heap index of ``key``'s leaf in a tree held in memory."""
    path, index, depth = sha(key), 1, 0
    while len(tree._nodes[index]) == 32:
        index = 2 * index + (path[depth >> 3] >> (7 - (depth & 7)) & 1)
        depth += 1
    return index


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


def update_both(stored: StoredTree, memory: SparseMerkleTree, model: dict[bytes, bytes],
                changes: dict[bytes, bytes | None], *, beside: bool = False) -> None:
    """Apply ``changes`` to the stored tree (told which keys are new, as a block's are; ``beside``: walked in a
    thread of their own, as the block producer has them), the tree in memory and the plain map; the roots must
    agree."""
    update = stored.start_update(changes, absent=[key for key in changes if key not in model], beside=beside)
    assert update.root() == memory.update(changes)
    for key, value_hash in changes.items():
        if value_hash is None:
            model.pop(key, None)
        else:
            model[key] = value_hash


@pytest.mark.parametrize("beside", [True, False], ids=["beside", "inline"])
def test_a_batch_walked_beside_is_walked_in_a_thread_of_its_own(tree_file: TreeFile, beside: bool,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """``start_update(beside=True)``: the compiled walks (which run without the GIL on the stored tree's table)
    are made in the walker thread while the caller goes on; ``root`` waits for them and gives the root."""
    if not smt_tree.NATIVE:
        pytest.skip("ledger_lite._smt_native is not built")
    changes: dict[bytes, bytes | None] = {b"asset/%d" % i: sha(b"%d" % i) for i in range(3000)}
    memory = SparseMerkleTree()
    expected = memory.update(changes)
    walked_in: list[str] = []
    apply = _smt_native.apply

    def spy(*args: Any) -> int:
        walked_in.append(threading.current_thread().name)
        return apply(*args)

    monkeypatch.setattr(_smt_native, "apply", spy)
    stored = tree_file.open(1 << 20)
    update = stored.start_update(changes, absent=list(changes), beside=beside)
    assert update.root() == expected == update.root()
    assert walked_in == ["state-tree-walk_0" if beside else threading.current_thread().name]
    assert (stored.root(), len(stored)) == (memory.root(), len(memory))
    refused = stored.start_update({b"asset/1": sha(b"again")}, absent=[b"asset/1"], beside=beside)
    with pytest.raises(PresentKeyError):
        refused.root()
    with pytest.raises(RuntimeError, match="found one that failed"):  # not walked a second time
        refused.root()
    assert (stored.root(), len(stored)) == (memory.root(), len(memory))


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("capacity", [16, 200, 1 << 20])
def test_random_writes_give_the_roots_and_proofs_of_the_tree_in_memory(tree_file: TreeFile, capacity: int,
                                                                         native: bool,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Also with the Python forms of the walks and the cache (a dict), as a checkout that was never built runs."""
    if not native:
        monkeypatch.setattr(smt_tree, "NATIVE", False)
        monkeypatch.setattr(state_tree, "NATIVE", False)
    elif not smt_tree.NATIVE:
        pytest.skip("ledger_lite._smt_native is not built")
    rng = random.Random(16)
    stored, memory = tree_file.open(capacity), SparseMerkleTree()
    assert type(stored._nodes) is (_smt_native.NodeTable if native else dict)
    model: dict[bytes, bytes] = {}
    universe = [b"asset/%d" % i for i in range(400)]
    for block in range(60):
        changes: dict[bytes, bytes | None] = {}
        for _ in range(rng.choice([1, 2, 5, 30])):
            key = rng.choice(universe)
            changes[key] = None if key in model and rng.random() < 0.3 else sha(b"%d %d" % (block, rng.random()))
        if rng.random() < 0.5:  # the block's values read first (one batch of walks, remembered by the update)
            assert stored.get_many(list(changes)) == [model.get(key) for key in changes]
        if rng.random() < 0.2:  # a block prepared and discarded: put back what was there
            before = {key: model.get(key) for key in changes}
            stored.update(changes)
            stored.update(before)
        if model and rng.random() < 0.2:  # a block that takes a stored key as new: refused, the tree as it was
            there = rng.choice(sorted(model))
            update = stored.start_update({**changes, there: sha(b"again")}, absent=[there],
                                         beside=rng.random() < 0.5)
            with pytest.raises(PresentKeyError):
                update.root()
            assert (stored.root(), len(stored)) == (memory.root(), len(memory))
        update_both(stored, memory, model, changes, beside=rng.random() < 0.5)
        tree_file.flush(stored)
        assert stored.cached <= capacity
        assert_same(stored, memory, rng.sample(universe, 8))
        assert tree_file.rows() == rows_of(memory)  # every node in place, and nothing else
    assert stored.root() == root_of(model)
    # A node that starts again reads the same tree back from disk, a pair of nodes at a time.
    reopened = tree_file.open(capacity)
    assert reopened.cached == 1
    assert_same(reopened, memory, universe)
    assert reopened.cached <= capacity + 2 * 32  # and what the last walk loaded (two entries a level)


@pytest.mark.skipif(not smt_tree.NATIVE, reason="ledger_lite._smt_native is not built")
def test_a_tree_that_fits_its_cache_keeps_no_order_until_the_cache_first_overflows(tree_file: TreeFile) -> None:
    """Reopened with room for its whole tree (``NODES_PER_LEAF`` a leaf), a tree keeps no LRU order while it reads
    everything; one expected to outgrow its cache orders its pairs from the start; and a tree that fitted and then
    grew past its cache orders what it holds at the first overflow and evicts as any other, giving the same roots."""
    rng = random.Random(5)
    memory, model = SparseMerkleTree(), {}
    stored = tree_file.open(1 << 20)
    universe = [b"asset/%d" % i for i in range(3000)]
    update_both(stored, memory, model, {key: sha(key) for key in universe[:300]})
    tree_file.flush(stored)
    fits = tree_file.open(int(300 * state_tree.NODES_PER_LEAF) + 200)
    assert fits.get_many(universe[:300]) == [model[key] for key in universe[:300]]
    assert len(fits._lru) == 0 and fits.cached > 600  # all of it read, nothing ordered
    small = tree_file.open(100)
    assert small.get_many(universe[:300]) == [model[key] for key in universe[:300]]
    small.trim()  # what that walk loaded beyond the cache leaves in order
    assert len(small._lru) > 0 and small.cached <= 100
    for start in range(300, 3000, 300):  # the tree that fitted grows past its cache
        update_both(fits, memory, model, {key: sha(key + b"!") for key in universe[start:start + 300]})
        tree_file.flush(fits)
        assert fits.cached <= fits.capacity
        assert_same(fits, memory, rng.sample(universe, 20))
    assert len(fits._lru) > 0 and len(fits) == 3000


@pytest.mark.parametrize(("seed", "capacity"), [(7, 40), (8, 16), (9, 100), (10, 300)])
def test_reads_updates_trims_and_late_writes_give_the_tree_in_memory(tmp_path: Path, seed: int,
                                                                     capacity: int) -> None:
    """Batches of reads (of the keys about to change, or of others), trims and updates in random order, the tree
    written to disk only now and then: every root and proof is the tree in memory's. (Paths walked whole are
    remembered, and an update may lengthen them through nodes that can leave the cache once written.)"""
    rng = random.Random(seed)
    tree_file = TreeFile(tmp_path / "tree.sqlite")
    stored, memory = tree_file.open(capacity), SparseMerkleTree()
    universe = [b"k%d" % i for i in range(300)]
    model: dict[bytes, bytes] = {}
    for block in range(40):
        changes: dict[bytes, bytes | None] = {}
        for _ in range(rng.choice([1, 3, 10, 40])):
            key = rng.choice(universe)
            changes[key] = None if key in model and rng.random() < 0.3 else sha(b"%d %f" % (block, rng.random()))
        step = rng.random()
        if step < 0.3:
            assert stored.get_many(list(changes)) == [model.get(key) for key in changes]
        elif step < 0.5:
            stored.get_many(rng.sample(universe, 20))
            stored.get_many(list(changes)[:len(changes) // 2 + 1])
        elif step < 0.6:
            stored.trim()
        update_both(stored, memory, model, changes)
        if rng.random() < 0.5:
            tree_file.flush(stored)
        for key in rng.sample(universe, 5):
            assert stored.prove(key).to_bytes() == memory.prove(key).to_bytes()
    tree_file.flush(stored)
    assert tree_file.rows() == rows_of(memory)
    assert stored.root() == root_of(model)
    tree_file.db.close()


def cold_tree(tree_file: TreeFile, keys: list[bytes], capacity: int) -> tuple[StoredTree, list[int]]:
    """A stored tree of ``keys`` opened again (only its root cached), and the sizes of the reads it makes."""
    tree = tree_file.open(capacity)
    tree.update({key: sha(key) for key in keys})
    tree_file.flush(tree)
    reopened, reads = tree_file.open(capacity), []
    inner = reopened._read_nodes
    reopened._read_nodes = lambda indexes: reads.append(len(indexes)) or inner(indexes)
    return reopened, reads


def test_an_update_of_keys_just_read_walks_the_cache_alone(tree_file: TreeFile) -> None:
    """A block reads its values (a batch of walks) and then updates the same keys: the update reads nothing from
    disk, even though the reads left the cache above its capacity (nothing is evicted before it)."""
    keys = [b"asset/%d" % i for i in range(300)]
    tree, reads = cold_tree(tree_file, keys, 16)
    batch = keys[:40]
    assert tree.get_many(batch) == [sha(key) for key in batch]
    assert reads and tree.cached > 16
    reads.clear()
    changes = {key: sha(b"again " + key) for key in batch}
    assert tree.update(changes) == SparseMerkleTree.from_items({key: sha(key) for key in keys} | changes).root()
    assert reads == []
    tree_file.flush(tree)
    assert tree.cached <= 16


def test_trim_evicts_what_the_last_walks_loaded(tree_file: TreeFile) -> None:
    """The producer trims the cache when idle, so the next block does not evict what the last one loaded."""
    keys = [b"asset/%d" % i for i in range(300)]
    tree, _ = cold_tree(tree_file, keys, 16)
    tree.get_many(keys[:40])
    assert tree.cached > 16
    tree.trim()
    assert tree.cached <= 16
    assert tree.get_many(keys[:40]) == [sha(key) for key in keys[:40]]  # read again from disk, checked


def test_the_top_levels_stay_cached_out_of_the_lru_order(tree_file: TreeFile) -> None:
    """The pairs below the top ``pinned_depth`` levels of parents never leave the cache, however cold, and are kept
    out of the LRU order; the deeper ones are evicted as before, and every value reads back checked."""
    capacity = 256
    depth = pinned_depth(capacity)
    assert depth == 4  # parents 1-15: their 30 children stay
    keys = [b"asset/%d" % i for i in range(2_000)]
    tree, _ = cold_tree(tree_file, keys, capacity)
    assert tree.get_many(keys[:50]) == [sha(key) for key in keys[:50]]  # loads the top levels and more
    pinned = range(2, 1 << (depth + 1))
    for batch in range(50, 2_000, 50):  # walks elsewhere make the first ones the least recently used
        tree.get_many(keys[batch:batch + 50])
        tree.trim()
        assert tree.cached <= capacity
        assert all(index in tree._nodes for index in pinned)
    assert len(tree._lru) > 0 and min(tree._lru) >= 1 << depth  # no pinned parent in the order
    assert tree.get_many(keys) == [sha(key) for key in keys]


def test_a_small_cache_pins_nothing() -> None:
    assert [pinned_depth(capacity) for capacity in (16, 31, 32, 200, 1 << 20)] == [0, 0, 1, 3, 16]


def test_a_tree_built_at_once_is_the_tree_built_by_updates(tree_file: TreeFile) -> None:
    items = {b"key/%d" % i: sha(b"%d" % i) for i in range(300)}
    built = tree_file.open(32)
    built.load_all(items.items())
    tree_file.flush(built)
    reopened = tree_file.open(32)
    assert_same(reopened, SparseMerkleTree.from_items(items), [*items, b"absent/1", b"absent/2"])
    with pytest.raises(ValueError, match="expected an empty state tree to build, found 300 leaves"):
        reopened.load_all(items.items())


EDITED = (r"the state tree's children of position {} hash to [0-9a-f]{{64}}, expected [0-9a-f]{{64}} \(checked down "
          r"from the signed state root\); the store was changed outside the node")


@pytest.mark.parametrize("what", ["leaf", "node", "swapped"])
def test_an_edited_tree_row_is_refused_when_first_read(tree_file: TreeFile, what: str) -> None:
    items = {b"key/%d" % i: sha(b"%d" % i) for i in range(50)}
    tree = tree_file.open(1 << 10)
    tree.update(items)
    tree_file.flush(tree)
    target = b"key/7"
    memory = SparseMerkleTree.from_items(items)
    proof = memory.prove(target)
    if what == "leaf":  # the value of one leaf
        tree_file.set_node(leaf_position(memory, target), sha(target) + sha(b"forged"))
    elif what == "node":  # the hash of the internal node just below the root on the key's side
        assert len(memory._nodes[2 + (sha(target)[0] >> 7)]) == 32
        tree_file.set_node(2 + (sha(target)[0] >> 7), sha(b"forged"))
    else:  # the root's two children swapped
        tree_file.set_node(2, memory._nodes[3])
        tree_file.set_node(3, memory._nodes[2])
    assert proof.depth > 1
    reopened = tree_file.open(1 << 10)
    assert reopened.root() == tree.root()  # the root row itself is intact: what a start checks
    with pytest.raises(StoreError, match=EDITED.format(r"\d+")):
        reopened.prove(target)


def test_an_edited_tree_row_is_refused_by_a_batch_that_reaches_it(tree_file: TreeFile) -> None:
    """A batch's walks read the missing pairs of one depth together: the edit is found all the same, and the tree
    is left unchanged."""
    items = {b"key/%d" % i: sha(b"%d" % i) for i in range(200)}
    tree = tree_file.open(1 << 10)
    tree.update(items)
    tree_file.flush(tree)
    tree_file.set_node(6, sha(b"forged"))  # the left child of the root's right child
    reopened = tree_file.open(1 << 10)
    with pytest.raises(StoreError, match=EDITED.format(3)):
        reopened.update({key: sha(b"new") for key in items})
    assert reopened.root() == tree.root()
    unedited = next(key for key in items if sha(key)[0] < 0x80)  # on the left of the root: read as before
    assert tree_file.open(1 << 10).get(unedited) == items[unedited]


def test_a_missing_misshapen_or_added_row_is_refused(tree_file: TreeFile) -> None:
    items = {b"key/%d" % i: sha(b"%d" % i) for i in range(20)}
    tree = tree_file.open(1 << 10)
    tree.update(items)
    tree_file.flush(tree)
    (row,) = tree_file.db.execute("SELECT nodes FROM smt_groups WHERE k = 0").fetchone()  # the root's group
    tree_file.db.execute("UPDATE smt_groups SET nodes = ? WHERE k = 0", (bytes(row) + b"\x00",))
    with pytest.raises(StoreError, match=r"expected the state tree's row 0 to hold \d+ bytes for the nodes its masks "
                                         r"name, found \d+; the store was changed outside the node"):
        tree_file.open(1 << 10).get(b"key/1")
    tree_file.db.execute("UPDATE smt_groups SET nodes = ? WHERE k = 0", (row,))
    tree_file.set_node(2, None)
    memory = SparseMerkleTree.from_items(items)
    tree_file.set_node(2, memory._nodes[2])
    assert tree_file.rows() == rows_of(memory)
    # a leaf added where the tree has none: below a node with one child
    parent = next(i for i, e in memory._nodes.items() if len(e) == 32 and (2 * i in memory._nodes) != (2 * i + 1 in
                                                                                                        memory._nodes))
    empty = 2 * parent if 2 * parent not in memory._nodes else 2 * parent + 1
    tree_file.set_node(empty, sha(b"added") + sha(b"value"))
    with pytest.raises(StoreError, match=EDITED.format(parent)):
        tree_file.open(1 << 10).get_many(list(items))


def test_a_subtree_is_one_range_of_keys_and_deep_nodes_are_kept_by_index(tree_file: TreeFile) -> None:
    """``tree_key`` orders a subtree's rows after its root and before its right-hand sibling's; positions below
    ``KEYED_DEPTH`` (which random keys almost never reach) are stored and read back all the same."""
    for index in (1, 2, 5, (1 << 40) | 12345, (1 << 53) | 3):  # their subtrees down to KEYED_DEPTH
        left, right = 2 * index, 2 * index + 1
        below = [4 * index, 4 * index + 1, 8 * index + 3]  # in the left child's subtree
        assert tree_key(index) < tree_key(left) < min(tree_key(i) for i in below)
        assert max(tree_key(i) for i in below) < tree_key(right)
    deep, keyed = (1 << 60) | 12345, (1 << 56) | 7
    assert isinstance(tree_key(deep), bytes) and isinstance(tree_key(keyed), int)
    assert isinstance(group_key(deep), bytes) and isinstance(group_key(keyed), int)
    write_tree_nodes(tree_file.db, TreeWrite([(deep, sha(b"deep")), (keyed, sha(b"keyed"))], [], 2))
    assert read_tree_nodes(tree_file.db, [deep, keyed, deep + 1]) == {deep: sha(b"deep"), keyed: sha(b"keyed")}
    write_tree_nodes(tree_file.db, TreeWrite([], [deep], 1))
    assert read_tree_nodes(tree_file.db, [deep, keyed]) == {keyed: sha(b"keyed")}


def random_positions(rng: random.Random, count: int) -> list[int]:
    """Distinct heap indexes at every depth, from the root to past 64 bits, most of them keyed."""
    positions: set[int] = set()
    while len(positions) < count:
        depth = rng.choice((0, 1, 2, 3, 17, 20, 40, 55, 56, 56, 57, 62, 63, 64, 70, 255))
        positions.add((1 << depth) | rng.getrandbits(depth))
    return list(positions)


def test_a_write_stores_and_empties_positions_given_in_any_order(tree_file: TreeFile) -> None:
    """``write_tree_nodes`` takes the rows and emptied positions in whatever order the tree gives them."""
    rng = random.Random(7)
    positions = random_positions(rng, 400)
    nodes = {index: sha(index.to_bytes(40, "big")) for index in positions}
    write_tree_nodes(tree_file.db, TreeWrite(list(nodes.items()), [], len(nodes)))
    assert read_tree_nodes(tree_file.db, positions) == nodes
    emptied = positions[::3]
    write_tree_nodes(tree_file.db, TreeWrite([], emptied, 0))
    assert read_tree_nodes(tree_file.db, positions) == {i: n for i, n in nodes.items() if i not in set(emptied)}


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
    db.executescript("DELETE FROM smt_groups; DELETE FROM smt_groups_deep; DELETE FROM meta WHERE key = 'smt_size'; "
                     "UPDATE meta SET value = '2' WHERE key = 'format';")
    db.close()
    node = ledger_world.open_node(tmp_path / "node", ManualClock())
    try:
        assert node.status()["state_root"] == root == recompute_state_root(db_path).hex()
        ledger_world.new_asset(node, 4, 5_000)  # and it goes on
        assert node.status()["state_root"] == recompute_state_root(db_path).hex()
        assert node.store.get_meta("format") == "14"
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
    assert_reopens_at(w, data_dir, after["state_root"])


def assert_reopens_at(world: LedgerWorld, data_dir: Path, state_root: str) -> None:
    """The node reopened on ``data_dir`` is at ``state_root``, which its stored values give, and passes the
    audit."""
    node = world.open_node(data_dir, ManualClock())
    try:
        assert node.status()["state_root"] == state_root == recompute_state_root(data_dir / "ledger.sqlite").hex()
        assert node.audit() == len(node.state)
    finally:
        node.close()


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
    node.store.tree._flush_at = 10**9  # the last block, whatever the ones before it did, writes none
    w.new_asset(node, 12, 1_000)
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


def test_an_idle_node_writes_its_tree_and_a_crash_after_that_loses_nothing(ledger_world: LedgerWorld,
                                                                          tmp_path: Path) -> None:
    """``ledger.producer``: a node with nothing to do for ``idle_write_s`` writes its tree's changes (here after
    50 ms, from one changed entry on: ``wants_flush(idle=True)``) instead of leaving them to a later block; the
    blocks after log their keys again, and a crash then gives back the head's root."""
    w = ledger_world
    data_dir = tmp_path / "node"
    node = w.open_node(data_dir, ManualClock())
    node.idle_write_s, node.store.tree._idle_flush_at = 0.05, 1
    for slot in range(2, 6):
        w.new_asset(node, slot, 1_000)
    assert wait_for(lambda: not node.store.redo_keys())
    assert int(node.store.get_meta("smt_height") or -1) == node.head.height and node.store.tree.changed == 0
    node.idle_write_s = None  # from here on only the blocks write it
    w.commit(node, w.allocate([(w.new_asset(node, 9, 1_000), 400)]))
    time.sleep(0.2)
    assert node.store.redo_keys() and int(node.store.get_meta("smt_height") or -1) < node.head.height
    status = node.status()
    crash(node)
    assert_reopens_at(w, data_dir, status["state_root"])


def test_an_idle_node_with_few_changes_leaves_them_to_the_blocks(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        node.idle_write_s, node.store.tree._idle_flush_at = 0.05, 10_000
        w.new_asset(node, 2, 1_000)
        time.sleep(0.3)
        assert node.store.redo_keys() and node.store.tree.changed > 0
    finally:
        node.close()


def test_a_tree_write_that_fails_while_idle_is_logged_and_the_node_goes_on(
        ledger_world: LedgerWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        real = node.store.flush_tree
        failures: list[int] = []

        def full_disk(height: int) -> None:
            failures.append(height)
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(node.store, "flush_tree", full_disk)
        node.idle_write_s, node.store.tree._idle_flush_at = 0.05, 1
        w.new_asset(node, 2, 1_000)
        assert wait_for(lambda: len(failures) >= 2)  # tried again after each idle wait
        assert node.store.redo_keys() and node.store.tree.changed > 0  # kept for the next write
        assert any("could not be written while idle" in r.getMessage() and "disk is full" in r.getMessage()
                   for r in caplog.records)
        w.new_asset(node, 3, 1_000)  # blocks go on meanwhile
        monkeypatch.setattr(node.store, "flush_tree", real)
        assert wait_for(lambda: not node.store.redo_keys())
        assert node.status()["state_root"] == recompute_state_root(tmp_path / "node" / "ledger.sqlite").hex()
    finally:
        node.close()


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


def assert_only_the_tree(w: LedgerWorld, data_dir: Path, state_root: str) -> None:
    """The closed node's store holds the nodes of its tree and nothing else, and reads back the same state."""
    values = {key.encode(): sha(encoded) for key, encoded, _ in Store(data_dir / "ledger.sqlite").state_rows()}
    tree_file = TreeFile(data_dir / "ledger.sqlite")
    try:
        assert tree_file.rows() == rows_of(SparseMerkleTree.from_items(values))
    finally:
        tree_file.db.close()
    node = w.open_node(data_dir, ManualClock())
    try:
        assert node.status()["state_root"] == state_root
        assert node.audit() == len(node.state)
    finally:
        node.close()


def test_a_node_keeps_only_the_nodes_of_its_tree(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """Each write of the tree replaces the nodes at their positions and deletes those of emptied positions, in the
    block's transaction: the store then holds the tree of its state and nothing else."""
    w = ledger_world
    data_dir = tmp_path / "node"
    node = w.open_node(data_dir, ManualClock())
    node.store.tree._flush_at = 1  # every block writes its tree rows
    for slot in range(2, 10):
        w.commit(node, w.allocate([(w.new_asset(node, slot, 1_000), 400)]))
    status = node.status()
    node.close()
    assert_only_the_tree(w, data_dir, status["state_root"])


def closed_node_with_assets(w: LedgerWorld, data_dir: Path) -> dict[str, Any]:
    """A node in ``data_dir`` that committed four new assets and closed: its last status."""
    node = w.open_node(data_dir, ManualClock())
    for slot in range(2, 6):
        w.new_asset(node, slot, 1_000)
    status = node.status()
    node.close()
    return status


def legacy_tree(db_path: Path, version: str, extra: list[tuple[bytes, int | None, int | None]]) -> None:
    """Rewrite a closed store's tree as formats 3 to 7 kept it (``LEGACY_SMT``: rows under ids, an internal node's
    naming its children's; the root's id in ``smt_root``), with ``extra`` rows besides, as ``version``."""
    db = sqlite3.connect(db_path)
    with db:
        nodes = group_nodes([(key, bytes(row)) for key, row in db.execute("SELECT k, nodes FROM smt_groups")])
        ids = {index: row_id for row_id, index in enumerate(sorted(nodes), 1)}
        db.execute(LEGACY_SMT)
        db.executemany("INSERT INTO smt VALUES (?, ?, ?, ?)",
                       [(ids[i], node, ids.get(2 * i, 0), ids.get(2 * i + 1, 0)) if len(node) == 32 else
                        (ids[i], node, None, None) for i, node in nodes.items()])
        db.executemany("INSERT INTO smt VALUES (?, ?, ?, ?)",
                       [(len(ids) + n, *row) for n, row in enumerate(extra, 1)])
        db.execute("CREATE TABLE smt_garbage (id INTEGER PRIMARY KEY)")
        db.execute("INSERT INTO meta VALUES ('smt_root', ?)", (str(ids[1]),))
        db.execute("DELETE FROM smt_groups")
        db.execute("UPDATE meta SET value = ? WHERE key = 'format'", (version,))
    db.close()


@pytest.mark.parametrize("version", ["3", "7"])
def test_a_store_of_format_3_or_7_gets_its_tree_under_positions(ledger_world: LedgerWorld, tmp_path: Path,
                                                                version: str, caplog: pytest.LogCaptureFixture) -> None:
    """Formats 3 to 7 kept the tree under row ids (format 3 with every replaced row too): opening such a store
    copies the rows the stored root reaches to their positions and drops the old tables."""
    w = ledger_world
    data_dir = tmp_path / "node"
    status = closed_node_with_assets(w, data_dir)
    legacy_tree(data_dir / "ledger.sqlite", version,  # replaced nodes and leaves, as format 3 kept them
                [(sha(b"old node"), 1, 2), (sha(b"a") + sha(b"b"), None, None)] if version == "3" else [])
    node = w.open_node(data_dir, ManualClock())
    try:
        assert f"rewriting format {version} as format 14, once" in caplog.text  # said before the wait
        assert node.store.get_meta("format") == "14"
        assert node.store.get_meta("smt_root") is None
        assert not node.store._has_table("smt") and not node.store._has_table("smt_garbage")
        assert node.status()["state_root"] == status["state_root"]
        assert node.audit() == len(node.state)
    finally:
        node.close()
    assert_only_the_tree(w, data_dir, status["state_root"])


def test_a_tree_wants_writing_while_idle_at_an_eighth_of_what_a_block_writes() -> None:
    """A bulk block writes from half the cache on, the idle node from an eighth of that, a block someone waits for
    from an eighth more."""
    tree = StoredTree(lambda indexes: {}, None, 0, capacity=160)  # a block writes from 80 changed entries on
    seen = set()
    for n in range(200):
        tree.update({b"key %d" % n: hashlib.sha256(b"%d" % n).digest()})
        seen.add((tree.wants_flush(idle=True), tree.wants_flush(), tree.wants_flush(waited=True)))
        assert tree.wants_flush(idle=True) == (tree.changed >= 10)
        assert tree.wants_flush() == (tree.changed >= 80)
        assert tree.wants_flush(waited=True) == (tree.changed >= 90)
    assert seen == {(False, False, False), (True, False, False), (True, True, False), (True, True, True)}


# --- the compiled bookkeeping (``_smt_native.pending`` and ``load_pairs``) against its Python form -------------------

needs_native = pytest.mark.skipif(not smt_tree.NATIVE, reason="ledger_lite._smt_native is not built")


def stored_rows(tree: SparseMerkleTree) -> dict[int, bytes]:
    """Every node of a tree in memory as the store holds it, by heap index."""
    return {index: entry if len(entry) == 32 else entry[:64] for index, entry in tree._nodes.items()}


def deep_tree(seed: int) -> SparseMerkleTree:
    """A tree of 60 random paths and 3 whose paths share their first 70 bits (heap indexes beyond a machine
    word), built from the paths themselves."""
    rng = random.Random(seed)
    shared = rng.getrandbits(70) << 186
    paths = sorted({rng.randbytes(32) for _ in range(60)}
                   | {(shared | rng.getrandbits(186)).to_bytes(32, "big") for _ in range(3)})
    tree = SparseMerkleTree()
    smt_tree._build(tree._nodes, paths, [sha(path) for path in paths], 0, len(paths), 0, 1, [])
    return tree


@needs_native
@pytest.mark.parametrize("seed", range(8))
def test_the_compiled_pending_gives_the_python_rows_deepest_first(seed: int) -> None:
    tree = deep_tree(seed)
    rng = random.Random(seed)
    deep = {index for index in tree._nodes if index.bit_length() > 64}
    dirty = set(rng.sample(sorted(tree._nodes), 40)) | set(rng.sample(sorted(deep), 3)) \
        | {rng.randrange(1, 1 << 80) for _ in range(10)}
    indexes, nodes, deep_rows, deleted = _smt_native.pending(tree._nodes, dirty)
    packed = PackedRows(indexes, nodes)
    rows = [*deep_rows, *packed]
    python_rows, python_deleted = state_tree._pending_of(tree._nodes, dirty)
    assert rows == python_rows and sorted(deleted) == sorted(python_deleted)
    assert [index.bit_length() for index, _ in rows] == sorted((i.bit_length() for i, _ in rows), reverse=True)
    assert {index for index, _ in rows} | set(deleted) == dirty
    assert all(node == stored_rows(tree)[index] for index, node in rows)
    assert min(index.bit_length() for index, _ in deep_rows) > 63  # from 2^63 on: rows of their own
    assert len(packed) > 30 and max(index.bit_length() for index, _ in packed) <= 63
    assert any(len(node) == 64 for _, node in packed) and any(len(node) == 32 for _, node in packed)


@needs_native
def test_the_compiled_pending_reads_the_node_tables_own_sets_as_a_dict_of_the_same_entries() -> None:
    """The node's case (a ``NodeTable`` and an ``IndexSet``, read straight from their tables) gives what a dict and a
    set of the same entries give, deep positions and emptied ones included."""
    tree = deep_tree(3)
    table, marks = _smt_native.NodeTable(), _smt_native.IndexSet()
    table.update(tree._nodes)
    dirty = set(sorted(tree._nodes)[::3]) | {2 ** 70 + 5, 12345}
    marks.update(dirty)
    indexes, nodes, rows, deleted = _smt_native.pending(table, marks)
    plain = _smt_native.pending(dict(tree._nodes), dirty)
    packed = list(PackedRows(indexes, nodes))
    assert sorted(packed) == sorted(PackedRows(*plain[:2])) and len(packed) > 20  # the same, each depth in its order
    assert [index.bit_length() for index, _ in packed] == sorted((i.bit_length() for i, _ in packed), reverse=True)
    assert sorted(rows) == sorted(plain[2]) and rows
    assert sorted(deleted) == sorted(plain[3]) == [12345, 2 ** 70 + 5]


@needs_native
@pytest.mark.parametrize("seed", range(12))
def test_the_compiled_walks_of_a_reach_give_the_python_ones(seed: int) -> None:
    """From a cache missing the children of some internal nodes (their pairs on disk), each pass of walks (the
    first from the root, sharing prefixes; then from where they stopped) ends at the same nodes, notes the same
    nodes walked through and stops at the same cold nodes, down to paths deeper than a machine word."""
    rng = random.Random(seed)
    full = deep_tree(seed)
    internal = [index for index, entry in full._nodes.items() if len(entry) == 32 and index > 1]
    on_disk = set(rng.sample(internal, len(internal) // 4))
    cache = {index: entry for index, entry in full._nodes.items()
             if not any(index >> shift in on_disk for shift in range(1, index.bit_length()))}
    paths = sorted([path for index, entry in full._nodes.items() if len(entry) == 96 for path in [entry[:32]]]
                   + [rng.randbytes(32) for _ in range(20)])
    paths += paths[:3]  # a path walked twice ends where it did
    paths.sort()
    waiting: list[tuple[bytes, int, int]] = [(path, 1, 0) for path in paths]
    shared = True
    passes = 0
    while waiting:
        results = []
        for walk in (_smt_native.walk, state_tree._walk):
            touched: list[list[int]] = [[] for _ in range(257)]
            results.append((walk(cache, list(waiting), shared, touched), touched))
        assert results[0] == results[1]
        (cold, waiting), touched = results[0]
        assert set(cold) <= {index >> 1 for index in full._nodes} and not set(cold) & {i >> 1 for i in cache}
        cache.update({child: full._nodes[child] for index in cold for child in (2 * index, 2 * index + 1)
                      if child in full._nodes})  # what _load_pairs caches
        shared = False
        passes += 1
    assert passes > 1  # some walks stopped at a node whose children were on disk
    assert cache == {index: full._nodes[index] for index in cache}


@needs_native
def test_the_compiled_walk_refuses_walks_of_the_wrong_shape() -> None:
    with pytest.raises(TypeError, match="expected walks as"):
        _smt_native.walk({}, [(b"short", 1, 0)], True, [[] for _ in range(257)])
    with pytest.raises(ValueError, match="expected a list of 257 lists"):
        _smt_native.walk({}, [], True, [])


@needs_native
@pytest.mark.parametrize("bad", [None, "size", "hash"])
def test_the_compiled_load_gives_the_python_cache_or_the_same_problem(bad: str | None) -> None:
    full = deep_tree(3)
    stored = stored_rows(full)
    internal = sorted(index for index, entry in full._nodes.items() if len(entry) == 32)
    found = {child: stored[child] for index in internal for child in (2 * index, 2 * index + 1) if child in stored}
    victim = internal[len(internal) // 2]
    if bad == "size":
        found[2 * victim] = found.get(2 * victim, sha(b"x")) + b"\x01"
    elif bad == "hash":
        found[2 * victim + 1] = sha(b"edited")
    caches = []
    problems = []
    for load in (_smt_native.load_pairs, state_tree._load_checked):
        cache = {index: full._nodes[index] for index in internal}  # every internal node, no leaf yet
        problems.append(load(cache, internal, dict(found)))
        caches.append(cache)
    assert problems[0] == problems[1]
    assert caches[0] == caches[1]
    if bad is None:
        assert problems[0] is None
        assert caches[0] == full._nodes  # every leaf loaded, as its entry
    else:
        assert caches[0] == {index: full._nodes[index] for index in internal}  # nothing cached at all
        assert problems[0] is not None
        assert problems[0][0] == (2 * victim if bad == "size" else victim)
        assert problems[0][1] == (len(found[2 * victim]) if bad == "size" else hash_of_pair(found, victim))


def hash_of_pair(found: dict[int, bytes], index: int) -> bytes:
    def entry_hash(node: bytes | None) -> bytes:
        if node is None:
            return bytes(32)
        return node if len(node) == 32 else sha(b"\x00" + node)
    return sha(b"\x01" + entry_hash(found.get(2 * index)) + entry_hash(found.get(2 * index + 1)))


@needs_native
def test_the_compiled_load_refuses_a_parent_that_is_not_a_cached_internal_node() -> None:
    with pytest.raises(ValueError, match="expected a cached internal node at 1"):
        _smt_native.load_pairs({1: b"r" * 96}, [1], {})
    with pytest.raises(TypeError, match="expected a stored node of bytes at 2, found str"):
        _smt_native.load_pairs({1: b"r" * 32}, [1], {2: "text"})  # type: ignore[dict-item]


@needs_native
def test_a_stored_tree_keeps_its_cache_in_a_table() -> None:
    tree = StoredTree(lambda indexes: {}, None, 0, capacity=64)
    tree.load_all((b"key %d" % i, hashlib.sha256(b"value %d" % i).digest()) for i in range(100))
    assert isinstance(tree._nodes, _smt_native.NodeTable)
    assert tree.root() == SparseMerkleTree.from_items(
        {b"key %d" % i: hashlib.sha256(b"value %d" % i).digest() for i in range(100)}).root()


def cache_trace(tree_file: TreeFile, seed: int) -> tuple[list[tuple[list[int], int]], type]:
    """Random reads, trims, updates and writes through a small cache: the positions cached and the paths remembered
    after each step, and the type of the order the cache kept."""
    rng = random.Random(seed)
    stored, trace = tree_file.open(40), []
    universe = [b"k%d" % i for i in range(300)]
    for block in range(40):
        changes = {rng.choice(universe): sha(b"%d %f" % (block, rng.random())) for _ in range(rng.choice([1, 10, 40]))}
        step = rng.random()
        if step < 0.4:
            stored.get_many(list(changes))
        elif step < 0.6:
            stored.get_many(rng.sample(universe, 20))
        elif step < 0.7:
            stored.trim()
        stored.update(changes)
        if rng.random() < 0.4:
            tree_file.flush(stored)
        trace.append((sorted(stored._nodes), len(stored._reached)))
    return trace, type(stored._lru)


@needs_native
@pytest.mark.parametrize("seed", range(4))
def test_the_compiled_eviction_leaves_the_cache_the_python_loop_leaves(tmp_path: Path, seed: int,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    compiled, compiled_order = cache_trace(TreeFile(tmp_path / "compiled.sqlite"), seed)
    with monkeypatch.context() as patched:  # the order of ledger.lru_order, so _evict takes its Python loop
        patched.setattr(state_tree, "_order", lambda keys=(): LruOrder(keys))
        python, python_order = cache_trace(TreeFile(tmp_path / "python.sqlite"), seed)
    assert (compiled_order, python_order) == (_smt_native.LruOrder, LruOrder)
    assert compiled == python
    assert any(remembered for _, remembered in compiled) and len({len(cached) for cached, _ in compiled}) > 1


@needs_native
def test_the_compiled_eviction_takes_pairs_beyond_a_machine_word_and_keeps_changed_ones() -> None:
    """Parents from 2^62 on (their children are kept beside the table's words) and from 2^63 on (beside the
    order's): evicted as the others; a pair with a changed child stays, tried again as the newest; a pair below a
    node a remembered path walks through says so."""
    small, wide, deep, changed = 5, (1 << 62) + 5, (1 << 70) + 1, (1 << 66) + 3
    nodes, dirty, through = _smt_native.NodeTable(), _smt_native.IndexSet(), _smt_native.IndexSet()
    for parent in (small, wide, deep, changed):
        nodes[2 * parent], nodes[2 * parent + 1] = sha(b"left %d" % parent), sha(b"right %d" % parent)
    dirty.add(2 * changed + 1)
    through.add(small)
    order = _smt_native.LruOrder([changed, small, wide, deep])
    assert order.evict(nodes, dirty, through, 2) is True
    assert sorted(nodes) == [2 * changed, 2 * changed + 1] and list(order) == [changed]
    assert order.evict(nodes, dirty, through, 2) is False  # within capacity: nothing to do
    dirty.clear()
    through.clear()
    assert order.evict(nodes, dirty, through, 0) is False
    assert len(nodes) == 0 and len(order) == 0


def rows_as_format_12(db_path: Path, edit: dict[int, bytes] | None = None) -> None:
    """Rewrite a closed store's tree as format 12 kept it (a row a node, under ``tree_key`` of its position; the
    deep ones in ``smt_deep``), with the nodes of ``edit`` in place of its own."""
    db = sqlite3.connect(db_path)
    with db:
        nodes = group_nodes([(key, bytes(row)) for key, row in db.execute("SELECT k, nodes FROM smt_groups")])
        nodes.update(edit or {})
        db.execute("CREATE TABLE smt_pos (k INTEGER PRIMARY KEY, node BLOB NOT NULL)")
        db.execute("CREATE TABLE smt_deep (k BLOB PRIMARY KEY, node BLOB NOT NULL) WITHOUT ROWID")
        db.executemany("INSERT INTO smt_pos VALUES (?, ?)", [(tree_key(i), node) for i, node in nodes.items()])
        db.execute("DELETE FROM smt_groups")
        db.execute("UPDATE meta SET value = '12' WHERE key = 'format'")
    db.close()


def test_a_store_of_format_12_gets_its_tree_in_groups(ledger_world: LedgerWorld, tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    """Format 12 kept a row a node: opening such a store rewrites them as groups of four levels and drops the old
    tables; the node goes on from the same root."""
    w = ledger_world
    data_dir = tmp_path / "node"
    status = closed_node_with_assets(w, data_dir)
    rows_as_format_12(data_dir / "ledger.sqlite")
    node = w.open_node(data_dir, ManualClock())
    try:
        assert "rewriting format 12 as format 14, once" in caplog.text
        assert node.store.get_meta("format") == "14"
        assert not node.store._has_table("smt_pos") and not node.store._has_table("smt_deep")
        assert node.status()["state_root"] == status["state_root"]
        assert node.audit() == len(node.state)
        w.new_asset(node, 7, 1_000)  # and it goes on
        status = node.status()
    finally:
        node.close()
    assert_only_the_tree(w, data_dir, status["state_root"])


def test_a_misshapen_node_of_format_12_is_refused(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    node = ledger_world.open_node(data_dir, ManualClock())
    ledger_world.new_asset(node, 2, 1_000)
    node.close()
    rows_as_format_12(data_dir / "ledger.sqlite", {2: b"\x01" * 5})
    with pytest.raises(StoreError, match=r"expected the state tree node at position 2 of .* to be a 32-byte hash or "
                                         r"a 64-byte leaf; the store was changed outside the node"):
        Store(data_dir / "ledger.sqlite")


def test_a_tree_held_whole_writes_the_rows_that_merging_its_changes_writes(tmp_path: Path) -> None:
    """A tree its cache holds whole writes each touched group's row from the cache (``TreeWrite.cached``); the
    same writes merged into the stored rows (the path of a tree not held whole) store the very same rows, through
    inserts, updates and deletions, and both reopen to the tree in memory."""
    if not smt_tree.NATIVE:
        pytest.skip("ledger_lite._smt_native is not built")
    whole, merged = TreeFile(tmp_path / "whole.sqlite"), TreeFile(tmp_path / "merged.sqlite")
    trees = {name: tree_file.open(1 << 20) for name, tree_file in (("whole", whole), ("merged", merged))}
    memory, model = SparseMerkleTree(), {}
    rng = random.Random(16)
    for batch in range(6):
        changes: dict[bytes, bytes | None] = {b"asset/%d" % rng.randrange(4000): sha(b"%d/%d" % (batch, i))
                                              for i in range(700)}
        changes.update(dict.fromkeys(rng.sample(sorted(model), min(len(model), 300))))
        expected = memory.update(changes)
        for name, tree in trees.items():
            assert tree.update(changes) == expected
            write = tree.pending()
            if name == "merged":  # as a tree not held whole writes them: its changes merged into the stored rows
                indexes, nodes, rows, deleted = _smt_native.pending(tree._nodes, tree._dirty)
                write = TreeWrite(rows, deleted, write.size, PackedRows(indexes, nodes))
            assert (write.cached is not None) == (name == "whole")
            (whole if name == "whole" else merged).write(tree, write)
        for key, value_hash in changes.items():
            model.pop(key, None) if value_hash is None else model.__setitem__(key, value_hash)
        for table in ("smt_groups", "smt_groups_deep"):
            query = f"SELECT k, nodes FROM {table} ORDER BY k"
            assert whole.db.execute(query).fetchall() == merged.db.execute(query).fetchall()
        assert whole.rows() == rows_of(memory)
    assert_same(whole.open(1 << 20), memory, list(model)[:50])
    whole.db.close()
    merged.db.close()
