"""SQLite storage of one node: blocks, transactions and state, one SQLite transaction per block (WAL, fsync).

Transactions are kept in commit order under ``seq = height << 16 | index`` (append-only pages, full), found by id
through ``tx_ids``: the first 8 bytes of each id (a signed integer) with its ``seq``, not the 32-byte id (a quarter of a
reading's row and index: 61 of 253 bytes at 1 M readings in ``bench/ledger_scale.py``, issue 16). A prefix is not unique
(anyone can make two transactions whose ids share 8 bytes, with 2^32 tries), so a lookup reads every row under it and
keeps the one whose stored form hashes to the id asked for (``ledger.compact`` rebuilds the canonical bytes). A block's
ids are random keys: inserted into ``tx_ids``, each lands on a page of its own (2,000 of them wrote 1,148 pages into the
WAL at 600,000 readings, more as the history grows; issue 16). So they are appended to ``tx_recent`` (in ``seq`` order:
a few pages a block) and held in memory, and every ``MERGE_IDS`` of them move into ``tx_ids`` together, in key order,
which writes each page about once for all of them (and when the store closes, so a start loads none). Transactions and
state values are stored in the compact forms of ``ledger.compact``. State rows are appended in the order their keys
first appear and updated in place by row id; the node reads them when it needs them (``ledger.state_stored``), so
neither its memory nor its start grows with the state. A text key's row is found through the index
``state_by_text_key``. An asset's key is random, like a transaction id, and there is one for every reading: an index
of them had every page of it rewritten by each block (1,480 of the ~1,730 pages a block of 2,000 readings changed at
600,000 readings, issue 16). So an asset row is found by its key's first 8 bytes as ``tx_ids`` finds a transaction:
the rows written since the last merge (those from ``asset_rows_merged`` on, a range at the table's end) are held in
memory, read from there on start, and every ``MERGE_ROWS`` of them go into ``asset_rows`` together, in key order
(half as many once the node is idle: ``rows_merge_due``); a deleted row's entry is noted in ``asset_rows_gone`` (its
id: at the table's end too, the sweep deleting the oldest) and leaves ``asset_rows`` with the next merge. A lookup
reads the rows under the prefix and keeps those holding the key asked for. The indexes ``state_owner`` (asset rows by
owner) and ``state_open`` (assets open for trade by owner, expiry day and row id, with their provider and
method: ``ledger.state_index``) are written in the transaction of the block that changes them; owners are numbered in
``owners``. Both are keyed by row ids after the owner (and day), and a new row's id is above every other: a block's new
assets go at the end of their owner's (and day's) entries and the sweep takes from their start, a few pages each.
The index ``state_expiry`` (asset rows by their expiry; a certificate's assets are one group of entries under its
record's row instead, ``ledger.expiry_groups``) gives the sweep of ``ledger.rules.expiry`` the assets that expired
longest ago: a block that sweeps deletes their state rows with their entries in every index, and their tree leaves,
in its own transaction (a deleted key is logged in ``smt_redo`` like any other write: put back after a crash, its
stored value is missing, so its leaf is taken out again). The state then holds the assets still live and those of the
retention period, however long the chain; the swept ones stay provable by their transactions and blocks. The state
tree's nodes are stored four levels to a row of ``smt_groups``, under the position of each group's root
(``ledger.tree_groups``; ``ledger.state_tree``); ``tree`` is the store's ``StoredTree``, which the node's
``State`` works on. Its changed nodes are written in the transaction of a block once enough changed
(``StoredTree.wants_flush``) and when the node closes; meanwhile every block's transaction logs the keys it wrote in
``smt_redo``, so the tree on disk (as of block ``smt_height``) and the logged keys' stored values give the tree of the
head after a crash.

A block that someone waits for while nothing else is queued is stored with its state writes logged instead
(``write_block(defer=True)``): its transaction adds one row to ``state_log`` (the keys with their canonical bytes)
where it would change a row of ``state`` and of each index for every key, scattered over the pages of a store of a
million assets; the client is answered after that smaller commit (issue 16: 900 certified assets). Their rows are
written by ``settle``, before anything reads the state or the next block is stored, when the node is idle and when
it closes; if the node stops first, the next open writes them from the log before anything else. A value written
from the log is checked as any stored row is: against its leaf in the tree, when the node starts (its key is among
the block's logged keys in ``smt_redo`` unless the tree was written with the block) or when it is first read.

Formats: 1 (transactions by id, state by text key), 2 (compact rows), 3 (2 with the state tree on disk), 4 (3 with
only the live tree's rows), 5 (4 with the indexes above but the expiry index), 6 (5 with ``state_expiry``; its state
may lack swept assets), 7 (6 with ``tx_ids`` instead of the ids in ``txs``), 8 (7 with the tree's nodes under their
positions in ``smt_pos`` instead of rows under ids naming their children's in ``smt``), 9 (8 with ``tx_recent``), 10 (9
with the expiry groups of ``ledger.expiry_groups``), 11 (10 with ``state_log``), 12 (11 with ``asset_rows``
instead of an index of every state key), 13 (12 with the tree's nodes in groups of four levels, ``smt_groups``,
instead of a row a node), 14 (13 with ``state_open`` keyed by owner, day and row id instead of owner, day, provider,
method and row id).
Older formats are rewritten in the newest on open, in one transaction each (3 → 4: the rows the stored root does
not reach are deleted; 4 → 5: the owner and open-asset indexes are built from the state rows; 5 → 6: the expiry
index is, and the sweep then takes the expired assets out a block at a time; 6 → 7: ``tx_ids`` is built from the
ids, which then leave ``txs``; 7 → 8: the tree's rows are copied to their positions, walking down from the stored
root; 8 → 9 adds ``tx_recent``, 9 → 10 the expiry groups and 10 → 11 ``state_log``, empty, at once: the entries of
certificates stored before stay in ``state_expiry``; 11 → 12: ``asset_rows`` is built from the asset rows, in key
order, and the index of every key is dropped; 12 → 13: the tree's rows are rewritten in groups; 13 → 14:
``state_open``'s entries are copied under their new key). 5 → 7 took 24 s
for a store of 1 M readings here.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import sqlite3
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

import cbor2

from ledger import expiry_groups, heap
from ledger.compact import ASSET_PREFIX, FORM_RAW, KEY_ASSET, pack_key, pack_value, unpack_key, unpack_tx, unpack_value
from ledger.errors import StoreError
from ledger.prefix_map import PrefixMap
from ledger.select_in import select_in
from ledger.state_index import Indexed, expiry_of, indexed, same_indexed
from ledger.state_stored import DEFAULT_VALUES
from ledger.state_tree import DEFAULT_CAPACITY, StoredTree, TreeWrite
from ledger.tree_groups import (
    CachedGroups,
    Changes,
    GroupChanges,
    Key,
    cached_group_rows,
    group_changes,
    group_keys,
    group_nodes,
    stored_rows,
)
from ledger.wal_checkpointer import WalCheckpointer
from ledger.wal_index import WalIndex
from ledger_lite import BlockHeader, Commit, Transaction, canonical, decode, sha256

_T = TypeVar("_T")

FORMAT = "14"
# Stored groups of the tree read at a time when it is loaded whole (``Store.load_tree``).
TREE_ROWS_READ = 16384
# rewritten on open (format 1 has no format row)
MIGRATED = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13")
# Keyed by owner, expiry day and row id: a block's new assets of a day go at its end, and the sweep takes the oldest
# from its start, a few pages each (format 13 put provider and method before the row id, and a block of 2,000 readings
# from 1,002 meters changed an entry in each of ~470 pages of a day, twice: ``Store._migrate_from_13``).
STATE_OPEN = """CREATE TABLE IF NOT EXISTS state_open (owner INTEGER NOT NULL, day INTEGER NOT NULL,
    id INTEGER NOT NULL, provider TEXT NOT NULL, method TEXT NOT NULL, PRIMARY KEY (owner, day, id)) WITHOUT ROWID"""
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS blocks (
    height INTEGER PRIMARY KEY, hash BLOB NOT NULL, header BLOB NOT NULL, commit_json TEXT NOT NULL,
    tx_count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS txs (
    seq INTEGER PRIMARY KEY, stored BLOB NOT NULL, result BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tx_ids (prefix INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (prefix, seq))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tx_recent (seq INTEGER PRIMARY KEY, prefix INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY, key BLOB NOT NULL, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS asset_rows (prefix INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (prefix, id))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS asset_rows_gone (id INTEGER PRIMARY KEY, prefix INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS smt_groups (k INTEGER PRIMARY KEY, nodes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS smt_groups_deep (k BLOB PRIMARY KEY, nodes BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS smt_redo (height INTEGER PRIMARY KEY, keys BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS state_log (height INTEGER PRIMARY KEY, writes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS owners (id INTEGER PRIMARY KEY, owner TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS state_owner (owner INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (owner, id))
    WITHOUT ROWID;
{STATE_OPEN};
CREATE TABLE IF NOT EXISTS state_expiry (expires INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (expires, id))
    WITHOUT ROWID;
"""
# Made once the store is of the newest format (a unique index over an older store's rows is built by its
# migration, where a duplicate is a store changed outside the node).
INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS state_by_text_key ON state(key) WHERE key < x'01';
"""
# SQLite copies the WAL's pages back into the database (a checkpoint) inside the commit that takes the WAL past
# ``wal_autocheckpoint`` pages: 1,000 by default, fewer than a block certifying 900 assets dirties, so such a commit
# nearly always checkpointed too (a 900-row update of a million-row table, `/tmp` probe: commit median 8.7 → 4.7 ms,
# p90 15.6 → 5.4 ms without it). The node checkpoints when its producer has nothing to do instead (``checkpoint``,
# once blocks wrote ``CHECKPOINT_ROWS`` rows since the last), and SQLite's own stays as the bound under steady load.
# That bound is 64 MB of pages, not 16: a block of 2,000 readings at a steady state (assets expiring as fast as they
# come) logs ~2,130 pages, and 1,480 of the ~1,730 pages it changes are the key index's (``state_by_key``: random
# keys, so nearly every page of it in each block), so with 4,096 every other commit copied them all back into the
# database; with 16,384 each of those pages is copied once for eight blocks (the block producer at 500,000 to 700,000
# readings of 101 meters, two interleaved pairs: 90.7-100.7 → 88.2-96.3 µs a reading). The file is removed when the
# node closes. At that bound the copy is done on a thread and connection of its own (``ledger.wal_checkpointer``: the
# commit that did it took 16-190 ms more), and SQLite's own only bounds the log should that thread fall behind: at 1 GB,
# beyond what a write of the tree logs in one transaction (~250 MB at 3.5 M readings of 1,002 meters; with the bound
# at 256 MB such a commit copied it all back itself, +500 ms).
WAL_PAGES = 16384
WAL_BOUND_PAGES = 16 * WAL_PAGES
# While blocks that clients wait on are stored (``write_block``'s ``defer``: an issuance, nothing queued behind it),
# the checkpointer copies the log back from this many pages instead: its copy ends in a sync of the database file,
# and a commit whose own sync meets it waits for the pages that sync writes. The node's slow blocks
# (``ledger.block_timing``) in the issuance rounds of ``bench/ledger_scale.py`` at 1 M and 3 M readings were all
# slow in their commit (8-13 ms against ~1), two of three beside a copy; a `/tmp` probe of small synced commits
# beside another process syncing random pages: 64 MB every 2 s, 61 of 4,636 commits over 10 ms (max 21.6 ms); 16 MB
# every 0.5 s, 43; 4 MB every 0.125 s, 1. Under bulk load the larger bound keeps its saving (above).
WAL_WAITED_PAGES = 1024
CHECKPOINT_ROWS = 256
# A WAL whose every page was copied back starts again at the next commit, in its file (``ledger.wal_index``), which
# keeps the size of the largest write since (~300 MB after a write of the tree at 1,002 meters' steady state, up to
# ``WAL_BOUND_PAGES``) where SQLite would cut it down in that commit (80-93 ms for ~300 MB; a write of the tree made
# while idle, 183 MB, then cost the next client 52 ms instead of 1-2, 2026-12-06). So an idle node's ``checkpoint``
# cuts the file down to nothing itself, from this size on or once ``CHECKPOINT_ROWS`` were written, and comes again
# after a write of the tree made while idle, once the checkpointer's thread has copied it back (the producer's
# ``_tidy``): what the node's producer then does while idle is only the cut, not the copy (~210 ms of 183 MB).
WAL_TRUNCATE_BYTES = 1 << 22
# Transaction ids kept in ``tx_recent`` (and in memory, ~100 bytes each) before they are merged into ``tx_ids``. A merge
# writes nearly every page of ``tx_ids``, which grows with the history: with 10 M ids, 0.80 s for a merge of 131,072
# and 0.86 s for 262,144 (6.1 → 3.3 µs a reading; `/tmp` harness on a store of 1,002 meters' steady state with 8 M more
# ids, 2026-12-06), +14 MB of memory. A block someone waits for leaves a due merge to the next bulk block or to the idle
# node (``ids_merge_due``) until twice as many wait: with 200,000 readings on the ledger, a 900-asset issuance
# whose block merged them took 204 ms against 28-49 (``bench/issuance_at_scale.py --between``, 2026-12-06).
MERGE_IDS = 1 << 18
MERGE_ROWS = 1 << 17  # asset rows found through memory before their entries are merged into ``asset_rows``
TEXT_KEYS = "key < x'01'"  # the rows of text keys (``ledger.compact.pack_key``): ``state_by_text_key``'s
# The tree of formats 3 to 7, rewritten in format 8 (``Store._migrate_from_7``): rows under ids, each internal node's
# naming its children's.
LEGACY_SMT = "CREATE TABLE IF NOT EXISTS smt (id INTEGER PRIMARY KEY, node BLOB NOT NULL, l INTEGER, r INTEGER)"
# The tree of formats 8 to 12, rewritten in format 13 (``Store._migrate_from_12``): a row for each node under its
# position (``ledger.tree_groups.tree_key`` of the node's own index), the deep ones in ``smt_deep``.
NODE_TABLES = ("smt_pos", "smt_deep")
# Groups a write of the tree reads and writes at once (``write_tree_nodes``): their stored rows and new ones, a few
# MB, where a write touches ~120,000 groups at 3 M readings of ``bench/ledger_scale.py`` (~80 MB at once).
WRITE_GROUPS = 8192
INDEX_BITS = 16
MAX_BLOCK_TXS = 1 << INDEX_BITS

log = logging.getLogger(__name__)


def id_prefix(tx_id: bytes) -> int:
    """The key of a transaction id in ``tx_ids``: its first 8 bytes as a signed 64-bit integer."""
    return int.from_bytes(tx_id[:8], "big", signed=True)


def asset_prefix(key_blob: bytes) -> int:
    """The key of a stored asset key (``KEY_ASSET`` and the asset id) in ``asset_rows``: its id's first 8 bytes."""
    return int.from_bytes(key_blob[1:9], "big", signed=True)


