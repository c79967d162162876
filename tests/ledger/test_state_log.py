"""A block stored with its state writes logged (``Store.write_block(defer=True)``): its client is answered after a
small commit, its rows are written later (``Store.settle``), and nothing of it is lost or taken unchecked."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import cbor2
import pytest

from ledger.compact import pack_key
from ledger.errors import Rejected, StoreError
from ledger.node import Node
from ledger.storage import Store
from ledger_lite import canonical
from tests.helpers.ledger_world import (
    WAIT_S,
    LedgerWorld,
    ManualClock,
    crash,
    recompute_state_root,
    reopen_fails,
    slot,
)
from tests.helpers.waiting import wait_for


def logged_heights(db_path: Path) -> list[int]:
    """The blocks whose writes the store's file holds in ``state_log`` (read beside the node's connection)."""
    with closing(sqlite3.connect(db_path)) as db:
        return [int(h) for h, in db.execute("SELECT height FROM state_log ORDER BY height")]


def state_key_count(db_path: Path, key_blob: bytes) -> int:
    with closing(sqlite3.connect(db_path)) as db:
        return int(db.execute("SELECT count(*) FROM state WHERE key = ?", (key_blob,)).fetchone()[0])


def idle_never(node: Node) -> Node:
    """Keep the node from writing a logged block's rows when idle: only reads, blocks and closing do."""
    node.tidy_after_s = 3600.0
    return node


def test_a_lone_block_is_logged_and_read_as_if_its_rows_were_written(ledger_world: LedgerWorld,
                                                                      tmp_path: Path) -> None:
    w = ledger_world
    db_path = tmp_path / "node" / "ledger.sqlite"
    node = idle_never(w.open_node(tmp_path / "node", ManualClock()))
    try:
        asset = w.new_asset(node, 2, 10_000)
        height = node.status()["height"]
        assert logged_heights(db_path) == [height]  # nothing else was queued: its writes were logged
        assert state_key_count(db_path, pack_key(f"asset/{asset}")) == 0  # and its row is not written yet
        assert recompute_state_root(db_path).hex() == node.status()["state_root"]  # the file holds it all
        # A read of the state writes the rows first, and finds the block's value.
        assert node.store.state_value(f"asset/{asset}") is not None
        assert logged_heights(db_path) == []
        assert state_key_count(db_path, pack_key(f"asset/{asset}")) == 1
        assert recompute_state_root(db_path).hex() == node.status()["state_root"]
    finally:
        node.close()


