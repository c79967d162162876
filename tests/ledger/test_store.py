"""SQLite storage: a restart keeps everything; a store changed outside the node is refused on start."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import cbor2
import pytest

from ledger import storage, wal_checkpointer
from ledger.compact import FORM_RAW, pack_key, unpack_value
from ledger.errors import NotFound, StoreError
from ledger.node import Node
from ledger.node_base import Pending
from ledger.storage import Store, id_prefix
from ledger_lite import BlockHeader, Commit, canonical, verify_commit
from tests.helpers.ledger_world import LedgerWorld, ManualClock, recompute_state_root, reopen_fails, slot
from tests.helpers.sqlite_alone import query_file_alone
from tests.helpers.waiting import wait_for


def populated(world: LedgerWorld, data_dir: Path) -> dict[str, Any]:
    """A node with a generation, a split allocation and a certificate; closed. Returns what it served."""
    node = world.open_node(data_dir, ManualClock())
    try:
        a = world.new_asset(node, 2, 10_000)
        child = world.commit(node, world.allocate([(a, 4_000)]))["result"]["assets"][0]
        cert = world.issue([child])
        world.commit(node, cert)
        return {"status": node.status(), "asset": a, "child": child, "cert": cert.tx_id,
                "tx": node.tx(cert.tx_id), "blocks": [node.block(h) for h in range(node.status()["height"] + 1)],
                "assets": node.assets(world.user.address), "certs": node.certificates(world.user.address),
                "registry": node.registry()}
    finally:
        node.close()


RAW = bytes((FORM_RAW,))


def edit(db_path: Path, sql: str, *params: Any) -> None:
    db = sqlite3.connect(db_path)
    try:
        with db:
            changed = db.execute(sql, params).rowcount
        assert changed == 1, f"{sql} changed {changed} rows"
    finally:
        db.close()


def test_restart_keeps_everything(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    before = populated(w, tmp_path / "node")
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        status = node.status()
        for name in ("chain_id", "height", "state_root", "head_hash", "time"):
            assert status[name] == before["status"][name]
        assert node.tx(before["cert"]) == before["tx"]
        assert [node.block(h) for h in range(status["height"] + 1)] == before["blocks"]
        assert node.assets(w.user.address) == before["assets"]
        assert node.certificates(w.user.address) == before["certs"]
        assert node.registry() == before["registry"]
        # Committed transactions stay duplicates; already-certified assets stay certified.
        outcome = w.submit_wait(node, w.issue([before["child"]]))
        assert (outcome["code"], outcome["certificate_id"]) == ("already_issued", before["cert"])
        # The chain continues on top of the stored head.
        w.commit(node, w.allocate([(before["asset"], 6_000)]))
        header = BlockHeader.from_json(node.block(status["height"] + 1)["header"])
        assert header.prev_hash.hex() == before["status"]["head_hash"]
    finally:
        node.close()


def test_stored_state_matches_the_signed_head(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    before = populated(ledger_world, tmp_path / "node")
    root = recompute_state_root(tmp_path / "node" / "ledger.sqlite")
    assert root.hex() == before["status"]["state_root"]
    header = BlockHeader.from_json(before["blocks"][-1]["header"])
    assert header.state_root == root
    verify_commit(header, Commit.from_json(before["blocks"][-1]["commit"]), ledger_world.genesis().validators())


def edit_value(db_path: Path, key: str, **changes: Any) -> None:
    """Change fields of the stored value at ``key`` by hand, as someone with the file would (a node not running)."""
    db = sqlite3.connect(db_path)
    try:
        row = db.execute("SELECT value FROM state WHERE key = ?", (pack_key(key),)).fetchone()
    finally:
        db.close()
    _, value = unpack_value(key, row[0])
    edit(db_path, "UPDATE state SET value = ? WHERE key = ?", RAW + canonical({**value, **changes}), pack_key(key))


def opened(world: LedgerWorld, db_path: Path) -> Node:
    return Node(Store(db_path), world.genesis(), world.validator, clock=ManualClock())


def test_edited_state_row_is_refused_at_its_first_read_and_by_the_audit(ledger_world: LedgerWorld,
                                                                         tmp_path: Path) -> None:
    """Issue #16: the node starts without re-reading its state; an edited value is refused when first read
    (it no longer hashes to its leaf in the stored tree) and by the full audit."""
    before = populated(ledger_world, tmp_path / "node")
    db_path = tmp_path / "node" / "ledger.sqlite"
    key = f"asset/{before['child']}"
    edit_value(db_path, key, wh=40_000, cert=None)
    node = opened(ledger_world, db_path)
    try:
        assert node.value(f"asset/{before['asset']}")["wh"] == 6_000  # what was not edited is served
        with pytest.raises(StoreError, match=rf"stored state value '{key}' hashes to [0-9a-f]{{64}}, but the state "
                                             r"tree \(checked against the signed header\) holds value hash "
                                             r"[0-9a-f]{64}: the store was changed outside the node") as caught:
            node.value(key)
        assert caught.value.code == "store_inconsistent" and caught.value.status == 503
        with pytest.raises(StoreError):  # every read of it, not only the first
            node.assets(ledger_world.user.address)
        error = audit_fails(node)
    finally:
        node.close()
    assert str(error) == (f"the stored state values hash to root {recompute_state_root(db_path).hex()}, but the "
                          f"signed header of block {before['status']['height']} commits to "
                          f"{before['status']['state_root']}: the store was changed outside the node")


def test_an_edited_asset_read_ahead_by_a_certificate_is_refused(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """A certificate reads its assets ahead, together (``State.prefetch``): an edited one is refused all the same,
    the certificate with it, and the untouched ones still certify."""
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        edited, untouched = (w.allocated_asset(node, n, 2_000) for n in (2, 3))
    finally:
        node.close()
    db_path = tmp_path / "node" / "ledger.sqlite"
    key = f"asset/{edited}"
    edit_value(db_path, key, wh=20_000)
    node = opened(w, db_path)
    try:
        node.start()
        height = node.status()["height"]
        outcome = w.submit_wait(node, w.issue([untouched, edited]))
        assert outcome["code"] != "ok" and f"stored state value '{key}' hashes to" in outcome["message"]
        assert node.status()["height"] == height
        with pytest.raises(StoreError, match=f"stored state value '{key}' hashes to"):  # not cached as read
            node.value(key)
        assert w.commit(node, w.issue([untouched]))["code"] == "ok"
    finally:
        node.close()


def test_an_asset_edited_to_look_certified_is_refused_not_taken_for_issued(ledger_world: LedgerWorld,
                                                                            tmp_path: Path) -> None:
    """A certificate's assets read ahead are checked by the block's tree update (``ledger.state_stored``): one edited
    to name a certificate, which its rule refuses without writing it, is checked when the block ends and refused as
    a store changed outside the node, not answered ``already_issued``."""
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        edited = w.allocated_asset(node, 2, 2_000)
    finally:
        node.close()
    db_path = tmp_path / "node" / "ledger.sqlite"
    key = f"asset/{edited}"
    edit_value(db_path, key, cert="ab" * 32)
    node = opened(w, db_path)
    try:
        node.start()
        height = node.status()["height"]
        outcome = w.submit_wait(node, w.issue([edited]))
        assert (outcome["code"], outcome["status"]) == ("store_changed", 500)
        assert f"stored state value '{key}' hashes to" in outcome["message"]
        assert node.status()["height"] == height
        with pytest.raises(StoreError, match=f"stored state value '{key}' hashes to"):  # not cached as read
            node.value(key)
    finally:
        node.close()


def audit_fails(node: Node) -> StoreError:
    with pytest.raises(StoreError) as caught:
        node.audit()
    return caught.value


@pytest.mark.parametrize("change", ["delete", "insert"])
def test_deleted_or_inserted_rows_are_refused_on_start(ledger_world: LedgerWorld, tmp_path: Path,
                                                       change: str) -> None:
    w = ledger_world
    populated(w, tmp_path / "node")
    db_path = tmp_path / "node" / "ledger.sqlite"
    count = sqlite3.connect(db_path).execute("SELECT count(*) FROM state").fetchone()[0]
    if change == "delete":
        edit(db_path, "DELETE FROM state WHERE key = (SELECT key FROM state WHERE key > ? LIMIT 1)",
             pack_key("cert/"))
        found = count - 1
    else:
        edit(db_path, "INSERT INTO state(key, value) VALUES (?, ?)", pack_key("asset/" + "ee" * 32),
             RAW + canonical({"owner": "x", "wh": 1}))
        found = count + 1
    error = reopen_fails(w, db_path)
    assert str(error) == (f"the store holds {found} state values, but its state tree holds {count}: the store was "
                          f"changed outside the node")


def test_a_deleted_row_is_refused_at_its_first_read_even_with_the_count_fixed(ledger_world: LedgerWorld,
                                                                              tmp_path: Path) -> None:
    """Someone deletes a certificate (to issue its assets again) and fixes the stored count to match."""
    w = ledger_world
    before = populated(w, tmp_path / "node")
    db_path = tmp_path / "node" / "ledger.sqlite"
    edit(db_path, "DELETE FROM state WHERE key = ?", pack_key(f"cert/{before['cert']}"))
    edit(db_path, "UPDATE meta SET value = value - 1 WHERE key = 'smt_size'")
    node = opened(w, db_path)
    try:
        node.start()
        outcome = w.submit_wait(node, w.issue([before["child"]]))  # the asset itself still says it is certified
        assert (outcome["code"], outcome["certificate_id"]) == ("already_issued", before["cert"])
        with pytest.raises(StoreError, match=f"state key 'cert/{before['cert']}' is missing from the store"):
            node.value(f"cert/{before['cert']}")
        audit_fails(node)
    finally:
        node.close()


def test_a_deleted_row_that_a_block_writes_again_is_refused_with_the_block(ledger_world: LedgerWorld,
                                                                          tmp_path: Path) -> None:
    """Someone deletes the meter's record of the intervals it reported (to report one again) and fixes the count.
    The rule reads the key as absent (checked only when the block's update walks its path, ``ledger.state_stored``)
    and writes it: the whole block is refused before anything is stored, and the node goes on serving."""
    w = ledger_world
    populated(w, tmp_path / "node")
    db_path = tmp_path / "node" / "ledger.sqlite"
    meter_key = f"meter/{w.meter.address}"
    edit(db_path, "DELETE FROM state WHERE key = ?", pack_key(meter_key))
    edit(db_path, "UPDATE meta SET value = value - 1 WHERE key = 'smt_size'")
    node = opened(w, db_path)
    try:
        node.start()
        height = node.status()["height"]
        outcome = w.submit_wait(node, w.generate(slot(3), 1_000))
        assert (outcome["code"], outcome["status"]) == ("store_changed", 500)
        assert outcome["message"] == (f"the block could not be executed, nothing was committed: state key "
                                      f"{meter_key!r} is missing from the store, but the state tree (checked "
                                      f"against the signed header) holds it: the store was changed outside the node")
        assert node.status()["height"] == height
        with pytest.raises(StoreError, match=f"state key '{meter_key}' is missing from the store"):
            node.value(meter_key)  # not left in the cache as absent
        outcome = w.submit_wait(node, w.generate(slot(4), 1_000))  # refused again, not accepted
        assert outcome["code"] == "store_changed"
        assert node.status()["height"] == height
        audit_fails(node)
    finally:
        node.close()


def test_a_row_added_where_a_new_reading_creates_its_asset_is_refused_with_the_block(ledger_world: LedgerWorld,
                                                                                      tmp_path: Path) -> None:
    """Someone adds a row at the key the next reading's asset will have. The block does not look that key up
    (``Overlay.create``: a new reading's asset cannot exist yet) and the tree holds none, so the block's insert
    finds the row: the whole block is refused, nothing is stored, and the node goes on serving."""
    w = ledger_world
    populated(w, tmp_path / "node")
    db_path = tmp_path / "node" / "ledger.sqlite"
    reading = w.generate(slot(3), 1_000)
    key = f"asset/{reading.tx_id}"
    edit(db_path, "INSERT INTO state(id, key, value) VALUES ((SELECT max(id) + 1 FROM state), ?, ?)", pack_key(key),
         bytes((FORM_RAW,)) + canonical({"wh": 1}))
    edit(db_path, "UPDATE meta SET value = value + 1 WHERE key = 'smt_size'")  # the count a start compares
    node = opened(w, db_path)
    try:
        node.start()
        height = node.status()["height"]
        outcome = w.submit_wait(node, reading)
        assert (outcome["code"], outcome["status"]) == ("store_changed", 500)
        assert outcome["message"] == (f"the block could not be stored, nothing was committed: expected no stored "
                                      f"value at state key {key!r}, which this block creates, found one, and the "
                                      f"state tree (checked against the signed header) holds none: the store was "
                                      f"changed outside the node")
        assert node.status()["height"] == height
        assert w.submit_wait(node, reading)["code"] == "store_changed"  # refused again, not accepted
        assert w.submit_wait(node, w.generate(slot(4), 1_000))["code"] == "ok"  # other readings go on
        audit_fails(node)
    finally:
        node.close()


def test_a_row_deleted_under_a_running_node_refuses_the_block_that_changes_it(ledger_world: LedgerWorld,
                                                                              tmp_path: Path) -> None:
    """The node remembers where an asset it just wrote is stored; someone deletes that row while it runs. The
    block that changes the asset finds no row there and is refused whole (``store_changed``), nothing stored."""
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        asset = w.new_asset(node, 2, 10_000)
        height = node.status()["height"]
        node.store.settle()  # its row is written (a lone block's may wait for the node to be idle)
        edit(tmp_path / "node" / "ledger.sqlite", "DELETE FROM state WHERE key = ?", pack_key(f"asset/{asset}"))
        outcome = w.submit_wait(node, w.allocate([(asset, 4_000)]))
        assert (outcome["code"], outcome["status"]) == ("store_changed", 500)
        assert outcome["message"] == ("the block could not be stored, nothing was committed: expected to update 1 "
                                      "state row(s) this block changes, found 0 of them: the store was changed "
                                      "outside the node")
        assert node.status()["height"] == height
        assert w.submit_wait(node, w.generate(slot(4), 1_000))["code"] == "ok"  # other readings go on
    finally:
        node.close()


def test_a_renamed_registry_row_is_refused_on_start(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """The node reads its registry when it starts (the validator set), so that first read refuses the store."""
    w = ledger_world
    populated(w, tmp_path / "node")
    db_path = tmp_path / "node" / "ledger.sqlite"
    # hand Consumer Cb's registry entry to an outsider's address
    edit(db_path, "UPDATE state SET key = ? WHERE key = ?", pack_key(f"registry/{w.outsider.address}"),
         pack_key(f"registry/{w.user2.address}"))
    error = reopen_fails(w, db_path)
    assert str(error).startswith(f"stored state value 'registry/{w.outsider.address}' hashes to ")
    assert str(error).endswith("but the state tree (checked against the signed header) holds no such key: the store "
                               "was changed outside the node")


def test_a_renamed_asset_row_is_refused_at_its_first_read(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    before = populated(w, tmp_path / "node")
    db_path = tmp_path / "node" / "ledger.sqlite"
    moved = "asset/" + "ab" * 32
    edit(db_path, "UPDATE state SET key = ? WHERE key = ?", pack_key(moved), pack_key(f"asset/{before['asset']}"))
    node = opened(w, db_path)
    try:
        with pytest.raises(StoreError, match=f"state key 'asset/{before['asset']}' is missing from the store"):
            node.value(f"asset/{before['asset']}")
        with pytest.raises(StoreError, match=f"stored state value '{moved}' hashes to [0-9a-f]{{64}}, but the state "
                                             f"tree .* holds no such key"):
            node.value(moved)
        audit_fails(node)
    finally:
        node.close()


def test_the_audit_passes_on_an_untouched_store_and_shows_progress(ledger_world: LedgerWorld,
                                                                   tmp_path: Path) -> None:
    before = populated(ledger_world, tmp_path / "node")
    node = opened(ledger_world, tmp_path / "node" / "ledger.sqlite")
    shown: list[int] = []
    try:
        assert node.audit(lambda percent, _: shown.append(percent)) == node.store.state_count() == len(node.state)
        assert node.status()["state_root"] == before["status"]["state_root"]
    finally:
        node.close()
    assert shown[0] == 0 and shown[-1] == 100 and shown == sorted(shown)


def test_edited_head_header_is_refused_on_start(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    before = populated(ledger_world, tmp_path / "node")
    db_path = tmp_path / "node" / "ledger.sqlite"
    height = before["status"]["height"]
    db = sqlite3.connect(db_path)
    header = cbor2.loads(db.execute("SELECT header FROM blocks WHERE height = ?", (height,)).fetchone()[0])
    db.close()
    # Someone changes the state and "fixes" the header's state root to match: the commit no longer does.
    edit(db_path, "UPDATE blocks SET header = ? WHERE height = ?",
         canonical({**header, "state_root": b"\x00" * 32}), height)
    error = reopen_fails(ledger_world, db_path)
    assert str(error).startswith(f"the last block {height} has no valid commit: commit is for header ")


def test_store_of_another_chain_is_refused(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    populated(ledger_world, tmp_path / "node")
    other = LedgerWorld(chain_id="greencert-other").genesis()
    error = reopen_fails(ledger_world, tmp_path / "node" / "ledger.sqlite", other)
    assert "holds chain 'greencert-test', expected 'greencert-other'" in str(error)


def test_garbage_state_row_is_a_store_error_at_its_first_read(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """The node reads no asset when it starts (its values stay on disk): the garbage is refused when read."""
    before = populated(ledger_world, tmp_path / "node")
    db_path = tmp_path / "node" / "ledger.sqlite"
    edit(db_path, "UPDATE state SET value = ? WHERE key = ?", b"\x01\xff\xfe", pack_key(f"asset/{before['asset']}"))
    node = opened(ledger_world, db_path)
    try:
        with pytest.raises(StoreError, match=f"asset/{before['asset']}"):
            node.value(f"asset/{before['asset']}")
        audit_fails(node)
    finally:
        node.close()


def test_genesis_only_store_reopens(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    node = ledger_world.open_node(tmp_path / "node", start=False)
    first = node.status()
    node.close()
    node = ledger_world.open_node(tmp_path / "node", start=False)
    try:
        assert node.status() == first
        assert first["height"] == 0
        assert recompute_state_root(tmp_path / "node" / "ledger.sqlite").hex() == first["state_root"]
    finally:
        node.close()


def test_transactions_whose_ids_share_a_prefix_are_told_apart(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """Ids are found by their first 8 bytes (ledger/storage.py), which anyone can make two transactions share:
    each is found by its whole id, and an id that only shares the prefix finds nothing."""
    w = ledger_world
    before = populated(w, tmp_path / "node")
    db_path = tmp_path / "node" / "ledger.sqlite"
    asset, cert = bytes.fromhex(before["asset"]), bytes.fromhex(before["cert"])
    # file the certificate request under the reading's prefix too (as if its id began with the same 8 bytes)
    edit(db_path, "INSERT INTO tx_ids SELECT ?, seq FROM tx_ids WHERE prefix = ?", id_prefix(asset), id_prefix(cert))
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        assert node.tx(before["asset"])["tx_id"] == before["asset"]
        assert node.tx(before["cert"])["tx_id"] == before["cert"]
        assert node.store.committed([before["asset"], before["cert"]]) == {before["asset"], before["cert"]}
        other = (asset[:8] + bytes(24)).hex()
        with pytest.raises(NotFound, match=f"no committed transaction {other}"):
            node.tx(other)
        assert not node.store.has_tx(other)
    finally:
        node.close()


def test_committed_answers_for_ids_beyond_one_lookup_chunk(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """``Store.committed`` looks ids up a few hundred at a time: held ids anywhere among 1,200 are found, once each,
    and ids that are not held (malformed, or sharing only a held id's prefix) are not."""
    w = ledger_world
    before = populated(w, tmp_path / "node")
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        absent = [bytes([i % 256, i // 256]).hex() + "ab" * 30 for i in range(1_200)]
        shares_prefix = (bytes.fromhex(before["asset"])[:8] + bytes(24)).hex()
        asked = [*absent[:600], before["asset"], *absent[600:1_100], before["cert"], "not an id", shares_prefix,
                 before["asset"], *absent[1_100:]]
        assert node.store.committed(asked) == {before["asset"], before["cert"]}
        assert node.store.committed(absent) == set()
    finally:
        node.close()



@pytest.mark.parametrize("which", ["cert", "asset"])
def test_an_edited_transaction_is_not_served(ledger_world: LedgerWorld, tmp_path: Path, which: str) -> None:
    """The state still matches, so the node starts; the edited transaction (a certificate request stored as it
    is, or a reading in its compact form) is refused when asked for, with the reason."""
    w = ledger_world
    before = populated(w, tmp_path / "node")
    db_path = tmp_path / "node" / "ledger.sqlite"
    tx_id = bytes.fromhex(before[which])
    db = sqlite3.connect(db_path)
    seq, stored = db.execute("SELECT t.seq, t.stored FROM tx_ids i JOIN txs t ON t.seq = i.seq WHERE i.prefix = ?",
                             (id_prefix(tx_id),)).fetchone()
    db.close()
    edit(db_path, "UPDATE txs SET stored = ? WHERE seq = ?", stored[:-1] + bytes((stored[-1] ^ 1,)), seq)
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        with pytest.raises(StoreError, match="do not hash to the transaction root its signed header commits to"):
            node.tx(before[which])
        assert node.status()["state_root"] == before["status"]["state_root"]
    finally:
        node.close()


def test_a_block_that_cannot_be_stored_commits_nothing_and_says_so(ledger_world: LedgerWorld, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        asset = w.new_asset(node, 2, 10_000)
        before = node.status()
        real_write = node.store.write_block

        def disk_full(*args: Any, **kwargs: Any) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(node.store, "write_block", disk_full)
        allocation = w.allocate([(asset, 4_000)])
        outcome = w.submit_wait(node, allocation)
        assert (outcome["code"], outcome["status"]) == ("store_unavailable", 503)
        assert "nothing was committed: database or disk is full" in outcome["message"]
        assert node.status()["state_root"] == before["state_root"] and node.status()["height"] == before["height"]
        assert node.state.root().hex() == before["state_root"]  # the prepared block was taken out of the tree
        monkeypatch.setattr(node.store, "write_block", real_write)
        assert w.commit(node, allocation)["code"] == "ok"  # the same transaction goes through once there is room
        assert recompute_state_root(tmp_path / "node" / "ledger.sqlite").hex() == node.status()["state_root"]
    finally:
        node.close()


def test_reading_a_namespace_does_not_walk_the_assets() -> None:
    """``State.items("registry/")`` costs the registry's size, not the state's (issue #17): it never touches an
    asset key, and gives the keys in the order they were first written."""
    from ledger.state import State

    class Counting(dict):  # type: ignore[type-arg]
        walked = 0

        def items(self):  # type: ignore[no-untyped-def, override]
            Counting.walked += 1
            return super().items()

    state = State()
    for i in range(50):
        state._set(f"asset/{i:064x}", {"owner": "x", "wh": 1})
    for name in ("b", "a", "c"):
        state._set(f"registry/{name}", {"role": "meter"})
    state._set("registry/a", {"role": "user"})  # a rewrite keeps its place
    state._values = Counting(state._values)
    assert [k for k, _ in state.items("registry/")] == ["registry/b", "registry/a", "registry/c"]
    assert dict(state.items("registry/a")) == {"registry/a": {"role": "user"}}
    assert Counting.walked == 0
    assert len(list(state.items("asset/"))) == 50 and Counting.walked == 1


def test_the_open_assets_of_an_owner_are_kept_apart() -> None:
    """``State.owned_open`` (what the intermediary allocates from) is exactly the owner's assets open for trade,
    through partial use, completion and a change of owner, however many completed ones pile up (issue #17)."""
    from ledger.state import State

    state = State()

    def asset(owner: str, trade: str, wh: int = 10) -> dict[str, object]:
        return {"owner": owner, "trade": trade, "wh": wh, "method": "solar", "start": 0, "end": 1, "expires": 9}

    for i in range(6):
        state._set(f"asset/{i}", asset("da", "open"))
    state._set("asset/0", asset("da", "open", wh=4))  # partly allocated: still open
    state._set("asset/1", asset("da", "completed"))  # used up
    state._set("asset/2", asset("ca", "completed"))  # moved to a consumer
    assert sorted(state.owned_open("da")) == ["asset/0", "asset/3", "asset/4", "asset/5"]
    assert state.owned_open("ca") == [] and state.owned("ca") == ["asset/2"]
    for owner in ("da", "ca"):  # the invariant, as a check of the index against a scan
        assert sorted(state.owned_open(owner)) == sorted(
            k for k in state.owned(owner) if (state.get(k) or {}).get("trade") == "open")


def test_a_certification_writes_no_owner_or_open_index_rows(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """Certifying changes neither an asset's owner nor its openness: its block deletes and inserts no entries of
    ``state_owner`` and ``state_open`` (the same entries written again cost a 900-asset issuance a tenth of its
    store time), and the indexes still answer as before."""
    world = ledger_world
    node = world.open_node(tmp_path / "n", ManualClock())
    try:
        a = world.new_asset(node, 2, 10_000)
        children = world.commit(node, world.allocate([(a, 4_000), (a, 3_000)]))["result"]["assets"]
        owned_before = sorted(node.store.owned_keys(world.user.address))
        statements: list[str] = []
        node.store._db.set_trace_callback(statements.append)
        world.commit(node, world.issue(children))
        node.store.settle()  # its rows, if the node has not written them yet (``Store.write_block(defer=True)``)
        node.store._db.set_trace_callback(None)
        assert any(s.startswith("UPDATE state SET value") for s in statements), statements  # the block was traced
        touched = [s for s in statements if "state_owner" in s or "state_open" in s]
        assert touched == [], touched
        assert sorted(node.store.owned_keys(world.user.address)) == owned_before == sorted(
            f"asset/{c}" for c in children)
        assert [k for day in node.store.open_keys(world.user.address) for k in day] == []
        assert all(node.state.get(f"asset/{c}")["cert"] for c in children)
    finally:
        node.close()


def _height_in_database_alone(data_dir: Path, tmp_path: Path) -> int | None:
    """The last block height in the node's database file read without its write-ahead log (a copy of the file
    alone): what a checkpoint has copied into it. None while the copy is torn."""
    row = query_file_alone(data_dir / "ledger.sqlite", tmp_path, "SELECT MAX(height) FROM blocks")
    return None if row is None else row[0]


def _node_with_three_assets(world: LedgerWorld, data_dir: Path) -> Node:
    """A node opened at ``data_dir`` that committed three readings (closed if that fails)."""
    node = world.open_node(data_dir, ManualClock())
    try:
        for n in range(2, 5):
            world.new_asset(node, n, 1_000)
    except BaseException:
        node.close()
        raise
    return node


def test_an_idle_node_copies_its_write_ahead_log_into_the_database(ledger_world: LedgerWorld, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """``Store.checkpoint`` from the producer when it has nothing to do: the blocks reach the database file itself,
    not only its write-ahead log, without waiting for SQLite's own checkpoint (``WAL_PAGES``, far off here)."""
    monkeypatch.setattr(storage, "CHECKPOINT_ROWS", 1)
    data_dir = tmp_path / "node"
    node = _node_with_three_assets(ledger_world, data_dir)
    try:
        height = node.head.height
        assert wait_for(lambda: _height_in_database_alone(data_dir, tmp_path) == height)
    finally:
        node.close()


def test_a_large_write_ahead_log_is_copied_back_beside_the_commits(ledger_world: LedgerWorld, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the log holds ``WAL_PAGES`` pages, the commit that finds it so has the store's checkpointer copy it back on
    a thread of its own (``ledger.wal_checkpointer``), not in the commit; SQLite's own checkpoint waits for many more
    pages (``WAL_BOUND_PAGES``, far off here), and the idle node's is off."""
    monkeypatch.setattr(storage, "WAL_PAGES", 8)
    monkeypatch.setattr(storage, "CHECKPOINT_ROWS", 10**9)
    data_dir = tmp_path / "node"
    node = ledger_world.open_node(data_dir, ManualClock())
    try:
        assert node.store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == storage.WAL_BOUND_PAGES >= 65536
        for n in range(2, 6):
            ledger_world.new_asset(node, n, 1_000)
        height = node.head.height
        assert wait_for(lambda: _height_in_database_alone(data_dir, tmp_path) == height)
        checkpointer = node.store._checkpointer
        assert checkpointer is not None and checkpointer.runs >= 1
    finally:
        node.close()
    assert checkpointer._thread is None  # stopped with the store


def test_while_clients_wait_on_blocks_the_log_is_copied_back_sooner(ledger_world: LedgerWorld, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks a client waits on (``write_block``'s ``defer``) have the checkpointer copy the log back from
    ``WAL_WAITED_PAGES`` pages, bulk blocks only from ``WAL_PAGES``: each copy's sync, which a waited commit's own
    sync may meet, stays small."""
    monkeypatch.setattr(storage, "WAL_PAGES", 10**6)
    monkeypatch.setattr(storage, "WAL_WAITED_PAGES", 8)
    monkeypatch.setattr(storage, "CHECKPOINT_ROWS", 10**9)
    node = ledger_world.open_node(tmp_path / "node", ManualClock(), linger_s=0)
    try:
        checkpointer = node.store._checkpointer
        assert checkpointer is not None
        for n in range(2, 6):  # bulk: a block each, nobody waiting
            pending = node.submit_many([ledger_world.generate(slot(n), 1_000).encode()])[0]
            assert isinstance(pending, Pending) and pending.wait(10) is not None
        assert node.store._wal_grown() >= 8 * node.store._frame_bytes and checkpointer.runs == 0
        ledger_world.new_asset(node, 6, 1_000)  # waited on
        assert wait_for(lambda: checkpointer.runs >= 1)
    finally:
        node.close()


def test_an_idle_node_leaves_a_large_copy_to_the_checkpointer_and_cuts_the_log_after(
        ledger_world: LedgerWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Store.checkpoint`` (the idle producer's) finding ``WAL_WAITED_PAGES`` or more pages not copied back asks the
    checkpointer to copy them on its thread and leaves the file (``log_waits``); once they are copied, it cuts it."""
    monkeypatch.setattr(storage, "WAL_PAGES", 10**6)  # the bulk blocks below ask for no copy themselves
    monkeypatch.setattr(storage, "WAL_WAITED_PAGES", 8)
    monkeypatch.setattr(storage, "CHECKPOINT_ROWS", 1)
    data_dir = tmp_path / "node"
    node = ledger_world.open_node(data_dir, ManualClock(), linger_s=0)
    node.tidy_after_s = 3600.0  # the idle producer's own call does not come during the test
    try:
        store, checkpointer = node.store, node.store._checkpointer
        assert checkpointer is not None
        for n in range(2, 8):
            pending = node.submit_many([ledger_world.generate(slot(n), 1_000).encode()])[0]
            assert isinstance(pending, Pending) and pending.wait(10) is not None
        assert store._wal_index.uncopied() >= 8 and checkpointer.runs == 0
        assert store.checkpoint() is False  # asked the checkpointer, left the file
        assert wait_for(lambda: checkpointer.runs >= 1 and not checkpointer.busy)
        assert store._wal_index.uncopied() == 0 and _wal_bytes(data_dir) > 0
        assert store.checkpoint() is True and _wal_bytes(data_dir) == 0  # now only the cut
        assert _height_in_database_alone(data_dir, tmp_path) == node.head.height
    finally:
        node.close()


def test_an_idle_node_leaves_a_few_rows_to_a_later_checkpoint(ledger_world: LedgerWorld, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "node"
    node = ledger_world.open_node(data_dir, ManualClock())
    try:
        ledger_world.new_asset(node, 2, 1_000)
        monkeypatch.setattr(storage, "CHECKPOINT_ROWS", 1)
        node.store.checkpoint()  # everything so far in the database file (unless the producer copied it already)
        monkeypatch.setattr(storage, "CHECKPOINT_ROWS", 10_000)
        assert _height_in_database_alone(data_dir, tmp_path) == node.head.height
        ledger_world.new_asset(node, 3, 1_000)
        time.sleep(0.3)  # idle meanwhile
        assert node.store.checkpoint() is False  # a block of a few rows is left in the log...
        alone = _height_in_database_alone(data_dir, tmp_path)
        assert alone is not None and alone < node.head.height  # ... and its database file lacks it
    finally:
        node.close()


def _wal_bytes(data_dir: Path) -> int:
    wal = data_dir / "ledger.sqlite-wal"
    return wal.stat().st_size if wal.exists() else 0


def test_an_idle_checkpoint_empties_the_log_so_that_the_next_commit_need_not(ledger_world: LedgerWorld,
                                                                             tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """``Store.checkpoint`` (the idle node's) copies the log back and cuts its file to nothing; with a reader in the
    log it waits for nobody: the file stays, and the connection's own wait for locks is as before."""
    data_dir = tmp_path / "node"
    node = ledger_world.open_node(data_dir, ManualClock())
    node.tidy_after_s = 3600.0  # only the calls below
    try:
        for n in range(2, 5):
            ledger_world.new_asset(node, n, 1_000)
        monkeypatch.setattr(storage, "CHECKPOINT_ROWS", 10**9)
        monkeypatch.setattr(storage, "WAL_TRUNCATE_BYTES", 10**12)
        assert _wal_bytes(data_dir) > 0 and node.store.checkpoint() is False  # neither rows nor bytes enough
        monkeypatch.setattr(storage, "WAL_TRUNCATE_BYTES", 1)
        waits = node.store._db.execute("PRAGMA busy_timeout").fetchone()[0]
        reader = sqlite3.connect(data_dir / "ledger.sqlite")
        try:
            reader.execute("BEGIN")
            assert reader.execute("SELECT MAX(height) FROM blocks").fetchone()[0] == node.head.height
            assert node.store.checkpoint() is True
            assert _wal_bytes(data_dir) > 0  # the reader keeps the log
            assert node.store._db.execute("PRAGMA busy_timeout").fetchone()[0] == waits > 0
        finally:
            reader.close()
        assert node.store.checkpoint() is True
        assert _wal_bytes(data_dir) == 0
        assert _height_in_database_alone(data_dir, tmp_path) == node.head.height
        ledger_world.new_asset(node, 5, 1_000)  # the log starts again
        assert _wal_bytes(data_dir) > 0
    finally:
        node.close()


def test_a_write_of_the_tree_made_while_idle_leaves_no_log_behind(ledger_world: LedgerWorld, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """``ledger.producer``: a write of the tree made while idle is followed by a tidy whose checkpoint copies it back
    and empties the log, so that the next client's commit does not (a large log took it 52 ms to cut)."""
    monkeypatch.setattr(storage, "WAL_TRUNCATE_BYTES", 1)
    data_dir = tmp_path / "node"
    node = _node_with_three_assets(ledger_world, data_dir)
    try:
        assert wait_for(lambda: _wal_bytes(data_dir) == 0)  # the tidy after the blocks
        assert node.store.redo_keys()  # the tree not written yet
        node.idle_write_s, node.store.tree._idle_flush_at = 0.05, 1
        with node._cv:
            node._cv.notify_all()  # the producer looks again at what it has to do
        assert wait_for(lambda: not node.store.redo_keys())  # written while idle...
        assert wait_for(lambda: _wal_bytes(data_dir) == 0)  # ... and its log emptied after it
        assert _height_in_database_alone(data_dir, tmp_path) == node.head.height
    finally:
        node.close()


def test_an_idle_node_empties_the_log_once_the_checkpointer_has_copied_it(ledger_world: LedgerWorld, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """While the store's checkpointer copies the log back (here: held before it starts) and a reader keeps the log,
    the idle node's tidy cannot empty it and comes again (``Store.log_waits``); once both are done, it empties it
    and stops coming."""
    monkeypatch.setattr(storage, "WAL_TRUNCATE_BYTES", 1)
    data_dir = tmp_path / "node"
    node = ledger_world.open_node(data_dir, ManualClock())
    node.tidy_after_s = 0.02
    tidied: list[bool] = []
    tidy = node._tidy

    def counted_tidy() -> bool:
        again = tidy()
        tidied.append(again)
        return again

    monkeypatch.setattr(node, "_tidy", counted_tidy)
    connect = sqlite3.connect
    started, release = threading.Event(), threading.Event()

    def held_connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        started.set()
        release.wait(10)
        return connect(*args, **kwargs)  # type: ignore[arg-type]

    reader = sqlite3.connect(data_dir / "ledger.sqlite")
    try:
        ledger_world.new_asset(node, 2, 1_000)
        reader.execute("BEGIN")
        reader.execute("SELECT MAX(height) FROM blocks").fetchone()  # a reader in the log from here on
        checkpointer = node.store._checkpointer
        assert checkpointer is not None
        monkeypatch.setattr(storage, "CHECKPOINT_ROWS", 10**9)
        monkeypatch.setattr(wal_checkpointer.sqlite3, "connect", held_connect)
        ledger_world.new_asset(node, 3, 1_000)
        checkpointer.nudge()
        assert started.wait(10)
        assert wait_for(lambda: tidied.count(True) >= 3)  # the tidy comes again...
        assert _wal_bytes(data_dir) > 0  # ... the log still there
        reader.close()
        release.set()
        monkeypatch.setattr(sqlite3, "connect", connect)
        assert wait_for(lambda: _wal_bytes(data_dir) == 0)
        assert wait_for(lambda: tidied[-1] is False)  # emptied, it stops coming
        assert _height_in_database_alone(data_dir, tmp_path) == node.head.height
    finally:
        release.set()
        reader.close()
        node.close()


def test_the_log_starts_again_in_its_file_once_the_checkpointer_copied_it(ledger_world: LedgerWorld,
                                                                          tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The checkpointer is asked once the log has grown to its bound since it started (its frames:
    ``ledger.wal_index``; ``WAL_WAITED_PAGES`` for these blocks waited on), and the commit that starts it again reuses
    its file rather than cut it (up to the bound of SQLite's own checkpoint: ``journal_size_limit``), so a client's
    commit does not wait for the file's blocks to be freed."""
    monkeypatch.setattr(storage, "WAL_PAGES", 256)
    monkeypatch.setattr(storage, "WAL_WAITED_PAGES", 256)
    monkeypatch.setattr(storage, "CHECKPOINT_ROWS", 10**9)
    monkeypatch.setattr(storage, "WAL_TRUNCATE_BYTES", 10**12)  # no idle cut either
    data_dir = tmp_path / "node"
    node = ledger_world.open_node(data_dir, ManualClock())
    try:
        store, checkpointer = node.store, node.store._checkpointer
        assert checkpointer is not None
        assert store._db.execute("PRAGMA journal_size_limit").fetchone()[0] == store._wal_kept > store._wal_bytes
        n = 2
        while checkpointer.runs == 0 and n < 400:
            ledger_world.new_asset(node, n, 1_000)
            n += 1
        assert checkpointer.runs >= 1
        assert wait_for(lambda: not checkpointer.busy)
        ledger_world.new_asset(node, n, 1_000)  # every frame copied by now: the log has started again...
        assert 0 < store._wal_grown() < store._wal_bytes // 4
        assert _wal_bytes(data_dir) >= store._wal_bytes  # ... in its file, not cut
    finally:
        node.close()


def test_a_checkpoint_that_fails_while_idle_is_logged_and_the_node_goes_on(
        ledger_world: LedgerWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    node = ledger_world.open_node(tmp_path / "node", ManualClock())
    try:
        failures: list[int] = []

        def full_disk() -> bool:
            failures.append(1)
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(node.store, "checkpoint", full_disk)
        ledger_world.new_asset(node, 2, 1_000)
        assert wait_for(lambda: any("could not be checkpointed while idle" in r.getMessage()
                                    and "disk is full" in r.getMessage() for r in caplog.records))
        assert failures
        before = node.head.height
        ledger_world.new_asset(node, 3, 1_000)  # blocks go on
        assert node.head.height > before
    finally:
        node.close()


def test_a_store_of_format_13_gets_its_open_index_keyed_by_row(ledger_world: LedgerWorld, tmp_path: Path) -> None:
    """Format 13 keyed ``state_open`` by owner, day, provider, method and row id; opening such a store copies its
    entries under owner, day and row id, and the index answers as before and goes on."""
    w = ledger_world
    data_dir = tmp_path / "node"
    node = w.open_node(data_dir, ManualClock())
    try:
        kept = [w.new_asset(node, n, 1_000) for n in range(2, 6)]
        w.new_asset(node, 6, 1_000, meter=w.meter_oil)  # another provider and method
        w.allocated_asset(node, 7)  # not open
        owner = w.intermediary.address
        before = [sorted(day) for day in node.store.open_keys(owner, 0)]
    finally:
        node.close()
    assert [k for day in before for k in day] and f"asset/{kept[0]}" in before[0]
    db = sqlite3.connect(data_dir / "ledger.sqlite", isolation_level=None)
    try:  # the layout of format 13
        db.execute("BEGIN")
        entries = db.execute("SELECT owner, day, provider, method, id FROM state_open").fetchall()
        db.execute("DROP TABLE state_open")
        db.execute("CREATE TABLE state_open (owner INTEGER NOT NULL, day INTEGER NOT NULL, provider TEXT NOT NULL, "
                   "method TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (owner, day, provider, method, id)) "
                   "WITHOUT ROWID")
        db.executemany("INSERT INTO state_open VALUES (?, ?, ?, ?, ?)", entries)
        db.execute("UPDATE meta SET value = '13' WHERE key = 'format'")
        db.execute("COMMIT")
    finally:
        db.close()
    node = w.open_node(data_dir, ManualClock())
    try:
        assert node.store.get_meta("format") == storage.FORMAT == "14"
        keyed = [row[1] for row in sorted(node.store._db.execute("PRAGMA table_info(state_open)"),
                                          key=lambda row: row[5]) if row[5]]
        assert keyed == ["owner", "day", "id"]
        assert sorted(node.store._db.execute("SELECT owner, day, provider, method, id FROM state_open")) == \
            sorted(entries)
        assert [sorted(day) for day in node.store.open_keys(owner, 0)] == before
        assert node.audit() == len(node.state)
        added = w.new_asset(node, 8, 1_000)  # and it goes on
        assert f"asset/{added}" in [k for day in node.store.open_keys(owner, 0) for k in day]
    finally:
        node.close()