def _is_asset(key_blob: bytes) -> bool:
    return key_blob[:1] == KEY_ASSET


def read_tree_nodes(db: sqlite3.Connection, indexes: Sequence[int]) -> dict[int, bytes]:
    """The stored state tree nodes of the groups holding these heap indexes (``ledger.tree_groups``): those asked
    for and the rest of their groups, a few queries for many (``StoredTree._load_pairs``)."""
    keyed, deep_keys = group_keys(indexes)
    found = group_nodes(list(select_in(db, "SELECT k, nodes FROM smt_groups WHERE k IN ({})", keyed)))
    if deep_keys:  # deep groups (``KEYED_DEPTH``): rare, one query each
        deep = []
        for key in deep_keys:
            row = db.execute("SELECT nodes FROM smt_groups_deep WHERE k = ?", (key,)).fetchone()
            if row is not None:
                deep.append((key, row[0]))
        found.update(group_nodes(deep))
    return found


def write_tree_nodes(db: sqlite3.Connection, write: TreeWrite) -> None:
    """Inside a transaction: the changed state tree nodes of ``write`` in place of those at their positions, and the
    positions it emptied, as the rows of their groups (``ledger.tree_groups``: each touched group's stored row read
    first, its other nodes kept), ``WRITE_GROUPS`` at a time, in key order: SQLite then walks the table's B-tree once
    from one end to the other rather than seeking a page for each (the 235,263 deletions of a write at 600,000
    readings, in rows of nodes: 0.77 s in the order the tree gave them, 0.18-0.24 s sorted). The groups of a tree its
    cache holds whole (``write.cached``) are made from the cache instead, not read first."""
    if write.cached is not None:
        _write_cached_groups(db, write.cached)
    changes = group_changes(write.rows, write.deleted, write.packed)
    _write_groups(db, "smt_groups", changes)
    if changes.deep_rows or changes.deep_deleted:  # deep groups (``KEYED_DEPTH``): rare
        _write_groups(db, "smt_groups_deep", GroupChanges(changes.deep_rows, changes.deep_deleted, None))


def _write_groups(db: sqlite3.Connection, table: str, changes: Changes) -> None:
    keys = changes.keys
    for at in range(0, len(keys), WRITE_GROUPS):
        old = dict(select_in(db, f"SELECT k, nodes FROM {table} WHERE k IN ({{}})", keys[at:at + WRITE_GROUPS]))
        _store_groups(db, table, *stored_rows(changes, old, at, at + WRITE_GROUPS))


def _write_cached_groups(db: sqlite3.Connection, groups: CachedGroups) -> None:
    for at in range(0, len(groups), WRITE_GROUPS):
        _store_groups(db, "smt_groups", *cached_group_rows(groups, at, at + WRITE_GROUPS))


def _store_groups(db: sqlite3.Connection, table: str, rows: Sequence[tuple[Key, bytes]],
                  gone: Sequence[tuple[Key]]) -> None:
    """Groups' rows in place of those stored under their keys, and the groups left empty (``gone``) taken out."""
    db.executemany(f"DELETE FROM {table} WHERE k = ?", gone)
    db.executemany(f"INSERT OR REPLACE INTO {table}(k, nodes) VALUES (?, ?)", rows)


def _id_bytes(tx_id: str) -> bytes | None:
    try:
        raw = bytes.fromhex(tx_id)
    except ValueError:
        return None  # not a transaction id: matches nothing
    return raw if len(raw) == 32 else None


# Transaction types whose result follows from the transaction itself (a reading's asset id is its tx id):
# not stored, rebuilt by ``implied_result`` when read.
IMPLIED_RESULTS = frozenset({"asset.generate"})


def implied_result(kind: str, tx_id: str) -> dict[str, Any]:
    return {"asset_id": tx_id} if kind == "asset.generate" else {}


