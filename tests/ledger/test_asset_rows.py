"""Asset rows found by the first 8 bytes of their keys (ledger/storage.py, format 12): those written since the last
merge through memory, the others through ``asset_rows``; a deleted row's entry waits in ``asset_rows_gone`` for the
next merge. A store of format 11, with an index of every state key, is rewritten on open and serves the same answers,
and a key stored twice is refused."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from ledger.compact import FORM_RAW, pack_key
from ledger.errors import StoreError
from ledger.node import Node
from ledger.rules.expiry import RETENTION
from ledger.storage import FORMAT, Store, asset_prefix
from ledger_lite import canonical
from tests.helpers.ledger_world import LedgerWorld, ManualClock, slot
from tests.helpers.waiting import wait_for
from tests.ledger.support import expires_of, reading_at, rows


def _layout(db_path: Path) -> tuple[int, set[tuple[int, int]], set[tuple[int, int]], dict[int, int]]:
    """As committed (read beside the node): ``asset_rows_merged`` (1 until the first merge), the entries of
    ``asset_rows`` and of ``asset_rows_gone``, and every asset row (id → its key's prefix)."""
    (merged,), = rows(db_path, "SELECT coalesce((SELECT value FROM meta WHERE key = 'asset_rows_merged'), 1)")
    entries = set(rows(db_path, "SELECT prefix, id FROM asset_rows"))
    gone = {(prefix, row) for row, prefix in rows(db_path, "SELECT id, prefix FROM asset_rows_gone")}
    assets = {int(row): asset_prefix(bytes(key)) for row, key in rows(db_path, "SELECT id, key FROM state")
              if bytes(key)[:1] == b"\x01"}
    return int(merged), entries, gone, assets


def _stored(node: Node, asset: str) -> bool:
    """Whether the store finds the asset's row (read from the store, not the node's cache)."""
    return node.store.state_value(f"asset/{asset}") is not None


def test_asset_rows_are_found_before_and_after_they_are_merged(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """Readings, allocations (a part of an asset is a new one) and the sweep, with a merge every 3 rows: at
    every step the merged entries less the gone ones are exactly the rows below ``asset_rows_merged``, and every live
    asset is found, merged or not, after a restart too."""
    w = ledger_world
    clock = ManualClock()
    db_path = tmp_path / "node" / "ledger.sqlite"
    node = w.open_node(tmp_path / "node", clock, merge_rows=3)
    live: set[str] = set()
    swept: set[str] = set()
    merges: set[int] = set()
    gone_seen = 0

    def check() -> None:
        nonlocal live, swept, gone_seen
        merged, entries, gone, assets = _layout(db_path)
        merges.add(merged)
        gone_seen += len(gone)
        assert gone <= entries
        assert entries - gone == {(prefix, row) for row, prefix in assets.items() if row < merged}
        assert len(node.store._recent_rows) == sum(row >= merged for row in assets)
        still = {a for a in live if _stored(node, a)}
        swept |= live - still
        live = still
        assert not any(_stored(node, a) for a in swept)

    try:
        first = []
        for n in range(2, 6):
            first.append(w.new_asset(node, n))
            live.add(first[-1])
            check()
        for asset in first[:2]:  # a part of each allocated: a new asset
            live.update(w.commit(node, w.allocate([(asset, 4_000)]))["result"]["assets"])
            check()
        clock.set(max(expires_of(node, a) for a in first) + RETENTION)
        for _ in range(4):  # the first readings and their parts leave the state, a few a block
            live.add(reading_at(w, node, clock))
            clock.advance(1_800)
            check()
        assert swept and live
    finally:
        node.close()
    assert len(merges) >= 3 and gone_seen  # merged several times, with swept rows waiting in between
    node = w.open_node(tmp_path / "node", clock, merge_rows=3)
    try:
        assert all(_stored(node, a) for a in live) and not any(_stored(node, a) for a in swept)
        assert node.state.root() == node.head.state_root
        assert node.store.state_values == node.store.state_count()  # counted on open from the smaller tables
    finally:
        node.close()


def test_rows_written_since_the_merge_survive_a_crash(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """The files as a crash leaves them: the rows above ``asset_rows_merged`` are read into memory on start."""
    w = ledger_world
    clock = ManualClock()
    node = w.open_node(tmp_path / "node", clock, merge_rows=1_000)
    try:
        assets = [w.new_asset(node, n) for n in range(2, 5)]
        crashed = tmp_path / "crashed"
        crashed.mkdir()
        for name in ("ledger.sqlite", "ledger.sqlite-wal"):  # committed, and nothing written while copied
            shutil.copy(tmp_path / "node" / name, crashed / name)
    finally:
        node.close()
    assert rows(crashed / "ledger.sqlite", "SELECT count(*) FROM asset_rows") == [(0,)]
    node = w.open_node(crashed, clock, merge_rows=1_000)
    try:
        assert all(_stored(node, a) for a in assets)
        assert len(node.store._recent_rows) == len(assets)
        assert node.store.state_values == node.store.state_count()
    finally:
        node.close()


@pytest.mark.parametrize("merged", [False, True])
def test_assets_sharing_a_prefix_are_told_apart(ledger_world: LedgerWorld, tmp_path: Path, merged: bool) -> None:
    """Two asset rows filed under one prefix (as if their keys began with the same 8 bytes), merged or in memory:
    each is found by its whole key, and a key that only shares the prefix finds nothing."""
    w = ledger_world
    clock = ManualClock()
    node = w.open_node(tmp_path / "node", clock, merge_rows=2 if merged else 1_000)
    try:
        first, second = w.new_asset(node, 2), w.new_asset(node, 3)
        store = node.store
        store.settle()  # the last block's rows, if they were logged (``write_block(defer=True)``)
        shared = asset_prefix(pack_key(f"asset/{first}"))
        row = store._row_ids_of([f"asset/{second}"])[f"asset/{second}"]
        if merged:
            assert not store._recent_rows
            store._db.execute("INSERT INTO asset_rows(prefix, id) VALUES (?, ?)", (shared, row))
        else:
            store._recent_rows.add(shared, row)  # filed under ``first``'s prefix too
        assert store.state_value(f"asset/{first}") == node.store.state_values_at([f"asset/{first}"])[f"asset/{first}"]
        found = store.state_values_at([f"asset/{first}", f"asset/{second}"])
        assert found[f"asset/{first}"][1]["wh"] == found[f"asset/{second}"][1]["wh"] == 10_000
        assert found[f"asset/{first}"] != found[f"asset/{second}"]
        assert store.state_value(f"asset/{first[:16]}{'0' * 48}") is None
    finally:
        node.close()


def test_a_store_of_format_11_is_rewritten_with_the_same_answers(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock())
    asset = w.allocated_asset(node, 2)
    cert = w.commit(node, w.issue([asset]))["result"]["certificate_id"]
    kept = w.new_asset(node, 3)
    before = {key: node.store.state_value(key) for key in (f"asset/{asset}", f"asset/{kept}", f"cert/{cert}")}
    status = node.status()
    node.close()
    db_path = tmp_path / "node" / "ledger.sqlite"
    db = sqlite3.connect(db_path, isolation_level=None)
    try:  # the layout of format 11: every key in one unique index, no asset_rows
        db.execute("BEGIN")
        db.execute("DROP TABLE asset_rows")
        db.execute("DROP TABLE asset_rows_gone")
        db.execute("DROP INDEX state_by_text_key")
        db.execute("CREATE UNIQUE INDEX state_by_key ON state(key)")
        db.execute("DELETE FROM meta WHERE key = 'asset_rows_merged'")
        db.execute("UPDATE meta SET value = '11' WHERE key = 'format'")
        db.execute("COMMIT")
    finally:
        db.close()
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        assert node.store.get_meta("format") == FORMAT == "14"
        assert {key: node.store.state_value(key) for key in before} == before
        assert not node.store._recent_rows  # every row merged
        assert node.status() == status
        w.new_asset(node, 5)  # and it goes on
    finally:
        node.close()
    assert rows(db_path, "SELECT name FROM sqlite_schema WHERE name = 'state_by_key'") == []
    (assets,), = rows(db_path, "SELECT count(*) FROM state WHERE key >= x'01'")
    (merged,), = rows(db_path, "SELECT count(*) FROM asset_rows")
    assert merged == assets - 1  # all but the reading written after the rewrite


def test_a_text_key_stored_twice_is_refused_on_open(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    node = ledger_world.open_node(tmp_path / "node", ManualClock())
    cert = ledger_world.commit(node, ledger_world.issue([ledger_world.allocated_asset(node, 2)]))["result"]
    node.close()
    db_path = tmp_path / "node" / "ledger.sqlite"
    with sqlite3.connect(db_path) as db:
        db.execute("DROP INDEX state_by_text_key")  # which would refuse the second row
        db.execute("INSERT INTO state(key, value) SELECT key, value FROM state WHERE key = ?",
                   (pack_key(f"cert/{cert['certificate_id']}"),))
    db.close()
    with pytest.raises(StoreError, match="expected each state key once in .*, found one twice "
                                         r"\(UNIQUE constraint failed: state.key\); the store was changed outside"):
        Store(db_path)


def test_an_asset_key_stored_twice_is_refused_at_its_first_read(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """No index refuses a second row of an asset's key: the first read of the key finds both and refuses them."""
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock())
    asset, other = w.new_asset(node, 2), w.new_asset(node, 3)
    node.close()
    db_path = tmp_path / "node" / "ledger.sqlite"
    with sqlite3.connect(db_path) as db:
        db.execute("INSERT INTO state(key, value) SELECT key, value FROM state WHERE key = ?",
                   (pack_key(f"asset/{asset}"),))
    db.close()
    store = Store(db_path)
    try:
        assert store.state_value(f"asset/{other}") is not None
        with pytest.raises(StoreError, match=rf"expected each state key once in .*, found 'asset/{asset}' in rows "
                                             r"\d+ and \d+; the store was changed outside the node"):
            store.state_value(f"asset/{asset}")
    finally:
        store.close()


def test_an_idle_node_merges_once_half_the_rows_wait(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """The producer merges the recent asset rows once it has been idle ``idle_write_s`` and half of ``merge_rows``
    are waiting (``Store.rows_merge_due``), without a block doing it; fewer stay in memory."""
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock(), merge_rows=8)
    node.idle_write_s = 0.05
    try:
        w.new_asset(node, 2)
        node.store.settle()  # its row, if the block logged it (``write_block(defer=True)``)
        assert not node.store.rows_merge_due()  # 1 of 8
        assert len(node.store._recent_rows) == 1
        for n in range(3, 6):
            w.new_asset(node, n)
        assert wait_for(lambda: not node.store._recent_rows)
        (merged,), = rows(tmp_path / "node" / "ledger.sqlite", "SELECT count(*) FROM asset_rows")
        assert merged == 4
    finally:
        node.close()


def test_a_merge_that_fails_leaves_the_block_stored_and_its_rows_found(
        ledger_world: LedgerWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock(), merge_rows=1)
    try:
        merge = node.store._merge_rows

        def full_disk() -> None:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(node.store, "_merge_rows", full_disk)
        first = w.new_asset(node, 2)
        node.store.settle()  # its rows, if the block logged them (``write_block(defer=True)``)
        assert any("the recent asset rows could not be merged" in r.getMessage() and "disk is full" in r.getMessage()
                   for r in caplog.records)
        assert _stored(node, first) and len(node.store._recent_rows) == 1
        monkeypatch.setattr(node.store, "_merge_rows", merge)
        second = w.new_asset(node, 3)  # merged with this block
        node.store.settle()
        assert not node.store._recent_rows
        assert _stored(node, first) and _stored(node, second)
    finally:
        node.close()


@pytest.mark.parametrize("entered", [False, True])
def test_a_merged_row_added_where_a_new_reading_creates_its_asset(ledger_world: LedgerWorld, tmp_path: Path,
                                                                  entered: bool) -> None:
    """A row added below ``asset_rows_merged`` at the key the next reading's asset will have. Entered in
    ``asset_rows`` too, it is counted on start, and the start refuses the store. Not entered, it is never read: the
    block looks for a clash among the rows found through memory only (``Store._write_state``), so it is stored,
    and the audit refuses the store."""
    w = ledger_world
    clock = ManualClock()
    node = w.open_node(tmp_path / "node", clock, merge_rows=1)
    w.new_asset(node, 2)
    node.close()
    db_path = tmp_path / "node" / "ledger.sqlite"
    reading = w.generate(slot(3), 1_000)
    key = pack_key(f"asset/{reading.tx_id}")
    with sqlite3.connect(db_path) as db:
        assert int(db.execute("SELECT value FROM meta WHERE key = 'asset_rows_merged'").fetchone()[0]) > 1
        db.execute("INSERT INTO state(id, key, value) VALUES (0, ?, ?)", (key, bytes((FORM_RAW,)) + canonical({})))
        if entered:
            db.execute("INSERT INTO asset_rows(prefix, id) VALUES (?, 0)", (asset_prefix(key),))
    db.close()
    if entered:
        with pytest.raises(StoreError, match=r"the store holds (\d+) state values, but its state tree holds (?!\1)\d+: "
                                             r"the store was changed outside the node"):
            w.open_node(tmp_path / "node", clock, merge_rows=1_000)
        return
    node = w.open_node(tmp_path / "node", clock, merge_rows=1_000)
    try:
        assert w.submit_wait(node, reading)["code"] == "ok"
        assert node.store.state_value(f"asset/{reading.tx_id}")[1]["wh"] == 1_000
        with pytest.raises(StoreError, match=r"found the key of path .* twice"):
            node.audit()
    finally:
        node.close()
