"""The state's values and indexes on disk behind a bounded cache (issue #16, ``ledger.state_stored``): a node
whose cache holds a few values answers every read and index query as the state held in memory does, keeps its
cache within bound, and reads no asset when it starts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ledger.errors import StoreError
from ledger.node import Node
from ledger.state import EXPIRY_DAY, State
from ledger.storage import Store
from tests.helpers.ledger_world import LedgerWorld, ManualClock, recompute_state_root, slot

CACHE = 4


def in_memory(store: Store) -> State:
    """The same state, every value read into memory (the indexes of ``ledger.state`` without a store)."""
    state = State()
    for key, _, value in store.state_rows():
        state._set(key, value)
    return state


def assert_alike(node: Node, owners: list[str]) -> None:
    disk, memory = node.state, in_memory(node.store)
    assert disk.values is not None and memory.values is None
    assert len(disk) == len(memory)
    for prefix in ("registry/", "cert/", "asset/"):
        assert list(disk.items(prefix)) == list(memory.items(prefix))
    for owner in owners:
        assert disk.owned(owner) == memory.owned(owner)
        assert sorted(disk.owned_open(owner)) == sorted(memory.owned_open(owner))
        for at in (0, node.head.time, node.head.time + 40 * EXPIRY_DAY):
            assert [sorted(keys) for keys in disk.open_by_expiry_day(owner, at)] == [
                sorted(keys) for keys in memory.open_by_expiry_day(owner, at) if keys]
            assert [sorted(keys) for keys in disk.open_by_expiry_day(owner, at, of=lambda p, m: m == "none")] == []
        for key in memory.owned(owner):
            assert disk.get(key) == memory.get(key)
    assert disk.values.cached <= CACHE


def test_a_node_with_a_small_cache_answers_as_the_state_in_memory(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    db_path = tmp_path / "node" / "ledger.sqlite"
    db_path.parent.mkdir()

    def opened() -> Node:
        node = Node(Store(db_path, tree_cache=16, value_cache=CACHE), w.genesis(), w.validator, clock=ManualClock())
        node.start()
        return node

    owners = [w.intermediary.address, w.user.address, "gc1" + "00" * 20]
    node = opened()
    try:
        assets = [w.new_asset(node, slot, 1_000 * slot) for slot in range(2, 9)]
        assert_alike(node, owners)
        child = w.commit(node, w.allocate([(assets[0], 1_000)]))["result"]["assets"][0]  # split: part stays open
        w.commit(node, w.allocate([(assets[1], 3_000)]))  # all of it: no longer open
        w.commit(node, w.issue([child]))
        assert_alike(node, owners)
        root = node.status()["state_root"]
    finally:
        node.close()
    node = opened()
    try:
        assert node.status()["state_root"] == root == recompute_state_root(db_path).hex()
        assert_alike(node, owners)
        w.commit(node, w.allocate([(assets[2], 4_000)]))  # and it goes on
        assert_alike(node, owners)
    finally:
        node.close()


def test_a_node_reads_no_asset_when_it_starts(ledger_world: LedgerWorld, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A start reads the tree's root and what the node needs to run (its registry), not the assets."""
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        assets = [w.new_asset(node, slot, 1_000) for slot in range(2, 6)]
    finally:
        node.close()
    read: list[str] = []
    value, scan = Store.state_value, Store.state_scan
    monkeypatch.setattr(Store, "state_value", lambda self, key: read.append(key) or value(self, key))
    monkeypatch.setattr(Store, "state_scan", lambda self, prefix: read.append(prefix + "*") or scan(self, prefix))
    monkeypatch.setattr(Store, "state_rows", lambda self: pytest.fail("the whole state was read"))
    node = w.open_node(tmp_path / "node", ManualClock(), start=False)
    try:
        assert read == ["registry/*"]  # the validator set
        assert node.value(f"asset/{assets[0]}")["wh"] == 1_000  # read when asked for
        assert read[1:] == [f"asset/{assets[0]}"]
    finally:
        node.close()