class Store:
    def __init__(self, path: Path, *, tree_cache: int = DEFAULT_CAPACITY, value_cache: int = DEFAULT_VALUES,
                 merge_ids: int = MERGE_IDS, merge_rows: int = MERGE_ROWS) -> None:
        """``tree_cache``: how many state tree nodes to keep in memory (``ledger.state_tree``); ``value_cache``:
        how many state values (``ledger.state_stored``); ``merge_ids``: how many transaction ids wait in
        ``tx_recent`` before they are merged into ``tx_ids`` (twice as many, if a block someone waits for would merge
        them: ``write_block``); ``merge_rows``: how many asset rows are found through memory before they are merged
        into ``asset_rows``."""
        self.path = path
        self.value_cache = value_cache
        self._lock = threading.RLock()  # re-entered by ``settle``, which reads as a block's write does
        # The writes of the last block stored with ``defer``, until ``settle`` writes its state rows.
        self._logged: _Logged | None = None
        # The keys whose rows were read since the last block was written (``_stored_rows(remember=True)``, the
        # sweep's query): ``_check_logged`` need not look for them again.
        self._read_rows: set[str] = set()
        if not path.exists():  # owner-only from the start (SQLite gives its -wal and -shm files the same mode)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(f"PRAGMA wal_autocheckpoint={WAL_BOUND_PAGES}")
        self._wal = Path(f"{path}-wal")
        self._frame_bytes = int(self._db.execute("PRAGMA page_size").fetchone()[0]) + 24
        self._wal_bytes = WAL_PAGES * self._frame_bytes
        self._wal_waited_bytes = WAL_WAITED_PAGES * self._frame_bytes
        # A log that starts again after a checkpoint reuses its file, which no commit cuts down before the bound of
        # SQLite's own checkpoint (``ledger.wal_index`` says why; an idle node cuts it: ``checkpoint``); how far the log
        # has grown is read from its index
        self._wal_kept = WAL_BOUND_PAGES * self._frame_bytes
        self._db.execute(f"PRAGMA journal_size_limit={self._wal_kept}")
        self._wal_index = WalIndex(Path(f"{path}-shm"))
        self._checkpointer: WalCheckpointer | None = None  # from the end of the opening on
        self._unchecked = 0  # rows written since the last ``checkpoint``
        # The last write transaction's commit: its seconds (the sync to the disk, mostly) and whether the
        # checkpointer was copying the log back meanwhile (``ledger.block_timing``).
        self.commit_s = 0.0
        self.commit_copying = False
        if self._has_table("txs") and "seq" not in self._columns("txs"):  # format 1
            self._migrate_from_1()
        self._db.executescript(SCHEMA + expiry_groups.SCHEMA)
        self._db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('format', ?)", (FORMAT,))
        found = self.get_meta("format")
        # said before the wait; 8 -> ... -> 12 take little or none (11 -> 12: 0.18 s for 145,000 assets here)
        if found in MIGRATED and found not in ("8", "9", "10", "11", "13"):
            log.warning("ledger store %s: rewriting format %s as format %s, once (15 to 30 s a million assets)",
                        path, found, FORMAT)
        if found == "2":
            self._migrate_from_2()
            found = self.get_meta("format")
        if found == "3":
            self._migrate_from_3()
            found = self.get_meta("format")
        if found == "4":
            self._migrate_from_4()
            found = self.get_meta("format")
        if found == "5":
            self._migrate_from_5()
            found = self.get_meta("format")
        if found == "6":
            self._migrate_from_6()
            found = self.get_meta("format")
        if found == "7":
            self._migrate_from_7()
            found = self.get_meta("format")
        if found == "8":  # 8 -> 9: ``tx_recent`` (made by SCHEMA above), empty
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', '9')")
            found = "9"
        if found == "9":  # 9 -> 10: the expiry groups (made by SCHEMA above), none yet
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', '10')")
            found = "10"
        if found == "10":  # 10 -> 11: ``state_log`` (made by SCHEMA above), empty
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', '11')")
            found = "11"
        if found == "11":
            self._migrate_from_11()
            found = self.get_meta("format")
        if found == "12":
            self._migrate_from_12()
            found = self.get_meta("format")
        if found == "13":
            self._migrate_from_13()
            found = self.get_meta("format")
        if found != FORMAT:
            raise StoreError(f"expected a ledger store of format {FORMAT} in {path}, found format {found}")
        self._build_indexes()
        self._chain = self.get_meta("chain_id")
        # ``asset_rows`` holds the asset rows below this id (module docstring); a new row's id is never below it
        self._merged_rows = int(self.get_meta("asset_rows_merged") or 1)
        self._next_state_id = max(self._merged_rows,
                                  int(self._db.execute("SELECT coalesce(max(id), 0) FROM state").fetchone()[0]) + 1)
        self.merge_rows = merge_rows
        self._recent_rows = PrefixMap(
            (asset_prefix(bytes(key)), int(row)) for row, key in self._db.execute(
                f"SELECT id, key FROM state WHERE id >= ? AND NOT {TEXT_KEYS}", (self._merged_rows,)))
        # counted from the smaller tables, not the rows (a scan of them: 15 ms for 181,165 rows here, cached):
        # the text keys' index, the merged asset rows less the gone ones, and the rows since the merge
        self._state_count = int(self._db.execute(
            f"SELECT (SELECT count(*) FROM state WHERE {TEXT_KEYS}) + (SELECT count(*) FROM asset_rows) - "
            f"(SELECT count(*) FROM asset_rows_gone)").fetchone()[0]) + len(self._recent_rows)
        self._owner_ids: dict[str, int] = {str(o): int(i) for i, o in self._db.execute("SELECT id, owner FROM owners")}
        # ``tx_recent`` in memory (module docstring): the seqs under each prefix
        self.merge_ids = merge_ids
        self.waited_merge_ids = 2 * merge_ids  # a block someone waits for merges only from here (``write_block``)
        self._recent = PrefixMap(self._db.execute("SELECT prefix, seq FROM tx_recent ORDER BY seq"))
        # The row ids of the state keys read or written lately (as many as ``value_cache`` values, oldest out
        # first): a block that writes a value read before it (a certificate's assets, a swept asset) then needs
        # no look-up of its row. A row keeps its id until it is deleted, and ids are never given twice.
        self._row_ids: dict[str, int] = {}
        # The expiry groups the last sweep's query read (``expired_values``), until the next block is written.
        self._groups_read: dict[int, tuple[int, array[int]]] = {}
        self.tree = self._open_tree(tree_cache)
        # Told a block's writes (key → canonical bytes) before its tree rows are taken: the node's
        # ``State.stage``, which puts them into ``tree`` if they are not there yet and says which keys had a value
        # (None: not known).
        self.before_write: Callable[[dict[str, bytes | None]], dict[str, Any] | None] | None = None
        self._replay_log()
        self._checkpointer = WalCheckpointer(path)

    def _build_indexes(self) -> None:
        try:
            for statement in INDEXES.split(";"):
                if statement.strip():
                    self._db.execute(statement)
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"expected each state key once in {self.path}, found one twice "
                             f"({exc}); the store was changed outside the node") from exc

    def _open_tree(self, capacity: int) -> StoredTree:
        size = int(self.get_meta("smt_size") or 0)
        root = self._tree_nodes([1]).get(1)
        if root is None and size:
            raise StoreError(f"the state tree's root row is missing from {self.path} (expected {size} leaves); the "
                             f"store was changed outside the node")
        return StoredTree(self._tree_nodes, root, size, capacity=capacity)

    def _tree_nodes(self, indexes: Sequence[int]) -> dict[int, bytes]:
        with self._lock:
            return read_tree_nodes(self._db, indexes)

    def load_tree(self, paths: int, meanwhile: Callable[[], _T]) -> _T:
        """Run ``meanwhile`` (a start's reads of its logged keys' values, ``ledger.state``); and first, if walks to
        ``paths`` logged keys would load most of the tree anyway (``StoredTree.loads_whole``) and no group lies deeper
        than the keyed ones (``smt_groups_deep``, rare: left to the walks), cache the stored tree whole, its nodes
        checked beside ``meanwhile`` (``StoredTree.load_whole``). Returns what ``meanwhile`` returns."""
        with self._lock:
            if not self.tree.loads_whole(paths) \
                    or self._db.execute("SELECT 1 FROM smt_groups_deep LIMIT 1").fetchone() is not None:
                return meanwhile()
            rows = self._db.execute("SELECT k, nodes FROM smt_groups ORDER BY k")
        log.info("ledger store %s: %d state keys were written since its tree's last write (the node stopped without "
                 "writing it): loading the tree whole to put them back", self.path, paths)

        def read() -> Iterator[list[tuple[int, bytes]]]:
            while True:
                with self._lock:
                    chunk = rows.fetchmany(TREE_ROWS_READ)
                if not chunk:
                    return
                yield chunk

        return self.tree.load_whole(read(), meanwhile)

    def _write_tree(self, write: TreeWrite, height: int) -> None:
        """Inside a transaction: the tree's changes (``write_tree_nodes``) and its leaf count, as of block
        ``height``; the keys logged for the blocks up to it are no longer needed."""
        write_tree_nodes(self._db, write)
        self._db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                             (("smt_size", str(write.size)), ("smt_height", str(height))))
        self._db.execute("DELETE FROM smt_redo WHERE height <= ?", (height,))

    def flush_tree(self, height: int) -> None:
        """Write the tree's changed rows now, the tree holding the state of block ``height`` (the last stored):
        what a node does when it closes, so that its next start has no logged keys to put back."""
        if not self.tree.changed:
            return
        write = self.tree.pending()
        with self._lock:
            with self._write_transaction():
                self._write_tree(write, height)
            self.tree.written(write)
            self._unchecked += write.changes
        del write
        heap.give_back()  # what the write freed (``ledger.heap``)

    def checkpoint(self) -> bool:
        """Copy the WAL's pages into the database now and empty its file, if blocks wrote ``CHECKPOINT_ROWS`` rows
        since the last time or the file is ``WAL_TRUNCATE_BYTES`` or more: the node's producer calls this when it has
        nothing to do, so that the commit of a block someone waits for seldom does either (``WAL_TRUNCATE_BYTES``
        says why the file is emptied too). It waits for nobody: while the store's checkpointer copies, or a reader
        is in the log, it copies what it can and leaves the file as it is (``log_waits``). ``WAL_WAITED_PAGES`` or
        more pages not copied yet (a burst of bulk blocks leaves up to ``WAL_PAGES``) are left to the checkpointer,
        asked now, and the file to a later call: a client whose transaction comes meanwhile waits for no copy on the
        producer's thread (~40 ms for a 64 MB log), only for its commit's sync beside the copy's. Returns whether it
        ran."""
        with self._lock:
            if self._unchecked < CHECKPOINT_ROWS and self._wal_size() < WAL_TRUNCATE_BYTES:
                return False
            uncopied = self._wal_index.uncopied()
            if self._checkpointer is not None and uncopied is not None and uncopied >= WAL_WAITED_PAGES:
                self._checkpointer.nudge()  # the copy on its thread; the cut once it is done (``log_waits``)
                return False
            waits = self._db.execute("PRAGMA busy_timeout").fetchone()[0]
            self._db.execute("PRAGMA busy_timeout=0")
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            finally:
                self._db.execute(f"PRAGMA busy_timeout={int(waits)}")
            self._unchecked = 0
            return True

    def log_waits(self) -> bool:
        """Whether the WAL's file is left for a later ``checkpoint`` to empty: it is ``WAL_TRUNCATE_BYTES`` or more
        and the store's checkpointer is copying it back meanwhile."""
        return (self._wal_size() >= WAL_TRUNCATE_BYTES and self._checkpointer is not None
                and self._checkpointer.busy)

    @contextmanager
    def _write_transaction(self, copy_from: int | None = None) -> Iterator[None]:
        """One write transaction on the store's connection, committed on leaving the block and rolled back if it
        raises (call with ``_lock`` held, or while the store is being opened). After it, the checkpointer copies the
        log back if it has grown to ``copy_from`` bytes (default: ``WAL_PAGES``'s)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            copying = self.checkpointing
            began = time.perf_counter()
            self._db.execute("COMMIT")
            self.commit_s = time.perf_counter() - began
            self.commit_copying = copying or self.checkpointing
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        if self._checkpointer is not None and self._wal_grown() >= (copy_from or self._wal_bytes):
            self._checkpointer.nudge()

    @property
    def checkpointing(self) -> bool:
        """Whether the store's checkpointer is copying the write-ahead log back (or has been asked to)."""
        return self._checkpointer is not None and self._checkpointer.busy

    def _wal_grown(self) -> int:
        """The bytes written to the WAL since the log last started again: its frames (``ledger.wal_index``), or
        failing that its file's size."""
        frames = self._wal_index.frames()
        return self._wal_size() if frames is None else frames * self._frame_bytes

    def _wal_size(self) -> int:
        try:
            return self._wal.stat().st_size
        except OSError:
            return 0

    def redo_keys(self) -> list[str]:
        """The keys written by the blocks stored after the tree's last write, in order (module docstring)."""
        with self._lock:
            rows = self._db.execute("SELECT height, keys FROM smt_redo ORDER BY height").fetchall()
        keys: dict[str, None] = {}
        for height, blob in rows:
            try:
                packed = cbor2.loads(blob)
                keys.update((unpack_key(bytes(k)), None) for k in packed)
            except (ValueError, TypeError, cbor2.CBORDecodeError, StoreError) as exc:
                raise StoreError(f"the keys logged for block {height} do not decode: {exc}; the store was changed "
                                 f"outside the node") from exc
        return list(keys)

    def close(self) -> None:
        """Write the logged state rows (``settle``), merge the recent transaction ids (the next start then loads
        none of either) and close."""
        with self._lock:
            try:
                self.settle()
            except (sqlite3.Error, StoreError) as exc:  # the log stays: the next start writes them
                log.warning("ledger store %s: the logged state writes were not written on close: %s", self.path, exc)
            if self._recent:
                try:
                    with self._write_transaction():
                        self._merge_ids()
                except sqlite3.Error as exc:  # they stay in ``tx_recent``, loaded again by the next start
                    log.warning("ledger store %s: the recent transaction ids were not merged on close: %s",
                                self.path, exc)
                self._recent.clear()
            if self._checkpointer is not None:
                self._checkpointer.close()
            self._wal_index.close()
            self._db.close()

    def _merge_ids(self) -> None:
        """Inside a transaction: move the ids of ``tx_recent`` into ``tx_ids``, in key order (each page of
        ``tx_ids`` written about once for all of them, where a block's ids land on a page each)."""
        self._db.execute("INSERT INTO tx_ids SELECT prefix, seq FROM tx_recent ORDER BY prefix, seq")
        self._db.execute("DELETE FROM tx_recent")

    def ids_merge_due(self) -> bool:
        """Whether the recent transaction ids are due to be merged into ``tx_ids``: a block someone waited for left
        the merge (``write_block``'s ``waited``), which the node's producer then makes when idle (``merge_recent_ids``)
        unless a bulk block makes it first."""
        return len(self._recent) >= self.merge_ids

    def merge_recent_ids(self) -> None:
        """Merge the recent transaction ids into ``tx_ids`` now, in a transaction of their own (a stop before its
        commit loses nothing: they stay in ``tx_recent``, read into memory again on start)."""
        with self._lock:
            if not self._recent:
                return
            with self._write_transaction():
                self._merge_ids()
            self._recent.clear()

    def rows_merge_due(self) -> bool:
        """Whether the asset rows found through memory are worth merging while the node is idle: half of
        ``merge_rows`` (a block merges them at ``merge_rows``). The node's producer merges them when it has had
        nothing to do for a while (``ledger.producer``), so that a block someone waits for seldom does it: 0.47 s
        for the 131,200 rows and 140,895 gone ones of a merge at 600,000 readings of 101 meters."""
        return 2 * len(self._recent_rows) >= self.merge_rows

    def merge_recent_rows(self) -> None:
        """Merge the asset rows found through memory now (``_merge_rows``)."""
        with self._lock:
            self._merge_rows()

    def _merge_rows(self) -> None:
        """Move the entries of the asset rows found through memory into ``asset_rows``, and take out those of the
        rows deleted since the last merge (``asset_rows_gone``), both in key order, in a transaction of their own (a
        stop before its commit loses nothing: the rows are read into memory again on start)."""
        with self._write_transaction():
            self._db.executemany("INSERT OR REPLACE INTO asset_rows(prefix, id) VALUES (?, ?)",
                                 self._recent_rows.entries())
            self._db.executemany("DELETE FROM asset_rows WHERE prefix = ? AND id = ?", self._db.execute(
                "SELECT prefix, id FROM asset_rows_gone ORDER BY prefix, id").fetchall())
            self._db.execute("DELETE FROM asset_rows_gone")
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('asset_rows_merged', ?)",
                             (str(self._next_state_id),))
        self._unchecked += len(self._recent_rows)
        self._merged_rows = self._next_state_id
        self._recent_rows.clear()

    # --- meta -------------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def meta_items(self, prefix: str) -> list[tuple[str, str]]:
        with self._lock:
            rows = self._db.execute("SELECT key, value FROM meta WHERE substr(key, 1, ?) = ?",
                                    (len(prefix), prefix)).fetchall()
        return [(str(k), str(v)) for k, v in rows]

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
        if key == "chain_id":
            self._chain = value

    # --- writes -----------------------------------------------------------------------------------------
    def write_block(self, header: BlockHeader, commit: Commit, txs: Iterable[tuple[Transaction, bytes, Any]],
                    writes: dict[str, tuple[Any, bytes | None]], *, defer: bool = False,
                    planned: BlockRows | None = None, waited: bool = False) -> None:
        """Store a block, its transactions (each with its disk form from ``ledger.compact.pack_tx`` and its
        result) and its state writes (value, canonical bytes; ``(None, None)``: the key is deleted) atomically.
        ``defer``: the state rows and their indexes are written later (``settle``), the block's transaction
        logging the writes in ``state_log`` instead (module docstring): for a block that someone waits for while
        nothing else is queued, whose commit then writes a few pages instead of a page for each row it changes.
        ``planned``: those rows planned already (``plan_rows`` of these writes), ``defer`` then as it was told.
        ``waited``: someone waits for the block, which then leaves a due merge of the recent transaction ids to a
        later block or the idle node (``ids_merge_due``) until ``waited_merge_ids`` wait, and a due write of the
        state tree until an eighth more entries changed (``StoredTree.wants_flush``)."""
        base = header.height << INDEX_BITS
        rows = []
        ids: list[tuple[int, int]] = []
        for index, (tx, stored, result) in enumerate(txs):
            if index >= MAX_BLOCK_TXS:
                raise StoreError(f"expected at most {MAX_BLOCK_TXS} transactions in a block, found more")
            rows.append((base | index, stored, b"" if tx.type in IMPLIED_RESULTS else canonical(result)))
            ids.append((id_prefix(bytes.fromhex(tx.tx_id)), base | index))
        if planned is None:
            # Told a block's writes before its tree rows are taken (``State.stage``, which also says which of the
            # keys had a value: only those rows are looked up; a new reading's key is not).
            existed = None if self.before_write is None else self.before_write(
                {key: encoded for key, (_, encoded) in writes.items()})
            planned = self.plan_rows(writes, existed, defer=defer)
        elif planned.writes is not writes:
            raise ValueError("expected the rows planned for this block's writes, found those of other writes")
        plan, packed = planned.plan, planned.packed
        tree = self.tree.pending() if self.tree.wants_flush(waited=waited) else None
        with self._lock:
            with self._write_transaction(self._wal_waited_bytes if defer else None):
                self._db.execute("INSERT INTO blocks VALUES (?, ?, ?, ?, ?)",
                                 (header.height, header.hash(), canonical(header.to_cbor()),
                                  json.dumps(commit.to_json()), len(rows)))
                self._db.executemany("INSERT INTO txs VALUES (?, ?, ?)", rows)
                merge = len(self._recent) + len(ids) >= (self.waited_merge_ids if waited else self.merge_ids)
                self._db.executemany("INSERT INTO tx_recent(prefix, seq) VALUES (?, ?)", ids)
                if merge:
                    self._merge_ids()
                if plan is None:
                    self._db.execute("INSERT INTO state_log VALUES (?, ?)", (header.height, planned.logged))
                else:
                    self._write_state(plan)
                if tree is not None:
                    self._write_tree(tree, header.height)
                else:
                    self._db.execute("INSERT INTO smt_redo VALUES (?, ?)", (header.height, planned.redo))
            if tree is not None:
                self.tree.written(tree)
            self._unchecked += len(rows) + (0 if tree is None else tree.changes)
            if merge:
                self._recent.clear()
            else:
                for prefix, seq in ids:
                    self._recent.add(prefix, seq)
            if plan is None:
                self._logged = _Logged(header.height, writes, planned.existed, packed)
            else:
                self._state_written(plan)
        if tree is not None:
            del tree
            heap.give_back()  # what the tree's write freed (``ledger.heap``)

    def plan_rows(self, writes: dict[str, tuple[Any, bytes | None]], existed: dict[str, Any] | None, *,
                  defer: bool = False) -> BlockRows:
        """What ``write_block`` writes of a block's state ``writes`` (as it takes them), planned before it is
        stored: the state rows and index entries they change, or with ``defer`` their log, checked as writing the
        rows would check them. ``existed``: the written keys that had a value, with it (``before_write``'s
        answer; None: not known). The block producer plans them while the state tree takes the block
        (``ledger.producer``); nothing else may write to the store between this and the ``write_block`` given
        them."""
        self.settle()  # the block before, if its writes are still logged
        packed = {key: pack_key(key) for key in writes}  # once a key: its row if new, and the tree's redo log
        plan: _StatePlan | None = None
        logged: bytes | None = None
        if defer and existed is not None:
            self._check_logged(writes, existed, packed)
            logged = bytes(cbor2.dumps([[key, encoded] for key, (_, encoded) in writes.items()]))
        else:
            plan = self._plan_state(writes, existed, packed)
        self._read_rows = set()
        return BlockRows(writes, existed, packed, plan, logged, bytes(cbor2.dumps(list(packed.values()))))

    def settle(self) -> None:
        """Write the state rows of a block stored with ``defer`` (its logged writes) if they are not written yet:
        before anything reads the state, before the next block, when the node is idle and when it closes. The
        log is durable, so this commit is not synced on its own (the next block's is, or a restart writes the rows
        again from the log). A store found changed outside the node raises ``StoreError`` here and at every read
        after, and the log is kept."""
        if self._logged is None:  # set only by the thread that writes blocks, before it says they are stored
            return
        with self._lock:
            logged = self._logged
            if logged is None:
                return
            plan = self._plan_state(logged.writes, logged.existed, logged.packed)
            self._db.execute("PRAGMA synchronous=NORMAL")
            try:
                with self._write_transaction():
                    self._write_state(plan)
                    self._db.execute("DELETE FROM state_log WHERE height = ?", (logged.height,))
            finally:
                self._db.execute("PRAGMA synchronous=FULL")
            self._logged = None
            self._state_written(plan)

    def _check_logged(self, writes: dict[str, tuple[Any, bytes | None]], existed: dict[str, Any],
                      packed: dict[str, bytes]) -> None:
        """Before a block is stored with its writes logged: what writing its rows would find (``_write_state``), so
        that a store changed outside the node refuses the block, not the ``settle`` after it: a row for each key
        that had a value, none for a key it creates. A row read while the block was made (a certificate's assets, the
        swept ones: ``_read_rows``) is not looked for again; the others take a few queries."""
        known, read = self._row_ids, self._read_rows
        changed: dict[str, tuple[list[int], list[str]]] = {"update": ([], []), "delete": ([], [])}
        with self._lock:
            for key in existed:  # by what the block does to it: its remembered row, or its key to look up
                if key in read:  # its row was read while the block was made (a certificate's assets)
                    continue
                rows, others = changed["update" if writes[key][1] is not None else "delete"]
                if key in known:
                    rows.append(known[key])
                else:
                    others.append(key)
            for verb, (rows, others) in changed.items():
                found = sum(n for n, in select_in(self._db, "SELECT count(*) FROM state WHERE id IN ({})", rows))
                if others:
                    found += len(self._stored_rows(others, values=False, remember=True))  # as _plan_state
                if found != len(rows) + len(others):
                    raise _rows_missing(verb, len(rows) + len(others), found)
            created = [packed[key] for key, (_, encoded) in writes.items()
                       if encoded is not None and key not in existed]
            clash = self._first_stored(created, merged=False)  # as ``_write_state`` looks
            if clash is not None:
                raise _row_clash(clash)

    def _replay_log(self) -> None:
        """On open: write the state rows of the blocks whose writes are still logged (the node stopped before it
        settled them), in the order of the blocks."""
        for height, blob in self._db.execute("SELECT height, writes FROM state_log ORDER BY height").fetchall():
            try:
                entries = cbor2.loads(blob)
                writes = {str(key): (None if encoded is None else decode(bytes(encoded)),
                                     None if encoded is None else bytes(encoded)) for key, encoded in entries}
            except (ValueError, TypeError, cbor2.CBORDecodeError) as exc:
                raise StoreError(f"the state writes logged for block {height} do not decode: {exc}; the store was "
                                 f"changed outside the node") from exc
            log.info("ledger store %s: writing the %d state values logged for block %d", self.path, len(writes),
                     height)
            self._logged = _Logged(int(height), writes, None, {key: pack_key(key) for key in writes})
            self.settle()

    def _plan_state(self, writes: dict[str, tuple[Any, bytes | None]], existed: dict[str, Any] | None,
                    packed: dict[str, bytes]) -> _StatePlan:
        """The rows and index entries that a block's ``writes`` change (``existed``: the keys that had a value,
        with it, if known; ``packed``: each key's disk form)."""
        if existed is None:
            found = self._stored_rows(list(writes))
        else:  # their values are known: only the rows' ids are wanted, looked up for those not remembered
            known = self._row_ids
            found = {key: (known[key], b"") for key in existed if key in known}
            if len(found) < len(existed):
                looked_up = self._stored_rows([key for key in existed if key not in found], values=False)
                found.update(looked_up)
                # Noted again: a key written in every block (a meter's record) would otherwise be looked up in each
                # once the assets written since it was noted had pushed it out.
                self._remember_rows({key: row for key, (row, _) in looked_up.items()})
        plan = _StatePlan()
        inserts, updates, deletes, indexes = plan.inserts, plan.updates, plan.deletes, plan.indexes
        groups, owners = plan.groups, plan.owners
        for key, (value, encoded) in writes.items():
            old = found.get(key)
            if old is None:
                old_value = None
            elif existed is not None and key in existed:  # decoded and checked already
                old_value = existed[key]
            else:
                old_value = unpack_value(key, old[1])[1]
            if encoded is None:  # deleted (ledger.rules.expiry)
                plan.gone.append(key)
                if old is not None:
                    deletes.append((old[0],))
                    if _is_asset(packed[key]):
                        plan.gone_assets.append((old[0], asset_prefix(packed[key])))
                    indexes.remove(old[0], indexed(key, old_value), self._owner_ids)
                    indexes.expiry(old[0], old_value, expiry_of(key, old_value), None, None, groups)
                continue
            stored = pack_value(key, value, encoded)
            if old is None:
                row = self._next_state_id + len(inserts)
                inserts.append((row, packed[key], stored))
                plan.inserted[key] = row
                indexes.add(row, indexed(key, value), self._owner_ids, owners)
            else:
                row = old[0]
                updates.append((stored, row))
                if not same_indexed(old_value, value):  # a certification changes neither owner nor openness
                    entry, old_entry = indexed(key, value), indexed(key, old_value)
                    if entry != old_entry:
                        indexes.remove(row, old_entry, self._owner_ids)
                        indexes.add(row, entry, self._owner_ids, owners)
            indexes.expiry(row, old_value, expiry_of(key, old_value), value, expiry_of(key, value), groups)
        if groups.added or groups.removed:
            groups.plan(self._row_ids_of, self._groups_of, plan.inserted)
            indexes.expiry_in += groups.plain_in
            indexes.expiry_out += groups.plain_out
        self._groups_read = {}  # this block may change them
        return plan

    def _write_state(self, plan: _StatePlan) -> None:
        """Inside a transaction (``_lock`` held): the state rows and index entries of ``plan``."""
        for verb, statement, params in (("update", "UPDATE state SET value = ? WHERE id = ?", plan.updates),
                                        ("delete", "DELETE FROM state WHERE id = ?", plan.deletes)):
            changed = self._db.executemany(statement, params).rowcount
            if changed != len(params):
                raise _rows_missing(verb, len(params), changed)
        # an asset row gone from ``asset_rows`` is noted for the next merge; one found through memory is forgotten
        # after the commit (``_state_written``)
        merged = self._merged_rows
        self._db.executemany("INSERT OR REPLACE INTO asset_rows_gone(id, prefix) VALUES (?, ?)",
                             [gone for gone in plan.gone_assets if gone[0] < merged])
        # a key the block creates (``Overlay.create``) that is stored: a text key's is refused by
        # ``state_by_text_key``; an asset's is looked for among the rows found through memory, where a row added
        # outside the node is read on start. Looking in ``asset_rows`` too cost 1.1-1.7 µs a reading at 500,000
        # readings (the state rows' SQL 12.8-13.0 → 11.2-11.8 µs, three interleaved pairs); a row someone also
        # entered there is counted on start, which refuses the store, and one not entered there is never read (the
        # audit finds it).
        clash = self._first_stored([blob for _, blob, _ in plan.inserts if _is_asset(blob)], merged=False)
        if clash is not None:
            raise _row_clash(clash)
        try:
            self._db.executemany("INSERT INTO state(id, key, value) VALUES (?, ?, ?)", plan.inserts)
        except sqlite3.IntegrityError as exc:
            raise _row_clash(self._first_stored([blob for _, blob, _ in plan.inserts])) from exc
        plan.indexes.write(self._db, plan.owners)
        plan.groups.write(self._db)

    def _state_written(self, plan: _StatePlan) -> None:
        """After the commit of ``plan``'s rows: what the store remembers of them."""
        self._unchecked += len(plan.inserts) + len(plan.updates) + len(plan.deletes)
        self._next_state_id += len(plan.inserts)
        self._state_count += len(plan.inserts) - len(plan.deletes)
        self._owner_ids.update(plan.owners)
        self._remember_rows(plan.inserted, plan.gone)
        recent = self._recent_rows
        for row, prefix in plan.gone_assets:
            recent.discard(prefix, row)
        for row, blob, _ in plan.inserts:
            if _is_asset(blob):
                recent.add(asset_prefix(blob), row)
        if len(recent) >= self.merge_rows:
            try:
                self._merge_rows()
            except sqlite3.Error as exc:  # the block is stored: its rows stay in memory, merged after a later one
                log.warning("ledger store %s: the recent asset rows could not be merged: %s", self.path, exc)

    def _remember_rows(self, rows: dict[str, int], gone: Iterable[str] = ()) -> None:
        """Note the row ids of ``rows`` (key → id) and forget those of the deleted keys ``gone``; the oldest
        leave once there are more than ``value_cache``."""
        known = self._row_ids
        for key in gone:
            known.pop(key, None)
        known.update(rows)
        over = len(known) - self.value_cache
        if over > 0:
            for key in list(itertools.islice(known, over)):
                del known[key]

    def _first_stored(self, blobs: list[bytes], *, merged: bool = True) -> str | None:
        """The first of these packed state keys that has a row (the lock held; ``merged``: as ``_rows_at``)."""
        row = next(self._rows_at(blobs, "x''", merged=merged), None)
        return None if row is None else unpack_key(row[0])

    def _rows_at(self, blobs: list[bytes], column: str, *, merged: bool = True) -> Iterator[tuple[bytes, int, Any]]:
        """(packed key, row id, ``column``) of the rows stored at these packed keys (the lock held): a text key's
        through ``state_by_text_key``, an asset's through its prefix (module docstring), in memory or in
        ``asset_rows`` (``merged=False``: in memory only). A key found in two rows is a store changed outside the
        node."""
        assets = {blob for blob in blobs if _is_asset(blob)}
        texts = [blob for blob in blobs if not _is_asset(blob)]
        for key, row, value in select_in(self._db, f"SELECT key, id, {column} FROM state WHERE {TEXT_KEYS} AND "
                                                   f"key IN ({{}})", texts):
            yield bytes(key), row, value
        if not assets:
            return
        prefixes = sorted({asset_prefix(blob) for blob in assets})
        recent = self._recent_rows
        rows = {row for prefix in prefixes for row in recent.numbers(prefix)}
        if merged:
            rows.update(row for row, in select_in(self._db, "SELECT id FROM asset_rows WHERE prefix IN ({})",
                                                  prefixes))
        seen: dict[bytes, int] = {}
        for key, row, value in select_in(self._db, f"SELECT key, id, {column} FROM state WHERE id IN ({{}})",
                                         sorted(rows)):
            key = bytes(key)
            if key not in assets:  # another key under the prefix, or a row since deleted (``asset_rows_gone``)
                continue
            if key in seen:
                raise StoreError(f"expected each state key once in {self.path}, found {unpack_key(key)!r} in rows "
                                 f"{seen[key]} and {row}; the store was changed outside the node")
            seen[key] = row
            yield key, row, value

    # --- reads ------------------------------------------------------------------------------------------
    def last_height(self) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT MAX(height) FROM blocks").fetchone()
        return None if row[0] is None else int(row[0])

    def block(self, height: int) -> tuple[BlockHeader, Commit, int] | None:
        with self._lock:
            row = self._db.execute("SELECT header, commit_json, tx_count FROM blocks WHERE height = ?",
                                   (height,)).fetchone()
        if row is None:
            return None
        return BlockHeader.from_cbor(decode(row[0])), Commit.from_json(json.loads(row[1])), int(row[2])

    def _candidates(self, tx_id: str) -> list[tuple[int, bytes, bytes]]:
        """(seq, canonical bytes, result) of the transactions whose ids share ``tx_id``'s prefix, in commit order.
        Call with ``_lock`` held."""
        raw = _id_bytes(tx_id)
        if raw is None:
            return []
        prefix = id_prefix(raw)
        rows = self._db.execute("SELECT t.seq, t.stored, t.result FROM tx_ids i JOIN txs t ON t.seq = i.seq "
                                "WHERE i.prefix = ? ORDER BY i.seq", (prefix,)).fetchall()
        for seq in self._recent.numbers(prefix):  # after every merged one: ids are merged oldest first
            rows += self._db.execute("SELECT seq, stored, result FROM txs WHERE seq = ?", (seq,)).fetchall()
        return [(int(seq), unpack_tx(bytes(stored), self._chain or ""), bytes(result)) for seq, stored, result in rows]

    def tx(self, tx_id: str) -> tuple[int, int, bytes, Any] | None:
        """(height, index, canonical bytes, stored result) of a committed transaction: the one under the id's
        prefix whose bytes hash to it; if none does, the first under the prefix (another transaction sharing the
        prefix, or one edited in the store: the caller checks it against its block, ``ledger.queries``)."""
        with self._lock:
            candidates = self._candidates(tx_id)
        if not candidates:
            return None
        wanted = _id_bytes(tx_id)
        seq, raw, result = next((c for c in candidates if sha256(c[1]) == wanted), candidates[0])
        return seq >> INDEX_BITS, seq & (MAX_BLOCK_TXS - 1), raw, decode(result) if result else {}

    def has_tx(self, tx_id: str) -> bool:
        return bool(self.committed([tx_id]))

    def committed(self, tx_ids: Sequence[str]) -> set[str]:
        """Which of ``tx_ids`` the store holds (a prefix found is confirmed by hashing the stored bytes)."""
        raws = {tx_id: raw for tx_id in tx_ids if (raw := _id_bytes(tx_id)) is not None}
        prefixes = sorted({id_prefix(raw) for raw in raws.values()})  # in key order: neighbouring pages
        found: set[str] = set()
        with self._lock:
            # ``IN (…)`` over a few hundred prefixes: 2.6-3.2 µs an id against 7-11 µs for a query each (a store
            # of 1 M readings)
            recent = self._recent
            held: set[int] = {prefix for prefix in prefixes if prefix in recent}
            held.update(prefix for prefix, in select_in(
                self._db, "SELECT DISTINCT prefix FROM tx_ids WHERE prefix IN ({})", prefixes))
            for tx_id, raw in raws.items():
                if id_prefix(raw) in held and any(sha256(candidate) == raw
                                                  for _, candidate, _ in self._candidates(tx_id)):
                    found.add(tx_id)
        return found

    def block_txs(self, height: int) -> list[bytes]:
        """The canonical bytes of a block's transactions, in order."""
        base = height << INDEX_BITS
        with self._lock:
            rows = self._db.execute("SELECT stored FROM txs WHERE seq BETWEEN ? AND ? ORDER BY seq",
                                    (base, base | (MAX_BLOCK_TXS - 1))).fetchall()
        return [unpack_tx(bytes(r[0]), self._chain or "") for r in rows]

    def state_rows(self) -> list[tuple[str, bytes, Any]]:
        """Every state value as (key, canonical bytes, value): a whole read, for tests and tools (a node reads
        values as it needs them, ``state_value``)."""
        with self._lock:
            self.settle()
            rows = self._db.execute("SELECT key, value FROM state ORDER BY id").fetchall()
        out: list[tuple[str, bytes, Any]] = []
        for key_blob, value_blob in rows:
            key = unpack_key(bytes(key_blob))
            encoded, value = unpack_value(key, bytes(value_blob))
            out.append((key, encoded, value))
        return out

    def state_value(self, key: str) -> tuple[bytes, Any] | None:
        """The canonical bytes and the value stored at ``key``, None if none is."""
        with self._lock:
            if self._logged is not None:
                self.settle()
            found = list(self._rows_at([pack_key(key)], "value"))
        return unpack_value(key, bytes(found[0][2])) if found else None

    def state_values_at(self, keys: list[str]) -> dict[str, tuple[bytes, Any]]:
        """``state_value`` of many keys in a few queries: key → (canonical bytes, value) of those stored."""
        self.settle()
        return {key: unpack_value(key, stored) for key, (_, stored) in self._stored_rows(keys, remember=True).items()}

    def state_scan(self, prefix: str) -> list[tuple[str, bytes, Any]]:
        """The keys starting with ``prefix`` with their canonical bytes and values, in the order they were first
        written: a range of the index ``state_by_text_key``, or for an asset prefix every asset row (a whole
        read, for tests and tools)."""
        bounds: tuple[bytes, ...] = ()
        if prefix.startswith(ASSET_PREFIX):
            where = f"NOT {TEXT_KEYS}"
        else:
            low = pack_key(prefix)
            where, bounds = f"{TEXT_KEYS} AND key >= ? AND key < ?", (low, low + b"\xff")  # no byte of UTF-8 is 0xff
        with self._lock:
            self.settle()
            rows = self._db.execute(f"SELECT key, value FROM state WHERE {where} ORDER BY id", bounds).fetchall()
        out = []
        for key_blob, value_blob in rows:
            key = unpack_key(bytes(key_blob))
            if key.startswith(prefix):
                out.append((key, *unpack_value(key, bytes(value_blob))))
        return out

    def owned_keys(self, owner: str) -> list[str]:
        """The asset keys whose owner is ``owner`` (index ``state_owner``), in no order."""
        self.settle()
        owner_id = self._owner_ids.get(owner)
        if owner_id is None:
            return []
        with self._lock:
            rows = self._db.execute("SELECT s.key FROM state_owner o JOIN state s ON s.id = o.id WHERE o.owner = ?",
                                    (owner_id,)).fetchall()
        return [unpack_key(bytes(row[0])) for row in rows]

    def open_keys(self, owner: str, first_day: int | None = None,
                  of: Callable[[str, str], bool] | None = None) -> Iterator[list[str]]:
        """The keys of ``owner``'s assets open for trade (index ``state_open``), one expiry day at a time from
        ``first_day`` on (None: all in one list), only of the (provider, method) pairs ``of`` accepts."""
        self.settle()
        owner_id = self._owner_ids.get(owner)
        if owner_id is None:
            return
        select = "SELECT o.provider, o.method, s.key FROM state_open o JOIN state s ON s.id = o.id WHERE o.owner = ?"
        if first_day is None:
            with self._lock:
                rows = self._db.execute(select, (owner_id,)).fetchall()
            yield [unpack_key(bytes(k)) for p, m, k in rows if of is None or of(str(p), str(m))]
            return
        day = first_day
        while True:
            with self._lock:
                found = self._db.execute("SELECT min(day) FROM state_open WHERE owner = ? AND day >= ?",
                                         (owner_id, day)).fetchone()[0]
                if found is None:
                    return
                day = int(found)
                rows = self._db.execute(select + " AND o.day = ?", (owner_id, day)).fetchall()
            keys = [unpack_key(bytes(k)) for p, m, k in rows if of is None or of(str(p), str(m))]
            if keys:
                yield keys
            day += 1

    def expired_values(self, cutoff: int, limit: int) -> list[tuple[str, tuple[bytes, Any]]]:
        """The first ``limit`` asset keys expiring at or before ``cutoff`` in (expiry, key) order (index
        ``state_expiry`` and the certificates' groups of ``ledger.expiry_groups``), each with its canonical bytes
        and value (``state_value``), read by the query that finds it: the sweep deletes them next, and the block
        needs each one's value before it and its row id (noted in ``_row_ids``) without looking its key up again.
        Row ids may differ between nodes, so the keys of the last expiry taken are all read and the lowest
        taken."""
        select = ("SELECT e.expires, s.key, s.id, s.value FROM state_expiry e JOIN state s ON s.id = e.id "
                  "WHERE e.expires <= ? ORDER BY e.expires LIMIT ?")
        with self._lock:
            self.settle()
            rows = [(int(e), unpack_key(bytes(k)), row, value)
                    for e, k, row, value in self._db.execute(select, (cutoff, limit))]
            if len(rows) == limit and rows:
                last = rows[-1][0]
                rows = [row for row in rows if row[0] < last]
                rows += [(last, unpack_key(bytes(k)), row, value) for k, row, value in self._db.execute(
                    "SELECT s.key, s.id, s.value FROM state_expiry e JOIN state s ON s.id = e.id WHERE e.expires = ?",
                    (last,))]
            self._groups_read = {}
            grouped = {row: (expires, cert) for expires, row, cert in
                       expiry_groups.expiring(self._db, cutoff, limit, [row[0] for row in rows], self._groups_read)}
            ids = list(grouped)
            certs: dict[int, int] = {}  # asset row → its certificate's row
            for row, k, value in select_in(self._db, "SELECT id, key, value FROM state WHERE id IN ({})", ids):
                expires, certs[row] = grouped.pop(row)
                rows.append((expires, unpack_key(bytes(k)), row, value))
            if grouped:
                row, (expires, _) = next(iter(grouped.items()))
                raise StoreError(f"expected state row {row}, which a certificate's expiry group names (expiring at "
                                 f"{expires}), found none: the store was changed outside the node")
            taken = sorted(rows, key=itemgetter(0, 1))[:limit]  # (expires, key)
            values = [(key, unpack_value(key, bytes(value))) for _, key, _, value in taken]
            for (expires, key, _, _), (_, (_, value)) in zip(taken, values, strict=True):
                if expiry_of(key, value) != expires:  # an index edited to have the sweep take a value early
                    raise StoreError(f"expected the value at state key {key!r} to expire at {expires}, as the "
                                     f"expiry index says, found {expiry_of(key, value)}: the store was changed "
                                     f"outside the node")
            # the rows of the swept assets, and of their certificates' records (``expiry_groups.GroupChanges``)
            self._remember_rows({key: row for _, key, row, _ in taken})
            self._read_rows.update(key for _, key, _, _ in taken)
            self._remember_rows({
                expiry_groups.CERT_PREFIX + value["cert"]: certs[row]
                for (_, _, row, _), (_, (_, value)) in zip(taken, values, strict=True)
                if row in certs and type(value.get("cert")) is str})  # else edited: the tree's check refuses it
        return values

    def _row_ids_of(self, keys: list[str]) -> dict[str, int]:
        """The row ids of those of these state keys that are stored."""
        known = self._row_ids
        found = {key: known[key] for key in keys if key in known}
        missing = [key for key in keys if key not in found]
        if missing:
            found.update({key: row for key, (row, _) in self._stored_rows(missing, values=False).items()})
        return found

    def _groups_of(self, certs: list[int]) -> dict[int, tuple[int, array[int]]]:
        """The expiry groups of these certificates' rows, as ``expiry_groups.groups`` gives them: those the sweep's
        query read since the last block was written as it read them, the others from the store."""
        read = self._groups_read
        found = {cert: read[cert] for cert in certs if cert in read}
        missing = [cert for cert in certs if cert not in found]
        if missing:
            with self._lock:
                found.update(expiry_groups.groups(self._db, missing))
        return found

    def _stored_rows(self, keys: list[str], *, values: bool = True, remember: bool = False
                     ) -> dict[str, tuple[int, bytes]]:
        """key → (row id, stored form) of those of ``keys`` that are stored; ``values=False``: the row ids alone
        (the stored forms are then empty), for keys whose values the caller holds; ``remember``: their ids are
        noted (``_row_ids``) before another block can change them."""
        packed = {pack_key(key): key for key in keys}
        blobs = list(packed)
        found: dict[str, tuple[int, bytes]] = {}
        column = "value" if values else "x''"
        with self._lock:
            for key_blob, row, value in self._rows_at(blobs, column):
                found[packed[key_blob]] = (row, value)
            if remember:
                self._remember_rows({key: row for key, (row, _) in found.items()})
                self._read_rows.update(found)
        return found

    @property
    def state_values(self) -> int:
        """How many state values are stored (counted on open, then followed)."""
        self.settle()
        return self._state_count

    def state_count(self) -> int:
        """How many state rows there are, counted."""
        with self._lock:
            self.settle()
            return int(self._db.execute("SELECT count(*) FROM state").fetchone()[0])

    def iter_state(self, batch: int = 20_000) -> Iterator[tuple[str, bytes]]:
        """Every state value as (key, canonical bytes), read in batches of rows (for an audit: nothing kept)."""
        for _, key, encoded, _ in self.iter_state_rows(batch):
            yield key, encoded

    def iter_state_rows(self, batch: int = 20_000) -> Iterator[tuple[int, str, bytes, Any]]:
        """Every state row as (row id, key, canonical bytes, value), read in batches of rows (from the lowest id
        there is: a row added outside the node may have any)."""
        last: int | None = None
        self.settle()
        while True:
            where, after = ("", ()) if last is None else ("WHERE id > ?", (last,))
            with self._lock:
                rows = self._db.execute(f"SELECT id, key, value FROM state {where} ORDER BY id LIMIT ?",
                                        (*after, batch)).fetchall()
            if not rows:
                return
            for row, key_blob, value_blob in rows:
                key = unpack_key(bytes(key_blob))
                yield (int(row), key, *unpack_value(key, bytes(value_blob)))
            last = int(rows[-1][0])

    def owner_id(self, owner: str) -> int | None:
        """The number of ``owner`` in the indexes (None: it owns nothing indexed)."""
        self.settle()
        return self._owner_ids.get(owner)

    def index_entries(self, batch: int = 50_000) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """Every entry of ``state_owner`` ("owner", (owner, id)), ``state_open`` ("open", (owner, day, provider,
        method, id)) and ``state_expiry`` with the certificates' expiry groups ("expiry", (expires, id)), in
        batches."""
        self.settle()
        # each table in the order of its key (the first columns selected), its entries in the order said above
        for table, key, columns, order in (("owner", 2, "owner, id", (0, 1)),
                                           ("open", 3, "owner, day, id, provider, method", (0, 1, 3, 4, 2)),
                                           ("expiry", 2, "expires, id", (0, 1))):
            keyed = ", ".join(columns.split(", ")[:key])
            after: tuple[Any, ...] | None = None
            while True:
                where = "" if after is None else f"WHERE ({keyed}) > ({', '.join('?' * key)})"
                with self._lock:
                    rows = self._db.execute(f"SELECT {columns} FROM state_{table} {where} ORDER BY {keyed} LIMIT ?",
                                            (*(after or ()), batch)).fetchall()
                if not rows:
                    break
                for row in rows:
                    yield table, tuple(row[i] for i in order)
                after = tuple(rows[-1][:key])
        groups = expiry_groups.entries(self._db, 256)  # up to 14 KB each
        while True:
            with self._lock:
                entries = list(itertools.islice(groups, batch))
            if not entries:
                return
            for entry in entries:
                yield "expiry", entry

    def check_writable(self) -> None:
        try:
            with self._lock:
                self._db.execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"ledger store {self.path} is not usable: {exc}") from exc

    # --- format ---------------------------------------------------------------------------------------------
    def _has_table(self, name: str) -> bool:
        return self._db.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?",
                                (name,)).fetchone() is not None

    def _columns(self, table: str) -> list[str]:
        return [str(row[1]) for row in self._db.execute(f"PRAGMA table_info({table})")]

    def _migrate_from_1(self) -> None:
        """Rewrite a store of format 1 (transactions by id, state by text key) in format 2, in one transaction;
        values keep their canonical bytes (``FORM_RAW``), so the state root is unchanged."""
        raw = bytes((FORM_RAW,))
        with self._write_transaction():
            self._db.execute("DROP INDEX IF EXISTS txs_by_block")
            self._db.execute("ALTER TABLE txs RENAME TO txs_1")
            self._db.execute("ALTER TABLE state RENAME TO state_1")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            txs = self._db.execute("SELECT (height << 16) | idx, tx_id, raw, result FROM txs_1").fetchall()
            self._db.executemany("INSERT INTO txs VALUES (?, ?, ?)", [(s, raw + bytes(r), x) for s, _, r, x in txs])
            self._db.executemany("INSERT INTO tx_ids VALUES (?, ?)", [(id_prefix(bytes(i)), s) for s, i, _, _ in txs])
            self._db.executemany("INSERT INTO state(key, value) VALUES (?, ?)",
                                 [(pack_key(str(k)), raw + bytes(v))
                                  for k, v in self._db.execute("SELECT key, value FROM state_1").fetchall()])
            self._db.execute("DROP TABLE txs_1")
            self._db.execute("DROP TABLE state_1")
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', '2')")

    def _migrate_from_4(self) -> None:
        """Build the indexes ``state_by_key``, ``txs_by_id``, ``state_owner`` and ``state_open`` from the rows,
        in one transaction."""
        with self._write_transaction():
            for table in ("owners", "state_owner", "state_open"):
                self._db.execute(f"DELETE FROM {table}")
            owner_ids: dict[str, int] = {}
            owners: dict[str, int] = {}
            index = _IndexChanges()
            for row, key_blob, value_blob in self._db.execute("SELECT id, key, value FROM state").fetchall():
                key = unpack_key(bytes(key_blob))
                index.add(int(row), indexed(key, unpack_value(key, bytes(value_blob))[1]), owner_ids, owners)
                owner_ids.update(owners)
            index.write(self._db, owner_ids)
            self._build_indexes()
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', '5')")

    def _migrate_from_5(self) -> None:
        """Build the index ``state_expiry`` from the state rows, in one transaction (the assets that expired
        before then leave the state with the blocks that follow, ``ledger.rules.expiry``)."""
        with self._write_transaction():
            self._db.execute("DELETE FROM state_expiry")
            index = _IndexChanges()
            for row, key_blob, value_blob in self._db.execute("SELECT id, key, value FROM state").fetchall():
                key = unpack_key(bytes(key_blob))
                expires = expiry_of(key, unpack_value(key, bytes(value_blob))[1])
                if expires is not None:
                    index.expiry_in.append((expires, int(row)))
            index.write(self._db, {})
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', '6')")

    def _migrate_from_6(self) -> None:
        """Key the transactions by id prefix in ``tx_ids`` and drop their 32-byte ids from ``txs`` (and the
        index on them), in one transaction (a store migrated from format 1 has them already)."""
        with self._write_transaction():
            if "tx_id" in self._columns("txs"):
                self._db.execute("DELETE FROM tx_ids")
                last = -1
                while True:
                    rows = self._db.execute("SELECT seq, tx_id FROM txs WHERE seq > ? ORDER BY seq LIMIT 100000",
                                            (last,)).fetchall()
                    if not rows:
                        break
                    self._db.executemany("INSERT INTO tx_ids VALUES (?, ?)",
                                         [(id_prefix(bytes(tx_id)), int(seq)) for seq, tx_id in rows])
                    last = int(rows[-1][0])
                self._db.execute("DROP INDEX IF EXISTS txs_by_id")
                self._db.execute("ALTER TABLE txs DROP COLUMN tx_id")
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', '7')")

    def _migrate_from_3(self) -> None:
        """Delete the tree rows that the stored root does not reach (replaced by later writes), in one
        transaction: the rows of a store of format 3 grew with every write of the tree."""
        with self._write_transaction():
            self._db.execute(LEGACY_SMT)
            root_id = int(self._db.execute("SELECT coalesce((SELECT value FROM meta WHERE key = 'smt_root'), 0)")
                          .fetchone()[0])
            self._db.execute("CREATE TEMP TABLE smt_live (id INTEGER PRIMARY KEY)")
            child = "CASE side.n WHEN 0 THEN smt.l ELSE smt.r END"
            self._db.execute(f"WITH RECURSIVE live(id) AS (SELECT ?1 WHERE ?1 > 0 UNION ALL SELECT {child} FROM live "
                             f"JOIN smt ON smt.id = live.id JOIN (SELECT 0 AS n UNION ALL SELECT 1) AS side "
                             f"WHERE {child} > 0) INSERT INTO smt_live SELECT id FROM live", (root_id,))
            self._db.execute("DELETE FROM smt WHERE id NOT IN (SELECT id FROM smt_live)")
            self._db.execute("DROP TABLE smt_live")
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', '4')")

    def _migrate_from_7(self) -> None:
        """Copy the tree's rows of a store of format 7 (``LEGACY_SMT``) to their positions (as groups), walking
        down from the stored root a level at a time, and drop the old tables, in one transaction. The rows are
        copied as they are: one changed outside the node is refused at its first read, as before."""
        with self._write_transaction():
            if self._has_table("smt"):
                self._db.execute("DELETE FROM smt_groups")
                self._db.execute("DELETE FROM smt_groups_deep")
                root_id = int(self._db.execute("SELECT coalesce((SELECT value FROM meta WHERE key = 'smt_root'), "
                                               "0)").fetchone()[0])
                level = {root_id: 1} if root_id else {}
                while level:
                    below: dict[int, int] = {}
                    ids = list(level)
                    rows: list[tuple[int, bytes]] = []
                    for row_id, node, left, right in select_in(
                            self._db, "SELECT id, node, l, r FROM smt WHERE id IN ({})", ids):
                        index = level[row_id]
                        rows.append((index, node))
                        if left:
                            below[left] = 2 * index
                        if right:
                            below[right] = 2 * index + 1
                    write_tree_nodes(self._db, TreeWrite(rows, [], 0))
                    level = below
                self._db.execute("DROP TABLE smt")
            self._db.execute("DROP TABLE IF EXISTS smt_garbage")
            self._db.execute("DELETE FROM meta WHERE key = 'smt_root'")
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', '8')")

    def _migrate_from_11(self) -> None:
        """Enter every asset row in ``asset_rows`` under its key's prefix, in key order, and drop the index of every
        state key (``state_by_text_key`` replaces it for text keys: ``_build_indexes``), in one transaction."""
        with self._write_transaction():
            self._db.create_function("asset_prefix", 1, asset_prefix, deterministic=True)
            self._db.execute("DROP INDEX IF EXISTS state_by_key")
            self._db.execute("DELETE FROM asset_rows")
            self._db.execute("DELETE FROM asset_rows_gone")
            self._db.execute(f"INSERT INTO asset_rows(prefix, id) SELECT asset_prefix(key) AS p, id FROM state WHERE "
                             f"NOT {TEXT_KEYS} ORDER BY p, id")
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) SELECT 'asset_rows_merged', "
                             "coalesce(max(id), 0) + 1 FROM state")
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', '12')")

    def _migrate_from_12(self) -> None:
        """Rewrite the tree's rows of a store of format 12 (a row a node, ``NODE_TABLES``) as rows of groups and drop
        the old tables, in one transaction. The nodes are copied as they are: one changed outside the node is refused
        at its first read, as before."""
        with self._write_transaction():
            if self._has_table(NODE_TABLES[0]):
                keyed = self._db.execute(f"SELECT k, node FROM {NODE_TABLES[0]}")
                rows = [((1 << (key & 63)) | key >> (62 - (key & 63)), bytes(node)) for key, node in keyed]
                if self._has_table(NODE_TABLES[1]):
                    deep = self._db.execute(f"SELECT k, node FROM {NODE_TABLES[1]}")
                    rows.extend((int.from_bytes(key, "big"), bytes(node)) for key, node in deep)
                misshapen = next((index for index, node in rows if len(node) not in (32, 64)), None)
                if misshapen is not None:
                    raise StoreError(f"expected the state tree node at position {misshapen} of {self.path} to be a "
                                     f"32-byte hash or a 64-byte leaf; the store was changed outside the node")
                self._db.execute("DELETE FROM smt_groups")
                self._db.execute("DELETE FROM smt_groups_deep")
                write_tree_nodes(self._db, TreeWrite(rows, [], 0))
                for table in NODE_TABLES:
                    self._db.execute(f"DROP TABLE IF EXISTS {table}")
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', '13')")

    def _migrate_from_13(self) -> None:
        """Key ``state_open`` by owner, day and row id (format 13 keyed it by owner, day, provider, method and row
        id), copying its entries, in one transaction (1.4 s for 1.78 M entries here)."""
        log.info("ledger store %s: keying the index of open assets by row id (format 13 → 14), once", self.path)
        with self._write_transaction():
            self._db.execute("ALTER TABLE state_open RENAME TO state_open_13")
            self._db.execute(STATE_OPEN)
            self._db.execute("INSERT INTO state_open(owner, day, id, provider, method) SELECT owner, day, id, "
                             "provider, method FROM state_open_13 ORDER BY owner, day, id")
            self._db.execute("DROP TABLE state_open_13")
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', '14')")

    def _migrate_from_2(self) -> None:
        """Add the state tree of a store of format 2 (built once from its state rows), in one transaction."""
        hashes = []
        for key_blob, value_blob in self._db.execute("SELECT key, value FROM state"):
            key = unpack_key(bytes(key_blob))
            hashes.append((key.encode(), sha256(unpack_value(key, bytes(value_blob))[0])))
        tree = StoredTree(self._tree_nodes, None, 0)
        try:
            tree.load_all(hashes)
        except ValueError as exc:
            raise StoreError(f"the state of {self.path} cannot be read as a tree: {exc}; the store was changed "
                             f"outside the node") from exc
        with self._write_transaction():
            self._db.execute("DELETE FROM smt_groups")
            self._db.execute("DELETE FROM smt_groups_deep")
            last = self._db.execute("SELECT coalesce(max(height), 0) FROM blocks").fetchone()[0]
            self._write_tree(tree.pending(), int(last))
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('format', '4')")


