"""A certificate's assets in the sweep's index as one group of entries (issue 16), not one entry each.

Why. A certification marks up to 900 assets certified, and each of them then enters the expiry index
(``ledger.state_index.expiry_of``) at its own expiry: a half hour each, among the entries of every other meter's
reading of that half hour. In ``state_expiry`` (keyed by expiry) a 900-asset certificate wrote some 900 scattered
pages: at 1,000,000 assets 5.5 ms of index writes and most of a 4.5 ms commit, of an issuance of about 60 ms.
Here its entries are one row of ``expiry_groups`` (under the row id of the certificate's record, which the same
block appends) and one of ``expiry_cursor`` (the group's next expiry, and how many of its entries the sweep already
took), so a certification writes a few pages whatever its size.

The same index. A group holds exactly the entries ``expiry_of`` gives its assets, (expiry, state row) in order; the
store's sweep query (``Store.expired_values``) reads them merged with ``state_expiry`` in (expiry, key) order and the
audit (``ledger.state_audit``) counts them with the others. Which assets a block sweeps is unchanged: this is a form
of storage, not a rule, and the state root is untouched.

Swept in order. The sweep takes a group's entries from the lowest, so it moves the cursor and leaves the group's row
as it is. Only a sweep that stops inside one expiry (``MAX_SWEPT`` of ``ledger.rules.expiry``; ties go by key, not row)
may take entries out of the middle: the row is then written again without them. The last entry taken deletes both.

Certificates stored before format 10 keep their assets' entries in ``state_expiry``.
"""

from __future__ import annotations

import heapq
import sqlite3
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence

from ledger.errors import StoreError
from ledger.select_in import select_in

SCHEMA = """
CREATE TABLE IF NOT EXISTS expiry_groups (cert INTEGER PRIMARY KEY, entries BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS expiry_cursor (cert INTEGER PRIMARY KEY, expires INTEGER NOT NULL, pos INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS expiry_cursor_by_expires ON expiry_cursor(expires, cert);
"""
CERT_PREFIX = "cert/"
_READ_BATCH = 64  # cursors read at a time by ``expiring``

Entry = tuple[int, int]  # (expiry, state row id)


def pack_entries(entries: Sequence[Entry]) -> bytes:
    """Entries as little-endian 64-bit integers, expiry then row."""
    flat = array("q", [number for entry in entries for number in entry])
    if sys.byteorder != "little":
        flat.byteswap()
    return flat.tobytes()


def unpack_entries(blob: bytes, cert: int, start: int = 0) -> list[Entry]:
    """The entries of a group from the ``start``-th on."""
    numbers = iter(_flat(blob, cert, start))
    return list(zip(numbers, numbers, strict=True))


def _flat(blob: bytes, cert: int, start: int) -> array[int]:
    """The entries of a group from the ``start``-th on, as one array (expiry, row, expiry, row, …): a sweep reads
    a few entries of a group of hundreds, so only those become Python tuples."""
    if len(blob) % 16 or not 0 <= start * 16 < len(blob):
        raise StoreError(f"expected the expiry group of certificate row {cert} to be pairs of 8-byte integers, the "
                         f"sweep at pair {start} of them, found {len(blob)} bytes: the store was changed outside the "
                         f"node")
    flat = array("q")
    flat.frombytes(blob[start * 16:])
    if sys.byteorder != "little":
        flat.byteswap()
    return flat


class GroupChanges:
    """The group entries a block adds and removes: assets certified in it (their certificate's record is a new row
    of the same block) and certified assets it deletes (swept), by their certificate's key."""

    def __init__(self) -> None:
        self.added: dict[str, list[Entry]] = {}
        self.removed: dict[str, list[Entry]] = {}
        self.plain_in: list[Entry] = []  # entries that belong in ``state_expiry`` after all (``plan``)
        self.plain_out: list[Entry] = []
        self._put: list[tuple[int, bytes, int, int]] = []  # (cert, entries or b"": unchanged, next expiry, pos)
        self._gone: list[tuple[int]] = []

    def add(self, certificate: str, expires: int, row: int) -> None:
        self.added.setdefault(CERT_PREFIX + certificate, []).append((expires, row))

    def remove(self, certificate: str, expires: int, row: int) -> None:
        self.removed.setdefault(CERT_PREFIX + certificate, []).append((expires, row))

    def plan(self, rows_of: Callable[[list[str]], dict[str, int]],
             groups_of: Callable[[list[int]], dict[int, tuple[int, array[int]]]], inserted: dict[str, int]) -> None:
        """Work out the writes, reading only: ``rows_of`` gives the row ids of stored state keys, ``groups_of``
        the groups of certificate rows (``groups``), ``inserted`` the rows this block adds. An asset certified
        without its certificate's record in the block, and a removed entry that no group holds (certified before
        format 10), stay with ``state_expiry``."""
        if self.removed:
            rows = rows_of(list(self.removed))
            by_row: dict[int, list[Entry]] = {}
            for key, entries in self.removed.items():
                cert = rows.get(key)
                if cert is None:
                    self.plain_out += entries
                else:
                    by_row.setdefault(cert, []).extend(entries)
            found = groups_of(list(by_row))
            for cert, taken in by_row.items():
                group = found.get(cert)
                if group is None:
                    self.plain_out += taken
                else:
                    self._take(cert, *group, sorted(taken))
        for key, entries in self.added.items():
            cert = inserted.get(key)
            if cert is None:
                self.plain_in += entries
            else:
                entries.sort()
                self._put.append((cert, pack_entries(entries), entries[0][0], 0))

    def _take(self, cert: int, pos: int, flat: array[int], taken: list[Entry]) -> None:
        """Take ``taken`` (in order) out of the group of row ``cert``, whose entries from ``pos`` on are ``flat``."""
        count = len(taken)
        if len(flat) >= 2 * count and all(flat[2 * i] == e and flat[2 * i + 1] == r for i, (e, r) in enumerate(taken)):
            # the lowest: the cursor moves past them, or the group is done
            if len(flat) == 2 * count:
                self._gone.append((cert,))
            else:
                self._put.append((cert, b"", flat[2 * count], pos + count))
            return
        numbers = iter(flat)
        left = list(zip(numbers, numbers, strict=True))
        held = set(left)
        self.plain_out += [entry for entry in taken if entry not in held]
        drop = set(taken)
        left = [entry for entry in left if entry not in drop]
        if left:
            self._put.append((cert, pack_entries(left), left[0][0], 0))
        else:
            self._gone.append((cert,))

    def write(self, db: sqlite3.Connection) -> None:
        """Inside the block's transaction, after ``plan``."""
        db.executemany("DELETE FROM expiry_groups WHERE cert = ?", self._gone)
        db.executemany("DELETE FROM expiry_cursor WHERE cert = ?", self._gone)
        db.executemany("INSERT OR REPLACE INTO expiry_groups(cert, entries) VALUES (?, ?)",
                       [(cert, blob) for cert, blob, _, _ in self._put if blob])
        db.executemany("INSERT OR REPLACE INTO expiry_cursor(cert, expires, pos) VALUES (?, ?, ?)",
                       [(cert, expires, pos) for cert, blob, expires, pos in self._put if blob])
        db.executemany("UPDATE expiry_cursor SET expires = ?, pos = ? WHERE cert = ?",  # a cursor moved
                       [(expires, pos, cert) for cert, blob, expires, pos in self._put if not blob])


