"""The sweep of expired assets (ledger/rules/expiry.py, issue 16): an asset leaves the state a retention period
after it expired, a bounded number a block in (expires, key) order, with its index entries and tree leaf, in the
block's own transaction; what was certified stays provable and is never certified again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ledger.compact import FORM_RAW, pack_key, unpack_value
from ledger.errors import StoreError
from ledger.node import Node
from ledger.rules import expiry
from ledger.rules.expiry import RETENTION
from ledger.state import State
from ledger.state_audit import audit_state
from ledger.state_encoding import encode_state
from ledger.storage import FORMAT, Store
from ledger_lite import BlockHeader, Commit, canonical
from ledger_lite.light import verify_state, verify_tx_in_block
from ledger_lite.smt_tree import SparseMerkleTree
from tests.helpers.ledger_world import (
    GENESIS_TIME,
    HALF_HOUR,
    LedgerWorld,
    ManualClock,
    recompute_state_root,
    slot,
)
from tests.ledger.support import assert_rejected, expires_of, in_state, reading_at, rows


def test_an_expired_asset_stays_refused_as_expired_for_the_retention(ledger_world: LedgerWorld,
                                                                      ledger_node: Node,
                                                                      ledger_clock: ManualClock) -> None:
    w = ledger_world
    a = w.new_asset(ledger_node, 2)
    expires = expires_of(ledger_node, a)
    ledger_clock.set(expires + RETENTION - 1)
    reading_at(w, ledger_node, ledger_clock)  # a block one second before it would be swept
    assert in_state(ledger_node, a)
    outcome = w.submit_wait(ledger_node, w.allocate([(a, 10_000)]))
    assert_rejected(outcome, "expired", 422, f"part 0: asset {a} expired at {expires}")


def test_an_asset_leaves_the_state_its_indexes_and_its_tree_after_the_retention(
        ledger_world: LedgerWorld, ledger_node: Node, ledger_clock: ManualClock, tmp_path: Path) -> None:
    w = ledger_world
    a = w.new_asset(ledger_node, 2)
    kept = w.new_asset(ledger_node, 40)  # expires 19 hours later
    ledger_clock.set(expires_of(ledger_node, a) + RETENTION)
    fresh = reading_at(w, ledger_node, ledger_clock)
    assert not in_state(ledger_node, a) and in_state(ledger_node, kept) and in_state(ledger_node, fresh)
    assert ledger_node.state.tree.get(f"asset/{a}".encode()) is None
    assert a not in ledger_node.state.owned(w.intermediary.address)
    assert a not in ledger_node.state.owned_open(w.intermediary.address)
    outcome = w.submit_wait(ledger_node, w.allocate([(a, 10_000)]))
    assert_rejected(outcome, "unknown_asset", 404, f"part 0: no asset {a} .*left the state")
    # its reading stays in history, with its inclusion proof
    assert ledger_node.tx(a)["height"] >= 1
    db = tmp_path / "node" / "ledger.sqlite"
    ledger_node.close()
    assert recompute_state_root(db) == ledger_node.head.state_root
    assert len(rows(db, "SELECT 1 FROM state_expiry")) == len(rows(db, "SELECT 1 FROM state_owner")) == 2
    reopened = w.open_node(tmp_path / "node", ledger_clock)
    try:
        assert reopened.state.root() == reopened.head.state_root
        assert not in_state(reopened, a)
        assert audit_state(reopened.store, reopened.head.state_root, reopened.head.height) == len(reopened.state)
    finally:
        reopened.close()


def test_a_swept_certified_asset_is_never_certified_again_and_its_certificate_still_verifies(
        ledger_world: LedgerWorld, ledger_node: Node, ledger_clock: ManualClock) -> None:
    w = ledger_world
    assets = [w.allocated_asset(ledger_node, n) for n in (2, 3)]
    certificate_id: str = w.commit(ledger_node, w.issue(assets))["result"]["certificate_id"]
    ledger_clock.set(max(expires_of(ledger_node, a) for a in assets) + RETENTION)
    reading_at(w, ledger_node, ledger_clock)
    assert not any(in_state(ledger_node, a) for a in assets)
    outcome = w.submit_wait(ledger_node, w.issue(assets))
    assert_rejected(outcome, "unknown_asset", 404, f"no asset {assets[0]} .*expired more than 7 days")
    # the online audit: the issuance in its block, the certificate's record proven against the head
    validators = [w.validator.public]
    tx = ledger_node.tx(certificate_id)
    assert verify_tx_in_block(tx, ledger_node.block(tx["height"]), validators, w.chain_id).tx_id == certificate_id
    state = ledger_node.proven_value(f"cert/{certificate_id}")
    record = verify_state(state, BlockHeader.from_json(ledger_node.block(state["height"])["header"]))
    assert record["assets"] == sorted(assets) and record["revoked"] is None
    # and each swept asset's reading too
    for asset_id in assets:
        reading = ledger_node.tx(asset_id)
        assert verify_tx_in_block(reading, ledger_node.block(reading["height"]), validators, w.chain_id).tx_id \
            == asset_id


def test_an_allocated_asset_waits_for_its_certificate_however_old_then_leaves_once_certified(
        ledger_world: LedgerWorld, ledger_node: Node, ledger_clock: ManualClock, tmp_path: Path) -> None:
    w = ledger_world
    allocated = w.allocated_asset(ledger_node, 2)
    open_one = w.new_asset(ledger_node, 3)
    ledger_clock.set(expires_of(ledger_node, allocated) + RETENTION + 90 * 86_400)  # three months after
    reading_at(w, ledger_node, ledger_clock)
    assert in_state(ledger_node, allocated) and not in_state(ledger_node, open_one)
    certificate_id = w.commit(ledger_node, w.issue([allocated]))["result"]["certificate_id"]
    assert ledger_node.value(f"asset/{allocated}")["cert"] == certificate_id
    ledger_clock.set(ledger_clock() + HALF_HOUR)
    reading_at(w, ledger_node, ledger_clock)  # the next block sweeps it: certified and long expired
    assert not in_state(ledger_node, allocated)
    db = tmp_path / "node" / "ledger.sqlite"
    ledger_node.close()
    assert recompute_state_root(db) == ledger_node.head.state_root
    reopened = w.open_node(tmp_path / "node", ledger_clock)
    try:
        assert audit_state(reopened.store, reopened.head.state_root, reopened.head.height) == len(reopened.state)
    finally:
        reopened.close()


def test_a_block_sweeps_at_most_its_bound_lowest_expiry_and_key_first(
        ledger_world: LedgerWorld, ledger_node: Node, ledger_clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    w = ledger_world
    solar = [w.new_asset(ledger_node, n) for n in (2, 3)]
    oil = [w.new_asset(ledger_node, n, 10_000, meter=w.meter_oil) for n in (2, 3)]
    by_expiry = sorted((expires_of(ledger_node, a), a) for a in solar + oil)
    monkeypatch.setattr(expiry, "MAX_SWEPT", 3)
    ledger_clock.set(by_expiry[-1][0] + RETENTION)
    reading_at(w, ledger_node, ledger_clock)
    assert [in_state(ledger_node, a) for _, a in by_expiry] == [False, False, False, True]
    ledger_clock.advance(HALF_HOUR)
    reading_at(w, ledger_node, ledger_clock)
    assert not in_state(ledger_node, by_expiry[-1][1])


def test_the_memory_state_takes_expiry_then_key_order_whatever_the_order_written() -> None:
    """The state in memory (tests, tools) takes the keys the store does (next test): (expires, key) order."""
    values = {f"asset/{n:064x}": {"owner": "o", "expires": 100 + n % 3, "trade": "open"} for n in range(30, 0, -1)}
    values["cert/x"] = {"expires": 0}  # not an asset: never swept
    memory = State()
    memory.load((k, b"", v) for k, v in values.items())
    due = sorted((v["expires"], k) for k, v in values.items() if k.startswith("asset/") and v["expires"] <= 101)
    for limit in (1, 5, 10, 11, 30, 40):
        assert memory.expired(101, limit) == [k for _, k in due[:limit]]
    memory.apply({due[0][1]: None}, {due[0][1]: None})
    assert memory.expired(101, 1) == [due[1][1]] and memory.get(due[0][1]) is None


def test_the_store_orders_a_tie_at_the_bound_by_key(tmp_path: Path) -> None:
    store = Store(tmp_path / "ledger.sqlite")
    try:
        keys = [f"asset/{n:064x}" for n in range(9, 0, -1)]  # inserted in descending key order
        writes = {k: {"owner": "o", "expires": 100 if i < 3 else 200, "trade": "open"} for i, k in enumerate(keys)}
        header = BlockHeader(chain="c", height=1, prev_hash=b"\0" * 32, time=1, tx_root=b"\0" * 32,
                             state_root=b"\0" * 32, validators_hash=b"\0" * 32)
        store.write_block(header, Commit(header.hash(), ()), [],
                          {k: (v, encode_state(v)) for k, v in writes.items()})
        expected = sorted((v["expires"], k) for k, v in writes.items())
        for limit in (1, 3, 4, 5, 9, 20):
            found = store.expired_values(200, limit)
            assert [k for k, _ in found] == [k for _, k in expected[:limit]]
            assert all(value == writes[k] and encoded == encode_state(writes[k]) for k, (encoded, value) in found)
        assert [k for k, _ in store.expired_values(150, 20)] == [k for e, k in expected if e == 100]
    finally:
        store.close()


def test_a_store_of_format_5_gets_its_expiry_index(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    node = ledger_world.open_node(tmp_path / "node")
    assets = [ledger_world.new_asset(node, n) for n in (2, 3, 4)]
    node.close()
    db = tmp_path / "node" / "ledger.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE state_expiry")
        conn.execute("UPDATE meta SET value = '5' WHERE key = 'format'")
    conn.close()
    reopened = ledger_world.open_node(tmp_path / "node", start=False)
    try:
        assert reopened.store.get_meta("format") == FORMAT
        assert len(rows(db, "SELECT 1 FROM state_expiry")) == len(assets)
        assert audit_state(reopened.store, reopened.head.state_root, reopened.head.height) == len(reopened.state)
    finally:
        reopened.close()


def test_an_edited_expiry_index_fails_the_audit(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    node = ledger_world.open_node(tmp_path / "node")
    ledger_world.new_asset(node, 2)
    node.close()
    db = tmp_path / "node" / "ledger.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE state_expiry SET expires = expires + 1")
    conn.close()
    reopened = ledger_world.open_node(tmp_path / "node", start=False)
    try:
        with pytest.raises(Exception, match="the index state_expiry holds 1 entries"):
            audit_state(reopened.store, reopened.head.state_root, reopened.head.height)
    finally:
        reopened.close()


def test_a_sweep_logged_but_not_in_the_stored_tree_is_replayed_on_restart(
        ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """A crash after a sweeping block committed, before the tree was written: the logged deletions are put back
    into the stored tree on start and the root matches the signed head."""
    clock = ManualClock()
    node = ledger_world.open_node(tmp_path / "node", clock)
    a = ledger_world.new_asset(node, 2)
    node.store.flush_tree(node.head.height)  # the tree on disk holds the asset
    clock.set(expires_of(node, a) + RETENTION)
    reading_at(ledger_world, node, clock)
    assert not in_state(node, a)
    head = node.head
    node.stop()  # no close(): the tree's last changes are not written, only logged (a crash)
    node._admission.close()
    node.store.close()
    db = tmp_path / "node" / "ledger.sqlite"
    assert rows(db, "SELECT count(*) FROM smt_redo")[0][0] >= 1
    reopened = ledger_world.open_node(tmp_path / "node", clock, start=False)
    try:
        assert reopened.head.hash() == head.hash()
        assert reopened.state.root() == head.state_root == recompute_state_root(db)
        assert not in_state(reopened, a)
    finally:
        reopened.close()



def asset_stored(w: LedgerWorld, data_dir: Path, clock: ManualClock) -> tuple[str, int]:
    """A node over ``data_dir`` commits one reading's asset and closes: its id and when it expires."""
    node = w.open_node(data_dir, clock)
    try:
        a = w.new_asset(node, 2)
        return a, expires_of(node, a)
    finally:
        node.close()