def test_every_read_of_the_state_writes_the_logged_rows_first(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """Each way the store reads its state or indexes answers as it would had the rows been written with the
    block (``Store.settle`` first): values, scans, owners, counts, the audit's full reads, the sweep's query."""
    w = ledger_world
    db_path = tmp_path / "node" / "ledger.sqlite"
    node = idle_never(w.open_node(tmp_path / "node", ManualClock()))
    store = node.store
    try:
        asset = w.new_asset(node, 2, 10_000)
        key = f"asset/{asset}"

        def owner_entries() -> int:
            return sum(1 for table, _ in store.index_entries() if table == "owner")

        reads = {  # each given the key of the asset the block just made, and what was counted before it
            "owner_id": lambda child, count, owned: store.owner_id(w.user.address) is not None,
            "state_value": lambda child, count, owned: store.state_value(child) is not None,
            "state_values_at": lambda child, count, owned: child in store.state_values_at([child]),
            "state_scan": lambda child, count, owned: child in [k for k, _, _ in store.state_scan("asset/")],
            "owned_keys": lambda child, count, owned: child in store.owned_keys(w.user.address),
            "state_values": lambda child, count, owned: store.state_values == count + 1,
            "state_count": lambda child, count, owned: store.state_count() == count + 1,
            "state_rows": lambda child, count, owned: child in [k for k, _, _ in store.state_rows()],
            "iter_state": lambda child, count, owned: child in dict(store.iter_state()),
            "index_entries": lambda child, count, owned: owner_entries() == owned + 1,
            "open_keys": lambda child, count, owned: [k for day in store.open_keys(
                node.state.get(key)["owner"]) for k in day] == [key],
            "expired_values": lambda child, count, owned: store.expired_values(0, 10) == [],
        }
        for name, read in reads.items():
            count, owned = store.state_values, owner_entries()
            child = w.commit(node, w.allocate([(asset, 1)]))["result"]["assets"][0]  # a lone block, logged
            assert logged_heights(db_path) == [node.status()["height"]], name
            assert read(f"asset/{child}", count, owned), name
            assert logged_heights(db_path) == [], name
    finally:
        node.close()


def test_the_next_block_writes_the_logged_rows_before_its_own(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    db_path = tmp_path / "node" / "ledger.sqlite"
    node = idle_never(w.open_node(tmp_path / "node", ManualClock()))
    try:
        for n in range(2, 6):
            w.new_asset(node, n, 1_000)
            assert logged_heights(db_path) == [node.status()["height"]]  # the one before was written
        assert recompute_state_root(db_path).hex() == node.status()["state_root"]
        assert node.audit() == len(node.state)
    finally:
        node.close()
    assert logged_heights(db_path) == []  # closing writes them


def test_a_bulk_block_is_written_whole(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """Readings sent in bulk (``submit_many``, no one waiting on a single one) are stored with their rows, even in a
    block with nothing queued behind it: logging them to write them later would cost more in all."""
    w = ledger_world
    db_path = tmp_path / "node" / "ledger.sqlite"
    node = idle_never(w.open_node(tmp_path / "node", ManualClock()))
    try:
        pendings = node.submit_many([w.generate(slot(n), 1_000).encode() for n in range(2, 6)])
        outcomes = [p.wait(WAIT_S) for p in pendings if not isinstance(p, Rejected)]
        assert [o["code"] if o else None for o in outcomes] == ["ok"] * 4
        assert logged_heights(db_path) == []
        for outcome in outcomes:
            assert state_key_count(db_path, pack_key(f"asset/{outcome['result']['asset_id']}")) == 1
        w.new_asset(node, 7, 1_000)  # while a single reading's block is logged, as before
        assert logged_heights(db_path) == [node.status()["height"]]
    finally:
        node.close()


def test_the_idle_node_writes_the_logged_rows(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    db_path = tmp_path / "node" / "ledger.sqlite"
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        w.new_asset(node, 2, 10_000)
        assert wait_for(lambda: logged_heights(db_path) == [])
    finally:
        node.close()


def test_a_node_that_stopped_before_writing_them_writes_them_on_open(ledger_world: LedgerWorld,
                                                                     tmp_path: Path) -> None:
    """The files as SIGKILL leaves them after a lone block: its writes in ``state_log`` alone. The next open
    writes their rows before anything else; the node is at the head's root, its values read back, the audit
    passes."""
    w = ledger_world
    data_dir = tmp_path / "node"
    node = idle_never(w.open_node(data_dir, ManualClock()))
    asset = w.new_asset(node, 2, 10_000)
    child = w.commit(node, w.allocate([(asset, 4_000)]))["result"]["assets"][0]
    status = node.status()
    assert logged_heights(data_dir / "ledger.sqlite") == [status["height"]]
    crash(node)
    node = w.open_node(data_dir, ManualClock())
    try:
        assert logged_heights(data_dir / "ledger.sqlite") == []
        assert node.status()["state_root"] == status["state_root"]
        assert recompute_state_root(data_dir / "ledger.sqlite").hex() == status["state_root"]
        assert node.state.get(f"asset/{child}")["wh"] == 4_000
        assert node.store.owned_keys(w.user.address) == [f"asset/{child}"]
        assert node.audit() == len(node.state)
        assert w.commit(node, w.allocate([(asset, 1_000)]))["code"] == "ok"  # and it goes on
    finally:
        node.close()


def _crashed_with_a_logged_block(w: LedgerWorld, data_dir: Path) -> tuple[str, str]:
    node = idle_never(w.open_node(data_dir, ManualClock()))
    asset = w.new_asset(node, 2, 10_000)
    child = w.commit(node, w.allocate([(asset, 4_000)]))["result"]["assets"][0]
    crash(node)
    return asset, child


def _edit_log(db_path: Path, change: Callable[[list[list[Any]]], bytes]) -> None:
    with closing(sqlite3.connect(db_path)) as db, db:
        (height, blob), = db.execute("SELECT height, writes FROM state_log").fetchall()
        db.execute("UPDATE state_log SET writes = ? WHERE height = ?", (change(cbor2.loads(blob)), height))


def test_a_logged_value_edited_is_refused(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """A value changed in the log becomes the row's value, and the state no longer gives the signed root: the node
    refuses it on start (its key is among the block's keys logged for the tree, ``smt_redo``)."""
    w = ledger_world
    data_dir = tmp_path / "node"
    _, child = _crashed_with_a_logged_block(w, data_dir)

    def more_wh(entries: list[list[Any]]) -> bytes:
        for entry in entries:
            if entry[0] == f"asset/{child}":
                value = cbor2.loads(entry[1])
                value["wh"] = 9_999
                entry[1] = canonical(value)
        return bytes(cbor2.dumps(entries))

    _edit_log(data_dir / "ledger.sqlite", more_wh)
    error = reopen_fails(w, data_dir / "ledger.sqlite")  # its open writes the edited value as a row
    assert re.fullmatch(r"stored state hashes to \w+, but the signed header of block \d+ commits to \w+: the store "
                        r"was changed outside the node", str(error)), error


def test_a_log_that_does_not_decode_is_refused_on_open(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    data_dir = tmp_path / "node"
    _crashed_with_a_logged_block(w, data_dir)
    _edit_log(data_dir / "ledger.sqlite", lambda entries: b"\xff\x00")
    with pytest.raises(StoreError, match=r"the state writes logged for block \d+ do not decode: .*changed outside"):
        Store(data_dir / "ledger.sqlite")


def test_a_row_deleted_under_a_running_node_refuses_the_lone_block_before_it_is_logged(
        ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """The checks of the rows that a logged block will change are made before it is stored: a row deleted under
    the node refuses the block (``store_changed``), nothing is logged, and other blocks go on."""
    w = ledger_world
    db_path = tmp_path / "node" / "ledger.sqlite"
    node = idle_never(w.open_node(tmp_path / "node", ManualClock()))
    try:
        asset = w.new_asset(node, 2, 10_000)
        node.store.settle()
        height = node.status()["height"]
        key_blob = next(k for k, in sqlite3.connect(db_path).execute("SELECT key FROM state ORDER BY id DESC LIMIT 1"))
        with closing(sqlite3.connect(db_path)) as db, db:
            db.execute("DELETE FROM state WHERE key = ?", (key_blob,))
        outcome = w.submit_wait(node, w.allocate([(asset, 4_000)]))
        assert (outcome["code"], outcome["status"]) == ("store_changed", 500)
        assert "expected to update 1 state row(s) this block changes, found 0 of them" in outcome["message"]
        assert node.status()["height"] == height
        assert logged_heights(db_path) == []
    finally:
        node.close()