def groups(db: sqlite3.Connection, certs: list[int]) -> dict[int, tuple[int, array[int]]]:
    """cert row → (pos, its entries from pos on: ``_flat``) of the groups of these certificates' rows that have
    one."""
    found: dict[int, tuple[int, array[int]]] = {}
    for cert, pos, blob in select_in(db, "SELECT c.cert, c.pos, g.entries FROM expiry_cursor c JOIN expiry_groups g "
                                         "ON g.cert = c.cert WHERE c.cert IN ({})", certs):
        found[int(cert)] = (int(pos), _flat(bytes(blob), int(cert), int(pos)))
    return found


def expiring(db: sqlite3.Connection, cutoff: int, limit: int, plain: list[int],
             read: dict[int, tuple[int, array[int]]]) -> list[tuple[int, int, int]]:
    """The group entries expiring at or before ``cutoff`` that may be among the first ``limit`` in expiry order,
    together with entries of ``state_expiry`` expiring at ``plain`` (their expiries: every one of them up to the
    highest): every group entry up to the ``limit``-th lowest expiry of all, ties included, as (expiry, row,
    certificate row). The groups read go into ``read`` as ``groups`` gives them: the block that sweeps the entries
    needs them again."""
    found: list[tuple[int, int, int]] = []
    bound = cutoff if len(plain) < limit else min(cutoff, heapq.nsmallest(limit, plain)[-1])
    after: tuple[int, int] = (-1 << 63, -1 << 63)
    while True:
        cursors = db.execute(
            "SELECT c.expires, c.cert, c.pos, g.entries FROM expiry_cursor c JOIN expiry_groups g ON g.cert = c.cert "
            "WHERE (c.expires, c.cert) > (?, ?) AND c.expires <= ? ORDER BY c.expires, c.cert LIMIT ?",
            (*after, bound, _READ_BATCH)).fetchall()
        for expires, cert, pos, blob in cursors:
            flat = _flat(bytes(blob), int(cert), int(pos))
            _check_cursor(int(cert), int(expires), flat[0])
            read[int(cert)] = (int(pos), flat)
            for at in range(0, len(flat), 2):
                if flat[at] > bound:
                    break
                found.append((flat[at], flat[at + 1], cert))
        if len(found) + len(plain) >= limit:
            bound = min(bound, heapq.nsmallest(limit, [*plain, *(entry[0] for entry in found)])[-1])
            found = [entry for entry in found if entry[0] <= bound]
        if len(cursors) < _READ_BATCH:
            return found
        after = (int(cursors[-1][0]), int(cursors[-1][1]))


def _check_cursor(cert: int, expires: int, first: int) -> None:
    """A group's cursor must name the expiry of the entry it is at: the sweep finds the group by it."""
    if expires != first:
        raise StoreError(f"expected the expiry group of certificate row {cert} to be found at its next entry's expiry "
                         f"{first}, found it at {expires}: the store was changed outside the node")


def entries(db: sqlite3.Connection, batch: int) -> Iterator[Entry]:
    """Every entry the groups hold, for the audit (``Store.index_entries``), each group's cursor checked."""
    after = 0
    while True:
        rows = db.execute("SELECT c.cert, c.expires, c.pos, g.entries FROM expiry_cursor c JOIN expiry_groups g "
                          "ON g.cert = c.cert WHERE c.cert > ? ORDER BY c.cert LIMIT ?", (after, batch)).fetchall()
        if not rows:
            return
        for cert, expires, pos, blob in rows:
            left = unpack_entries(bytes(blob), int(cert), int(pos))
            _check_cursor(int(cert), int(expires), left[0][0])
            yield from left
        after = int(rows[-1][0])