def _rows_missing(verb: str, expected: int, found: int) -> StoreError:
    return StoreError(f"expected to {verb} {expected} state row(s) this block changes, found {found} of them: the "
                      f"store was changed outside the node")


def _row_clash(key: str | None) -> StoreError:
    return StoreError(f"expected no stored value at state key {key!r}, which this block creates, found one, and the "
                      f"state tree (checked against the signed header) holds none: the store was changed outside the "
                      f"node")


def _certificate(value: Any) -> str | None:
    """The certificate of a certified asset's value."""
    cert = value.get("cert") if type(value) is dict else None
    return cert if type(cert) is str else None


class _IndexChanges:
    """The rows a block adds to and removes from ``state_owner``, ``state_open`` and ``state_expiry``
    (``ledger.state_index``)."""

    def __init__(self) -> None:
        self.owned_in: list[tuple[int, int]] = []
        self.owned_out: list[tuple[int, int]] = []
        self.open_in: list[tuple[int, int, int, str, str]] = []
        self.open_out: list[tuple[int, int, int]] = []
        self.expiry_in: list[tuple[int, int]] = []
        self.expiry_out: list[tuple[int, int]] = []

    def expiry(self, row: int, old_value: Any, old: int | None, value: Any, new: int | None,
               groups: expiry_groups.GroupChanges) -> None:
        """State row ``row``'s entry in the expiry index goes from ``old`` to ``new`` (None: none): in
        ``state_expiry``, or in its certificate's group (``ledger.expiry_groups``) for a certified asset."""
        old_cert = None if old is None else _certificate(old_value)
        cert = None if new is None else _certificate(value)
        if old == new and old_cert == cert:
            return
        if old is not None:
            if old_cert is None:
                self.expiry_out.append((old, row))
            else:
                groups.remove(old_cert, old, row)
        if new is not None:
            if cert is None:
                self.expiry_in.append((new, row))
            else:
                groups.add(cert, new, row)

    def add(self, row: int, entry: Indexed | None, known: dict[str, int], new: dict[str, int]) -> None:
        """``entry`` of state row ``row`` goes into the indexes; an owner not in ``known`` gets a number in
        ``new``."""
        if entry is None:
            return
        owner_id = known.get(entry.owner) or new.get(entry.owner)
        if owner_id is None:
            owner_id = new[entry.owner] = max([0, *known.values(), *new.values()]) + 1
        self.owned_in.append((owner_id, row))
        if entry.day is not None:
            self.open_in.append((owner_id, entry.day, row, entry.provider, entry.method))

    def remove(self, row: int, entry: Indexed | None, known: dict[str, int]) -> None:
        owner_id = None if entry is None else known.get(entry.owner)
        if entry is None or owner_id is None:
            return
        self.owned_out.append((owner_id, row))
        if entry.day is not None:
            self.open_out.append((owner_id, entry.day, row))

    def write(self, db: sqlite3.Connection, owners: dict[str, int]) -> None:
        """Inside a transaction: the new owners' numbers, then the removals, then the additions."""
        db.executemany("INSERT OR IGNORE INTO owners(id, owner) VALUES (?, ?)", [(i, o) for o, i in owners.items()])
        db.executemany("DELETE FROM state_owner WHERE owner = ? AND id = ?", self.owned_out)
        db.executemany("DELETE FROM state_open WHERE owner = ? AND day = ? AND id = ?", self.open_out)
        db.executemany("DELETE FROM state_expiry WHERE expires = ? AND id = ?", self.expiry_out)
        db.executemany("INSERT OR IGNORE INTO state_owner(owner, id) VALUES (?, ?)", self.owned_in)
        db.executemany("INSERT OR IGNORE INTO state_expiry(expires, id) VALUES (?, ?)", self.expiry_in)
        db.executemany("INSERT OR IGNORE INTO state_open(owner, day, id, provider, method) VALUES (?, ?, ?, ?, ?)",
                       self.open_in)