def edit_by_hand(db: Path, key: str) -> None:
    """Change the stored value at ``key`` as someone with the file could: another amount, stored in the raw form."""
    (stored,), = rows(db, "SELECT value FROM state WHERE key = ?", pack_key(key))
    _, value = unpack_value(key, stored)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE state SET value = ? WHERE key = ?",
                     (bytes((FORM_RAW,)) + canonical({**value, "wh": 20_000}), pack_key(key)))
    conn.close()


def test_an_expired_asset_edited_by_hand_is_refused_when_the_sweep_reads_it(ledger_world: LedgerWorld,
                                                                            tmp_path: Path) -> None:
    """The sweep reads each expired value with the query that finds it (``Store.expired_values``): an edited one
    no longer hashes to its leaf, and the block that would sweep it is refused, nothing committed or swept."""
    w = ledger_world
    clock = ManualClock()
    a, expires = asset_stored(w, tmp_path / "node", clock)
    key = f"asset/{a}"
    edit_by_hand(tmp_path / "node" / "ledger.sqlite", key)
    clock.set(expires + RETENTION)
    reopened = w.open_node(tmp_path / "node", clock)
    try:
        height = reopened.status()["height"]
        n = (clock() - GENESIS_TIME) // HALF_HOUR - 1
        outcome = w.submit_wait(reopened, w.generate(slot(n), 10_000))
        assert outcome["code"] == "store_changed" and f"stored state value '{key}' hashes to" in outcome["message"]
        assert reopened.status()["height"] == height
        assert reopened.state.tree.get(key.encode()) is not None  # not swept
        # checked by the block's own update (no walk to it first): refused again by the next block, not cached
        outcome = w.submit_wait(reopened, w.generate(slot(n - 1), 10_000))
        assert outcome["code"] == "store_changed" and f"stored state value '{key}' hashes to" in outcome["message"]
        assert reopened.status()["height"] == height
    finally:
        reopened.close()