def test_a_certificate_reads_its_assets_together(ledger_world: LedgerWorld, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A certificate of allocations made long ago (their values no longer cached) reads them in a few queries and
    one batch of tree walks (``State.prefetch``), not a query and a walk each; so does an allocation."""
    w = ledger_world
    node = Node(Store(tmp_path / "ledger.sqlite", tree_cache=16, value_cache=CACHE), w.genesis(), w.validator,
                clock=ManualClock())
    node.start()
    try:
        generated = [w.new_asset(node, n, 1_000) for n in range(2, 12)]
        one_by_one: list[str] = []
        together: list[list[str]] = []
        value, values_at = Store.state_value, Store.state_values_at
        monkeypatch.setattr(Store, "state_value", lambda self, key: one_by_one.append(key) or value(self, key))
        monkeypatch.setattr(Store, "state_values_at",
                            lambda self, keys: together.append(sorted(keys)) or values_at(self, keys))
        assets = w.commit(node, w.allocate([(a, 1_000) for a in generated]))["result"]["assets"]
        w.commit(node, w.generate(slot(12), 1_000))  # another block: most of them leave the cache again
        allocation_read = together[0]
        together.clear()
        certified = w.commit(node, w.issue(assets))["result"]
        for read, keys in ((allocation_read, generated), (together[0], assets)):
            assert set(read) <= {f"asset/{a}" for a in keys} and len(read) >= len(keys) - CACHE
        assert [key for key in one_by_one if key.startswith("asset/")] == []
        assert node.value(f"cert/{certified['certificate_id']}")["count"] == len(assets)
        assert node.state.values is not None and node.state.values.cached <= CACHE
    finally:
        node.close()


def test_a_new_readings_asset_is_not_looked_up_before_it_is_written(ledger_world: LedgerWorld, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A reading's asset is keyed by its transaction's id, which admission found new (``Overlay.create``): its
    block checks it absent in the tree's update and looks up in the store only the meter's record."""
    w = ledger_world
    node = Node(Store(tmp_path / "ledger.sqlite", tree_cache=16, value_cache=CACHE), w.genesis(), w.validator,
                clock=ManualClock())
    node.start()
    try:
        w.new_asset(node, 2, 1_000)
        looked_up: list[str] = []
        value, values_at = Store.state_value, Store.state_values_at
        monkeypatch.setattr(Store, "state_value", lambda self, key: looked_up.append(key) or value(self, key))
        monkeypatch.setattr(Store, "state_values_at",
                            lambda self, keys: looked_up.extend(keys) or values_at(self, keys))
        readings = [w.generate(slot(n), 1_000) for n in range(3, 8)]
        outcomes = [p.wait(30) for p in node.submit_many([r.encode() for r in readings])]
        assert [o["code"] for o in outcomes if o is not None] == ["ok"] * len(readings)
        assert not [key for key in looked_up if key.startswith("asset/")]
        assert [node.value(f"asset/{r.tx_id}")["wh"] for r in readings] == [1_000] * len(readings)
    finally:
        node.close()


EDITS = ["DELETE FROM state_open WHERE id = (SELECT min(id) FROM state_open)",  # an open asset hidden
         "UPDATE state_owner SET owner = owner + 1 WHERE id = (SELECT max(id) FROM state_owner)",  # given away
         "INSERT INTO state_owner VALUES (1, 999999)"]  # an entry of no value


@pytest.mark.parametrize("sql", EDITS)
def test_an_edited_index_is_refused_by_the_audit(ledger_world: LedgerWorld, tmp_path: Path, sql: str) -> None:
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        for slot in range(2, 5):
            w.new_asset(node, slot, 1_000)
        assert node.audit() == len(node.state)  # untouched: it passes
    finally:
        node.close()
    db = sqlite3.connect(tmp_path / "node" / "ledger.sqlite")
    with db:
        assert db.execute(sql).rowcount == 1
    db.close()
    node = w.open_node(tmp_path / "node", ManualClock(), start=False)
    try:
        table = "state_open" if "state_open" in sql else "state_owner"
        with pytest.raises(StoreError, match=f"the index {table} holds [0-9,]+ entries .* but the state values give "
                                             f"[0-9,]+ .*: the store was changed outside the node"):
            node.audit()
    finally:
        node.close()


def test_a_value_written_lately_is_written_again_without_looking_up_its_row(ledger_world: LedgerWorld,
                                                                           tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The store remembers the row ids of the state keys read or written lately (as many as it caches values):
    an allocation of an asset just generated updates its row without asking the store where it is."""
    w = ledger_world
    store = Store(tmp_path / "ledger.sqlite", tree_cache=16, value_cache=8)
    node = Node(store, w.genesis(), w.validator, clock=ManualClock())
    node.start()
    try:
        asset = w.new_asset(node, 2, 1_000)
        looked_up: list[str] = []
        rows = Store._stored_rows
        monkeypatch.setattr(Store, "_stored_rows",
                            lambda self, keys, **kw: looked_up.extend(keys) or rows(self, keys, **kw))
        w.commit(node, w.allocate([(asset, 1_000)], to=w.user.address))
        assert f"asset/{asset}" not in looked_up
        assert node.value(f"asset/{asset}")["trade"] != "open"
        for n in range(3, 20):  # more keys than the store remembers: the oldest are forgotten, then looked up
            w.new_asset(node, n, 1_000)
        assert len(store._row_ids) <= 8
        looked_up.clear()
        w.commit(node, w.allocate([(w.new_asset(node, 21, 1_000), 1_000)], to=w.user.address))
    finally:
        node.close()
    assert recompute_state_root(tmp_path / "ledger.sqlite") == node.head.state_root


def test_a_key_written_in_every_block_is_looked_up_once_in_a_while(ledger_world: LedgerWorld, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A meter's record is written with each of its readings, while each reading adds an asset whose row the store
    notes too: once pushed out of the rows it remembers, the record's row is looked up and noted again, not looked
    up in every block after."""
    w = ledger_world
    store = Store(tmp_path / "ledger.sqlite", tree_cache=16, value_cache=8)
    node = Node(store, w.genesis(), w.validator, clock=ManualClock())
    node.start()
    looked_up: list[str] = []
    rows = Store._stored_rows
    monkeypatch.setattr(Store, "_stored_rows",
                        lambda self, keys, **kw: looked_up.extend(keys) or rows(self, keys, **kw))
    try:
        for n in range(2, 42):  # 40 blocks of one reading each: its new asset's row and the meter's record's
            w.new_asset(node, n, 1_000)
        assert node.value(f"meter/{w.meter.address}")["covered"] == [[slot(2), slot(42)]]
    finally:
        node.close()
    # 64 look-ups when a key found in the store was not noted again; noted, it stays 7 blocks at least
    assert 1 <= looked_up.count(f"meter/{w.meter.address}") <= 40 // 7
    assert recompute_state_root(tmp_path / "ledger.sqlite") == node.head.state_root
