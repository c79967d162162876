"""The storage server's records on disk (``field.trading.storage_records``): a server started again on its file
carries on — battery state and power bookkeeping, reception numbers, nonces, its last report, and the signed
records the ledger never answered, which it sends again; a file of another battery or of no format is refused."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from field.trading.battery import Battery
from field.trading.errors import BatteryError, RecordsError, TradingError
from field.trading.storage_records import StorageRecords
from field.trading.storage_server import StorageServer
from ledger_lite import SigningKey
from ledger_lite import trading as contract
from tests.field.trading.fakes import FakeNode
from tests.field.trading.test_storage_server import CHAIN, HOME, RESERVATION, SPEC, STORAGE, T0, H, reservation


@pytest.fixture
def node() -> FakeNode:
    fake = FakeNode()
    fake.state[f"registry/{HOME.address}"] = {"role": "home", "attrs": {"battery": "B1", "node": "F1/T1/H1"}}
    return fake


def server_on(path: Path, node: FakeNode, *, key: SigningKey = STORAGE, battery: str = "B1") -> StorageServer:
    records = StorageRecords(path)
    try:
        return StorageServer(battery, key, Battery(SPEC, time=T0), node, CHAIN,  # type: ignore[arg-type]
                             clock=lambda: T0 + 20 * H, records=records)
    except RecordsError:
        records.close()
        raise


def close(server: StorageServer) -> None:
    assert server.records is not None
    server.records.close()


def test_a_restart_carries_on_where_the_server_stopped(tmp_path: Path, node: FakeNode) -> None:
    path = tmp_path / "storage.db"
    first = server_on(path, node)
    first.receive(HOME.address, T0 + 8 * H, T0 + 9 * H, 1_500)
    first.receive(HOME.address, T0 + 9 * H, T0 + 10 * H, 1_000)
    first.report(T0 + 12 * H)
    snapshot, receptions, report = first.battery.snapshot(), list(first.receptions), first.last_report
    close(first)  # as after a SIGKILL: nothing else is done on the way out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    again = server_on(path, node)
    assert again.battery.snapshot() == snapshot
    assert again.receptions == receptions and again.last_report == report
    # Same half hour, same power bookkeeping: the charge power already used is still counted.
    with pytest.raises(BatteryError, match="per half hour"):
        again.receive(HOME.address, T0 + 9 * H, T0 + 10 * H, 1_500)
    third = again.receive(HOME.address, T0 + 13 * H, T0 + 14 * H, 700)
    assert third.number == 3
    nonces = [tx.nonce for tx in node.sent]
    assert len(nonces) == len(set(nonces)) == 4  # 2 receipts, a report, a receipt: never a nonce twice
    close(again)


def test_records_the_ledger_never_answered_are_sent_after_a_restart(tmp_path: Path, node: FakeNode) -> None:
    path = tmp_path / "storage.db"
    first = server_on(path, node)
    first.receive(HOME.address, T0 + 7 * H, T0 + 8 * H, 1_000)  # the home is known; then the ledger goes away
    node.down = True
    reception = first.receive(HOME.address, T0 + 8 * H, T0 + 9 * H, 1_500)
    assert (reception.status, first.pending()) == ("unsent", 1)
    close(first)
    node.down = False
    again = server_on(path, node)
    assert again.pending() == 1
    assert again.resend() == 0
    assert [tx.tx_id for tx in node.of_type(contract.STORAGE_RECEIPT)][-1] == reception.receipt_tx
    assert [r.status for r in again.receptions] == ["recorded", "recorded"]
    close(again)
    records = StorageRecords(path)
    assert records.counts() == (2, 0, 0)
    records.close()


def test_a_record_the_ledger_already_has_counts_as_recorded(tmp_path: Path, node: FakeNode) -> None:
    path = tmp_path / "storage.db"
    first = server_on(path, node)
    first.receive(HOME.address, T0 + 7 * H, T0 + 8 * H, 1_000)
    node.down = True
    first.receive(HOME.address, T0 + 8 * H, T0 + 9 * H, 1_500)
    close(first)
    node.down = False
    node.refuse[contract.STORAGE_RECEIPT] = ("duplicate", "transaction was already submitted")
    again = server_on(path, node)
    assert again.resend() == 0
    assert again.receptions[1].status == "recorded"
    close(again)


def test_records_of_another_battery_or_key_are_refused(tmp_path: Path, node: FakeNode) -> None:
    path = tmp_path / "storage.db"
    close(server_on(path, node))
    with pytest.raises(RecordsError, match=r"expected the records of battery B2 with storage key .* found "):
        server_on(path, node, battery="B2")
    with pytest.raises(RecordsError, match=f"with storage key {SigningKey.derive('x').address}"):
        server_on(path, node, key=SigningKey.derive("x"))


def test_a_file_that_is_not_the_server_records_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    path.write_bytes(b"not a database" * 200)
    with pytest.raises(RecordsError, match=r"expected a storage record file \(SQLite\) at .* found: file is not a "
                                           r"database"):
        StorageRecords(path)
    with sqlite3.connect(tmp_path / "future.db") as db:
        db.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('format', '9')")
    with pytest.raises(RecordsError, match=r"expected storage records of format 1 in .*, found format 9"):
        StorageRecords(tmp_path / "future.db")


def test_a_delivery_is_kept_and_never_made_twice_after_a_restart(tmp_path: Path, node: FakeNode) -> None:
    path = tmp_path / "storage.db"
    first = server_on(path, node)
    first.receive(HOME.address, T0 + 8 * H, T0 + 9 * H, 1_500)
    node.state[f"trade/reservation/{RESERVATION}"] = reservation()
    done = first.transmit(RESERVATION)
    stored = first.battery.stored_wh
    close(first)
    again = server_on(path, node)
    again.deliveries.clear()  # as if it were older than what the server keeps in memory: read from the file
    with pytest.raises(TradingError, match=f"reservation {RESERVATION} was already delivered \\(recorded, delivery "
                                           f"{done.delivery_tx}\\)") as caught:
        again.transmit(RESERVATION)
    assert caught.value.code == "already_delivered"
    assert again.battery.stored_wh == stored  # nothing discharged twice
    assert len(node.of_type(contract.STORAGE_DELIVERY)) == 1
    close(again)