def test_the_sweep_walks_to_each_expired_asset_once_in_its_blocks_update(ledger_world: LedgerWorld, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """An expired value the sweep reads is checked against its leaf by the update that deletes it
    (``SparseMerkleTree.update(held=…)``), not looked up in the tree first."""
    w = ledger_world
    clock = ManualClock()
    a, expires = asset_stored(w, tmp_path / "node", clock)
    clock.set(expires + RETENTION)
    reopened = w.open_node(tmp_path / "node", clock)  # nothing cached
    walked: list[bytes] = []
    get_many = SparseMerkleTree.get_many
    monkeypatch.setattr(SparseMerkleTree, "get_many", lambda self, keys: walked.extend(keys) or get_many(self, keys))
    try:
        n = (clock() - GENESIS_TIME) // HALF_HOUR - 1
        assert w.submit_wait(reopened, w.generate(slot(n), 10_000))["code"] == "ok"
        assert f"asset/{a}".encode() not in walked
        assert reopened.state.tree.get(f"asset/{a}".encode()) is None  # swept
    finally:
        reopened.close()


def test_an_edited_expired_value_read_and_not_deleted_is_refused_when_the_block_ends(ledger_world: LedgerWorld,
                                                                                   tmp_path: Path) -> None:
    """A value the sweep read while a block executed and that no update checked (the block was not prepared) is
    checked when the block's execution ends (``StoredValues.check_deferred``), and leaves the cache if edited."""
    w = ledger_world
    clock = ManualClock()
    node = w.open_node(tmp_path / "node", clock)
    try:
        a, b = w.new_asset(node, 2), w.new_asset(node, 3)
        cutoff = max(expires_of(node, a), expires_of(node, b))
    finally:
        node.close()
    key = f"asset/{a}"
    edit_by_hand(tmp_path / "node" / "ledger.sqlite", key)
    reopened = w.open_node(tmp_path / "node", clock, start=False)
    try:
        values = reopened.state.values
        assert values is not None
        with pytest.raises(StoreError, match=f"stored state value '{key}' hashes to"), reopened.state.deferring():
            assert sorted(reopened.state.expired(cutoff, 10)) == sorted([key, f"asset/{b}"])
        assert key not in values._cache
        with pytest.raises(StoreError, match=f"stored state value '{key}' hashes to"):  # read again, refused again
            reopened.state.get(key)
        assert reopened.state.get(f"asset/{b}") is not None
    finally:
        reopened.close()
