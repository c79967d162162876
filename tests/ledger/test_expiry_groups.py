"""A certificate's assets in the sweep's index as one group (ledger/expiry_groups.py, issue 16): the store answers
the sweep's query exactly as the state in memory does, whether an asset's entry is in ``state_expiry`` or in its
certificate's group, the sweep empties the groups as it goes, and the audit counts and checks the groups' entries."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ledger.compact import FORM_RAW, pack_key
from ledger.errors import StoreError
from ledger.expiry_groups import pack_entries, unpack_entries
from ledger.node import Node
from ledger.rules.expiry import RETENTION
from ledger.state import State
from ledger.state_audit import audit_state
from ledger.state_encoding import encode_state
from ledger.state_index import expiry_of
from ledger.storage import FORMAT, Store
from ledger_lite import BlockHeader, Commit, canonical
from tests.helpers.ledger_world import LedgerWorld, ManualClock
from tests.ledger.support import expires_of, in_state, reading_at, rows

Values = dict[str, Any]


class Chain:
    """A store written block by block, and the same values in a state in memory to compare with."""

    def __init__(self, path: Path) -> None:
        self.store = Store(path)
        self.memory = State()
        self.values: dict[str, Values] = {}
        self.height = 0

    def write(self, writes: dict[str, Values | None]) -> None:
        self.height += 1
        header = BlockHeader(chain="c", height=self.height, prev_hash=b"\0" * 32, time=1, tx_root=b"\0" * 32,
                             state_root=b"\0" * 32, validators_hash=b"\0" * 32)
        self.store.write_block(header, Commit(header.hash(), ()), [],
                               {k: (None, None) if v is None else (v, encode_state(v)) for k, v in writes.items()})
        self.memory.apply(dict(writes), {k: None if v is None else encode_state(v) for k, v in writes.items()})
        for key, value in writes.items():
            if value is None:
                del self.values[key]
            else:
                self.values[key] = value

    def index(self) -> list[tuple[int, str]]:
        """Every entry of the stored expiry index, as (expires, key)."""
        keys = {row: key for row, key, _, _ in self.store.iter_state_rows()}
        return sorted((entry[0], keys[entry[1]]) for table, entry in self.store.index_entries() if table == "expiry")

    def expected(self) -> list[tuple[int, str]]:
        return sorted((e, k) for k, v in self.values.items() if (e := expiry_of(k, v)) is not None)


def asset(expires: int, **more: Any) -> Values:
    return {"owner": "o", "expires": expires, "trade": "open", **more}


def certify(chain: Chain, certificate: str, keys: list[str]) -> None:
    chain.write({**{k: {**chain.values[k], "trade": "completed", "cert": certificate} for k in keys},
                 f"cert/{certificate}": {"id": certificate, "assets": sorted(keys)}})


@pytest.fixture
def chain(tmp_path: Path) -> Any:
    made = Chain(tmp_path / "ledger.sqlite")
    yield made
    made.store.close()


def test_a_certification_writes_one_group_and_no_entry_of_state_expiry(chain: Chain, tmp_path: Path) -> None:
    keys = [f"asset/{n:064x}" for n in range(20, 0, -1)]  # rows in descending key order
    chain.write({k: asset(100 + i % 5) for i, k in enumerate(keys)})
    certify(chain, "c1", keys[:12])
    db = tmp_path / "ledger.sqlite"
    assert len(rows(db, "SELECT 1 FROM state_expiry")) == 8
    (cert_row, blob), = rows(db, "SELECT cert, entries FROM expiry_groups")
    assert rows(db, "SELECT id FROM state WHERE key = ?", b"\0cert/c1") == [(cert_row,)]
    assert rows(db, "SELECT cert, expires, pos FROM expiry_cursor") == [(cert_row, 100, 0)]
    entries = unpack_entries(blob, cert_row)
    assert entries == sorted(entries) and len(entries) == 12
    assert chain.index() == chain.expected()


def test_a_block_after_the_one_the_sweep_read_for_finds_the_groups_in_the_store(
        chain: Chain, tmp_path: Path) -> None:
    keys = [f"asset/{n:064x}" for n in range(1, 9)]
    chain.write({k: asset(100 + n) for n, k in enumerate(keys)})
    certify(chain, "c1", keys)
    chain.store.expired_values(200, 3)  # what a sweep's query read holds until a block is written
    chain.write(dict.fromkeys(keys[:2]))  # the lowest two: the cursor moves
    assert rows(tmp_path / "ledger.sqlite", "SELECT expires, pos FROM expiry_cursor") == [(102, 2)]
    chain.write(dict.fromkeys(keys[4:6]))  # from the middle: the group is written again without them
    assert rows(tmp_path / "ledger.sqlite", "SELECT expires, pos FROM expiry_cursor") == [(102, 0)]
    assert chain.index() == chain.expected()
    assert [k for k, _ in chain.store.expired_values(200, 10)] == chain.memory.expired(200, 10)


def test_an_index_edited_to_sweep_an_asset_early_is_refused_when_the_sweep_reads_it(chain: Chain,
                                                                                    tmp_path: Path) -> None:
    keys = [f"asset/{n:064x}" for n in range(1, 5)]
    chain.write({k: asset(100 + n) for n, k in enumerate(keys)})
    certify(chain, "c1", keys[2:])
    assert [k for k, _ in chain.store.expired_values(101, 10)] == keys[:2]
    db = tmp_path / "ledger.sqlite"
    with sqlite3.connect(db) as conn:  # the group's asset expiring at 103 said to expire at 101
        (cert_row, blob), = conn.execute("SELECT cert, entries FROM expiry_groups").fetchall()
        (first, (_, row)) = unpack_entries(blob, cert_row)
        conn.execute("UPDATE expiry_groups SET entries = ?", (pack_entries([(101, row), first]),))
        conn.execute("UPDATE expiry_cursor SET expires = 101")
    conn.close()
    with pytest.raises(StoreError, match=rf"expected the value at state key '{keys[3]}' to expire at 101, as the "
                                         rf"expiry index says, found 103: the store was changed outside the node"):
        chain.store.expired_values(101, 10)
    with sqlite3.connect(db) as conn:  # and an entry of state_expiry: the asset expiring at 101 said to at 99
        conn.execute("UPDATE expiry_groups SET entries = ?", (blob,))
        conn.execute("UPDATE expiry_cursor SET expires = 102")
        conn.execute("UPDATE state_expiry SET expires = 99 WHERE expires = 101")
    conn.close()
    with pytest.raises(StoreError, match=rf"'{keys[1]}' to expire at 99, as the expiry index says, found 101"):
        chain.store.expired_values(101, 10)


def test_a_cursor_edited_to_hide_or_show_its_group_is_refused_by_the_sweep_and_the_audit(chain: Chain,
                                                                                         tmp_path: Path) -> None:
    keys = [f"asset/{n:064x}" for n in range(1, 4)]
    chain.write({k: asset(100 + n) for n, k in enumerate(keys)})
    certify(chain, "c1", keys)
    with sqlite3.connect(tmp_path / "ledger.sqlite") as conn:  # the group's next entry expires at 100
        conn.execute("UPDATE expiry_cursor SET expires = 99")
    conn.close()
    refused = (r"expected the expiry group of certificate row \d+ to be found at its next entry's expiry 100, found it "
               r"at 99")
    with pytest.raises(StoreError, match=refused):
        chain.store.expired_values(99, 10)
    with pytest.raises(StoreError, match=refused):
        list(chain.store.index_entries())


def test_a_grouped_value_edited_to_be_open_reaches_the_node_s_check_unharmed(chain: Chain, tmp_path: Path) -> None:
    """The store reads it as it is (the node's tree check then refuses it: test_expiry_sweep), naming no
    certificate."""
    keys = [f"asset/{n:064x}" for n in range(1, 3)]
    chain.write({k: asset(100 + n) for n, k in enumerate(keys)})
    certify(chain, "c1", keys)
    with sqlite3.connect(tmp_path / "ledger.sqlite") as conn:
        conn.execute("UPDATE state SET value = ? WHERE key = ?",
                     (bytes((FORM_RAW,)) + canonical(asset(100)), pack_key(keys[0])))
    conn.close()
    assert chain.store.expired_values(100, 10) == [(keys[0], (canonical(asset(100)), asset(100)))]


@pytest.mark.parametrize("seed", range(6))
def test_the_store_sweeps_in_the_order_of_the_state_in_memory_and_empties_its_groups(chain: Chain, tmp_path: Path,
                                                                                     seed: int) -> None:
    """Open and certified assets with shared expiries (ties broken by key, not by row), certificates of any
    size, and sweeps of any bound: the store's keys are always the memory's, and its index the values' own."""
    pick = random.Random(seed)
    keys = [f"asset/{pick.getrandbits(256):064x}" for _ in range(120)]
    chain.write({k: asset(100 + pick.randrange(12)) for k in keys})
    pick.shuffle(keys)
    certified, at = 0, 0
    for number, size in enumerate((1, 7, 30, 45)):
        certify(chain, f"c{number}", keys[at:at + size])
        at += size
        certified += size
    chain.write({keys[at]: {**chain.values[keys[at]], "trade": "completed"}})  # allocated: waits, not indexed
    assert len(rows(tmp_path / "ledger.sqlite", "SELECT 1 FROM state_expiry")) == 120 - certified - 1
    assert chain.index() == chain.expected()
    for cutoff in (99, 100, 104, 111, 200):
        for limit in (1, 2, 5, 17, 64, 500):
            assert [k for k, _ in chain.store.expired_values(cutoff, limit)] == chain.memory.expired(cutoff, limit)
    cutoff = 100
    while chain.memory.expired(200, 1):
        limit = pick.choice((1, 3, 8, 25))
        due = chain.memory.expired(cutoff, limit)
        found = chain.store.expired_values(cutoff, limit)
        assert [k for k, _ in found] == due
        assert all(value == chain.values[k] for k, (_, value) in found)
        chain.write(dict.fromkeys(due))
        assert chain.index() == chain.expected()
        cutoff += pick.randrange(2)
    db = tmp_path / "ledger.sqlite"
    assert rows(db, "SELECT count(*) FROM expiry_groups") == rows(db, "SELECT count(*) FROM expiry_cursor") == [(0,)]


def test_a_certification_stored_before_format_10_keeps_its_entries_in_state_expiry(chain: Chain,
                                                                                    tmp_path: Path) -> None:
    keys = [f"asset/{n:064x}" for n in range(1, 7)]
    chain.write({k: asset(100 + n) for n, k in enumerate(keys)})
    certify(chain, "c1", keys[:4])
    chain.store.close()
    db = tmp_path / "ledger.sqlite"
    with sqlite3.connect(db) as conn:  # as format 9 stored it: one entry an asset
        (cert_row, blob), = conn.execute("SELECT cert, entries FROM expiry_groups").fetchall()
        conn.executemany("INSERT INTO state_expiry VALUES (?, ?)", unpack_entries(blob, cert_row))
        conn.execute("DROP TABLE expiry_groups")
        conn.execute("DROP TABLE expiry_cursor")
        conn.execute("UPDATE meta SET value = '9' WHERE key = 'format'")
    conn.close()
    chain.store = Store(db)
    assert chain.store.get_meta("format") == FORMAT == "14"
    assert chain.index() == chain.expected()
    due = chain.memory.expired(103, 10)
    assert [k for k, _ in chain.store.expired_values(103, 10)] == due == keys[:4]
    chain.write(dict.fromkeys(due))
    assert chain.index() == chain.expected() and len(rows(db, "SELECT 1 FROM state_expiry")) == 2


def test_an_edited_expiry_group_fails_the_audit_and_a_group_naming_no_row_fails_the_sweep(
        ledger_world: LedgerWorld, tmp_path: Path) -> None:
    w = ledger_world
    clock = ManualClock()
    node = w.open_node(tmp_path / "node", clock)
    assets = [w.allocated_asset(node, n) for n in (2, 3, 4)]
    w.commit(node, w.issue(assets))
    last = max(expires_of(node, a) for a in assets)
    node.close()
    db = tmp_path / "node" / "ledger.sqlite"
    (cert_row, blob), = rows(db, "SELECT cert, entries FROM expiry_groups")
    entries = unpack_entries(blob, cert_row)
    reopened = w.open_node(tmp_path / "node", clock, start=False)
    try:  # as stored: the audit passes
        assert audit_state(reopened.store, reopened.head.state_root, reopened.head.height) == len(reopened.state)
    finally:
        reopened.close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE expiry_groups SET entries = ?", (pack_entries([(e + 1, r) for e, r in entries]),))
        conn.execute("UPDATE expiry_cursor SET expires = expires + 1")  # consistent with the group: only the audit
    conn.close()
    reopened = w.open_node(tmp_path / "node", clock, start=False)
    try:
        with pytest.raises(Exception, match="the index state_expiry holds 3 entries"):
            audit_state(reopened.store, reopened.head.state_root, reopened.head.height)
    finally:
        reopened.close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE expiry_groups SET entries = ?", (pack_entries([(e, r + 10_000) for e, r in entries]),))
        conn.execute("UPDATE expiry_cursor SET expires = expires - 1")
    conn.close()
    reopened = w.open_node(tmp_path / "node", clock, start=False)
    try:
        with pytest.raises(Exception, match=r"expected state row 1\d{4}, which a certificate's expiry group names"):
            reopened.store.expired_values(last, 10)
    finally:
        reopened.close()


def test_a_node_sweeps_a_certificate_of_many_assets_and_passes_its_audit(
        ledger_world: LedgerWorld, ledger_node: Node, ledger_clock: ManualClock, tmp_path: Path) -> None:
    w = ledger_world
    assets = [w.allocated_asset(ledger_node, n) for n in range(2, 12)]
    w.commit(ledger_node, w.issue(assets))
    by_expiry = sorted(expires_of(ledger_node, a) for a in assets)
    ledger_clock.set(by_expiry[4] + RETENTION)  # half of them due
    reading_at(w, ledger_node, ledger_clock)
    assert sum(in_state(ledger_node, a) for a in assets) == 5
    db = tmp_path / "node" / "ledger.sqlite"
    assert rows(db, "SELECT pos FROM expiry_cursor") == [(5,)]
    ledger_clock.set(by_expiry[-1] + RETENTION)
    reading_at(w, ledger_node, ledger_clock)
    assert not any(in_state(ledger_node, a) for a in assets)
    assert rows(db, "SELECT count(*) FROM expiry_groups") == [(0,)]
    ledger_node.close()
    reopened = w.open_node(tmp_path / "node", ledger_clock, start=False)
    try:
        assert audit_state(reopened.store, reopened.head.state_root, reopened.head.height) == len(reopened.state)
    finally:
        reopened.close()
