"""Consortium ordering on etcd: transactions are appended, and each block's transactions are decided once.

Keys, under one chain's prefix ``/gc/<chain>/``::

    txs/<node-id>/<seq>     an opaque signed transaction appended by node <node-id> (seq: its own counter, from 1)
    blocks/<height>         the cut of block <height> (canonical CBOR, see :class:`Cut`), written once
    sigs/<height>/<node-id> a validator's signature over block <height>'s header (ledger.consortium.signatures)

Numbers in keys are zero-padded to 20 digits so that keys sort like the numbers.

Order. Each append is its own etcd write, so its creation revision places it in the one total order Raft gives
every write. A *cut* names a revision interval ``[first_rev, last_rev]``; its transactions are every appended key
whose creation revision falls in it, in revision order. Cuts are contiguous (block h starts right after block
h-1 ends), so every appended transaction lands in exactly one block. The cut is decided with an etcd txn that
creates ``blocks/<height>`` only if it does not exist: when two nodes race, one txn wins, and the loser reads and
returns the winner's cut — both see the same block.

An append is create-once too (compare on the key's creation revision): repeating it after an ambiguous failure
(the request timed out, the client failed over) never writes a second copy or overwrites another writer's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ledger.errors import Error, shown
from ledger.etcd import EtcdClient, EtcdRejected, KeyValue
from ledger_lite.encoding import canonical, decode, sha256

_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_PAGE = 1000
_SEEN_MAX = 4096  # appended batches remembered from the watch
CUT_VERSION = 2


class OrderingError(Error):
    code = "ordering_error"
    status = 409


class TxMissing(OrderingError):
    """A decided block's transaction is no longer in etcd (cleaned up after its block became final): read the
    block from a peer instead."""

    code = "tx_missing"


def _pad(number: int) -> str:
    return f"{number:020d}"


@dataclass(frozen=True)
class Appended:
    key: bytes
    seq: int
    revision: int  # the etcd revision that created the key: the transaction's place in the order


@dataclass(frozen=True)
class CutTx:
    key: bytes
    revision: int
    tx_hash: bytes  # SHA-256 of the transaction's bytes


@dataclass(frozen=True)
class Cut:
    """The decided content of block ``height``: its transactions, in order, and who decided it."""

    chain: str
    height: int
    first_rev: int
    last_rev: int
    txs: tuple[CutTx, ...]
    decided_by: str
    time: int = 0  # the block's time (Unix seconds) as the deciding node's clock read it; executors use
    # max(time, previous block's time), so every node gives the block the same time

    def encode(self) -> bytes:
        return canonical({"v": CUT_VERSION, "chain": self.chain, "height": self.height, "first_rev": self.first_rev,
                          "last_rev": self.last_rev, "decided_by": self.decided_by, "time": self.time,
                          "txs": [[t.key, t.revision, t.tx_hash] for t in self.txs]})

    @classmethod
    def decode(cls, data: bytes, where: str) -> Cut:
        try:
            raw: Any = decode(data)
            if not isinstance(raw, dict) or raw.get("v") != CUT_VERSION:
                raise ValueError(f"expected a map with v={CUT_VERSION}")
            return cls(chain=str(raw["chain"]), height=int(raw["height"]), first_rev=int(raw["first_rev"]),
                       last_rev=int(raw["last_rev"]), decided_by=str(raw["decided_by"]), time=int(raw["time"]),
                       txs=tuple(CutTx(bytes(k), int(r), bytes(h)) for k, r, h in raw["txs"]))
        except Exception as e:  # any malformed record: say where and what
            raise OrderingError(f"{where}: expected a block cut (canonical CBOR, version {CUT_VERSION}), "
                                f"found {shown(data.hex())}: {e}") from None


class EtcdOrdering:
    """One node's view of chain ``chain``'s ordering on an etcd cluster."""

    def __init__(self, client: EtcdClient, chain: str, node_id: str, *, first_height: int = 1) -> None:
        for what, value in (("chain", chain), ("node id", node_id)):
            if not _ID.fullmatch(value):
                raise ValueError(f"{what} {value!r}: expected 1-64 of A-Z a-z 0-9 . _ -")
        self.client = client
        self.chain = chain
        self.node_id = node_id
        self.first_height = first_height
        self.root = f"/gc/{chain}/".encode()
        self.txs_prefix = self.root + b"txs/"
        self.own_prefix = self.txs_prefix + f"{node_id}/".encode()
        self.blocks_prefix = self.root + b"blocks/"
        self._next_seq: int | None = None
        self._seen: dict[bytes, KeyValue] = {}

    # -- appending ----------------------------------------------------------------------------------------------

    def _last_seq(self) -> int:
        last = self.client.range(self.own_prefix, prefix=True, sort="key", descending=True, limit=1)
        if not last.kvs:
            return 0
        return int(last.kvs[0].key[len(self.own_prefix):])

    def append(self, tx: bytes) -> Appended:
        """Append ``tx`` to the order; returns its key and the revision that placed it. Safe to call again with
        the same bytes after an ambiguous failure (the same key with the same bytes counts as appended)."""
        for _ in range(8):
            if self._next_seq is None:
                self._next_seq = self._last_seq() + 1
            seq = self._next_seq
            key = self.own_prefix + _pad(seq).encode()
            result = self.client.create(key, tx)
            if result.succeeded:
                self._next_seq = seq + 1
                return Appended(key, seq, result.revision)
            if result.current is not None and result.current.value == tx:  # our own earlier, acknowledged-late write
                self._next_seq = seq + 1
                return Appended(key, seq, result.current.create_revision)
            self._next_seq = None  # another writer with our node id took this seq: re-read the counter
        raise OrderingError(f"node {self.node_id}: could not append after 8 attempts; another process appends "
                            f"under the same node id ({shown(self.own_prefix.decode())})")

    def revision(self) -> int:
        """etcd's current revision: everything appended so far has a creation revision at most this."""
        return self.client.range(self.root, prefix=True, limit=1).revision

    def appended(self, first_rev: int, last_rev: int) -> list[KeyValue]:
        """Every transaction created in ``[first_rev, last_rev]``, in order (read as of ``last_rev``)."""
        found: list[KeyValue] = []
        low = first_rev
        while low <= last_rev:
            try:
                page = self.client.range(self.txs_prefix, prefix=True, revision=last_rev, limit=_PAGE,
                                         min_create_revision=low, max_create_revision=last_rev, sort="create")
            except EtcdRejected as e:
                raise OrderingError(f"transactions created in revisions {first_rev}..{last_rev}: {e.message}") from e
            found.extend(page.kvs)
            for kv in page.kvs:
                self.remember(kv)
            if not page.more or not page.kvs:
                break
            low = page.kvs[-1].create_revision + 1
        return found

    # -- cutting blocks -----------------------------------------------------------------------------------------

    def block_key(self, height: int) -> bytes:
        return self.blocks_prefix + _pad(height).encode()

    def block(self, height: int) -> Cut | None:
        """The decided cut of ``height``, or None when it is not decided yet."""
        kv = self.client.get(self.block_key(height))
        return None if kv is None else self._parse_cut(kv, height)

    def _parse_cut(self, kv: KeyValue, height: int) -> Cut:
        cut = Cut.decode(kv.value, f"block cut {kv.key.decode(errors='replace')}")
        if cut.chain != self.chain or cut.height != height:
            raise OrderingError(f"block cut {kv.key.decode(errors='replace')}: expected chain {self.chain!r} "
                                f"height {height}, found chain {cut.chain!r} height {cut.height}")
        return cut

    def last_cut(self) -> Cut | None:
        """The highest decided cut, or None before the first."""
        last = self.client.range(self.blocks_prefix, prefix=True, sort="key", descending=True, limit=1)
        if not last.kvs:
            return None
        height = int(last.kvs[0].key[len(self.blocks_prefix):])
        return self._parse_cut(last.kvs[0], height)

    def cut(self, height: int, first_rev: int, last_rev: int, *, time: int = 0, max_keys: int = 0,
            follows: Cut | None = None) -> Cut:
        """Decide block ``height`` as the transactions created in ``[first_rev, last_rev]``, once (at most
        ``max_keys`` appended keys when given: the cut then ends at the last one taken). If another node decided
        ``height`` first, its cut is returned instead (check :attr:`Cut.decided_by`). ``follows``: the cut of
        ``height - 1`` as the caller already read it (saves reading it again)."""
        if height < self.first_height:
            raise OrderingError(f"cut of height {height}: expected a height ≥ {self.first_height}")
        if height == self.first_height:
            expected_first = 1
        else:
            previous = follows if follows is not None and follows.height == height - 1 else self.block(height - 1)
            if previous is None:
                raise OrderingError(f"cut of height {height}: expected height {height - 1} to be decided first, "
                                    f"found no cut for it")
            expected_first = previous.last_rev + 1
        if follows is None:
            existing = self.block(height)
            if existing is not None:
                return existing
        if first_rev != expected_first or last_rev < first_rev - 1:
            raise OrderingError(f"cut of height {height}: expected revisions {expected_first}..(≥ {expected_first - 1})"
                                f" (right after the previous block), found {first_rev}..{last_rev}")
        txs = self.appended(first_rev, last_rev) if last_rev >= first_rev else []
        if max_keys and len(txs) > max_keys:
            txs = txs[:max_keys]
            last_rev = txs[-1].create_revision
        proposal = Cut(chain=self.chain, height=height, first_rev=first_rev, last_rev=last_rev,
                       txs=tuple(CutTx(kv.key, kv.create_revision, sha256(kv.value)) for kv in txs),
                       decided_by=self.node_id, time=time)
        result = self.client.create(self.block_key(height), proposal.encode())
        if result.succeeded:
            return proposal
        if result.current is None:  # the compare failed, so the key existed: etcd would not then say it is absent
            raise OrderingError(f"cut of height {height}: the create-once txn failed, yet the key is absent")
        return self._parse_cut(result.current, height)

    def cut_next(self, last_rev: int | None = None, *, time: int = 0, max_keys: int = 0) -> Cut:
        """Decide the next block: everything appended since the last cut up to ``last_rev`` (default: now)."""
        previous = self.last_cut()
        height = self.first_height if previous is None else previous.height + 1
        first_rev = 1 if previous is None else previous.last_rev + 1
        return self.cut(height, first_rev, self.revision() if last_rev is None else last_rev, time=time,
                        max_keys=max_keys)

    def waiting(self, after_rev: int) -> int:
        """The current revision when a transaction was appended after revision ``after_rev`` (the last cut's
        end), else 0 — one read answers both whether to cut and up to where."""
        found = self.client.range(self.txs_prefix, prefix=True, limit=1, min_create_revision=after_rev + 1,
                                  keys_only=True)
        return found.revision if found.kvs else 0

    def remember(self, kv: KeyValue) -> None:
        """Keep an appended transaction's bytes seen on a watch, so that reading its block needs no request."""
        if kv.key.startswith(self.txs_prefix):
            if len(self._seen) >= _SEEN_MAX:
                self._seen.clear()  # a bound, not a cache policy: anything missing is read from etcd
            self._seen[kv.key] = kv

    def transactions(self, cut: Cut) -> list[bytes]:
        """The bytes of ``cut``'s transactions, in order, each checked against the hash the cut recorded: from what
        the watch brought, else with one range read over the cut's revisions at the current revision (appended
        keys are written once and never changed, so compacting etcd's history does not hide them). A key cleaned
        up since raises :class:`TxMissing`."""
        found: dict[bytes, KeyValue] = {}
        for e in cut.txs:  # the watcher thread may add or clear meanwhile: pop, never check-then-pop
            kv = self._seen.pop(e.key, None)
            if kv is not None:
                found[e.key] = kv
        if len(found) < len(cut.txs) and cut.last_rev >= cut.first_rev:
            wanted = {e.key for e in cut.txs} - set(found)
            low = cut.first_rev
            while wanted and low <= cut.last_rev:
                page = self.client.range(self.txs_prefix, prefix=True, limit=_PAGE, min_create_revision=low,
                                         max_create_revision=cut.last_rev, sort="create")
                found.update((kv.key, kv) for kv in page.kvs if kv.key in wanted)
                wanted -= {kv.key for kv in page.kvs}
                if not page.more or not page.kvs:
                    break
                low = page.kvs[-1].create_revision + 1
        values: list[bytes] = []
        for entry in cut.txs:
            kv = found.get(entry.key)
            if kv is None:
                raise TxMissing(f"block {cut.height}: transaction {entry.key.decode(errors='replace')} is no longer "
                                f"in etcd (cleaned up after its block became final); read the block from a peer")
            if kv.create_revision != entry.revision or sha256(kv.value) != entry.tx_hash:
                raise OrderingError(
                    f"block {cut.height}: expected transaction {entry.key.decode(errors='replace')} created at "
                    f"revision {entry.revision} with hash {entry.tx_hash.hex()}, found revision "
                    f"{kv.create_revision} hash {sha256(kv.value).hex()}")
            values.append(kv.value)
        return values


__all__ = ["Appended", "Cut", "CutTx", "EtcdOrdering", "OrderingError"]