@dataclass
class BlockRows:
    """A block's state writes as ``Store.write_block`` stores them (``Store.plan_rows``): their rows and index
    entries (``plan``), or their log (``logged``, with ``defer``), and their keys' disk form (``packed``: the
    tree's redo log, ``redo``, holds them)."""

    writes: dict[str, tuple[Any, bytes | None]]
    existed: dict[str, Any] | None
    packed: dict[str, bytes]
    plan: _StatePlan | None
    logged: bytes | None
    redo: bytes


@dataclass
class _Logged:
    """A block's state writes stored with ``defer``, not yet written as rows (``Store.settle``)."""

    height: int
    writes: dict[str, tuple[Any, bytes | None]]
    existed: dict[str, Any] | None
    packed: dict[str, bytes]


@dataclass
class _StatePlan:
    """The state rows and index entries a block changes (``Store._plan_state``)."""

    inserts: list[tuple[int, bytes, bytes]] = field(default_factory=list)
    updates: list[tuple[bytes, int]] = field(default_factory=list)
    deletes: list[tuple[int]] = field(default_factory=list)
    inserted: dict[str, int] = field(default_factory=dict)  # key → its new row
    gone: list[str] = field(default_factory=list)  # keys deleted
    gone_assets: list[tuple[int, int]] = field(default_factory=list)  # (row id, ``asset_prefix``) of deleted assets
    owners: dict[str, int] = field(default_factory=dict)  # owners numbered by this block
    indexes: _IndexChanges = field(default_factory=_IndexChanges)
    groups: expiry_groups.GroupChanges = field(default_factory=expiry_groups.GroupChanges)
