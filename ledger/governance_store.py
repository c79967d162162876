"""Where a node keeps the governance proposals it was sent (``ledger.governance_proposals``): one SQLite file
beside its ledger (``governance.sqlite``), one row per proposal, written before the proposer is answered, so an
acknowledged proposal survives a restart.

A row is the proposal's record as JSON (``Proposal.to_json``) with its state and creation time as columns for
listing. States: ``waiting`` (for this node's operator or for more validators' approvals), ``submitted`` (the
``registry.update`` is on its way into a block), ``registered`` (committed) and ``refused`` (by an operator, or by
the ledger's rule: ``reason`` says which and why).

Beside the proposals, the *outbox*: what this node still has to send to a peer validator's node
(``ledger.governance_peers``), one row per proposal and peer with the message, the attempts so far and when to try
next, so that a peer that was down gets the proposal and its approvals once it is back, even after this node
restarted.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATES = ("waiting", "submitted", "registered", "refused")
FILE_NAME = "governance.sqlite"
SCHEMA = """CREATE TABLE IF NOT EXISTS proposals (
    id TEXT PRIMARY KEY, state TEXT NOT NULL, proposer TEXT NOT NULL, created INTEGER NOT NULL, record TEXT NOT NULL)"""
# ``seq`` changes whenever the row's message is replaced, so a send of the older message never removes the newer.
OUTBOX_SCHEMA = """CREATE TABLE IF NOT EXISTS outbox (
    proposal_id TEXT NOT NULL, peer TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL,
    next_at REAL NOT NULL, seq TEXT NOT NULL, PRIMARY KEY (proposal_id, peer))"""


@dataclass
class Proposal:
    """One proposed change of the registry and what became of it.

    ``set``: entries in their JSON form (``public_key`` hex, ``role``, ``name``, ``attrs``); ``remove``: addresses;
    ``nonce``: the proposal envelope's, used again as the ``registry.update``'s (approvals sign it);
    ``approvals``: hex public keys of the validators that approved; ``decided_by``: ``policy`` or ``operator``;
    ``update``: hex of the signed ``registry.update`` once submitted; ``tx_id`` and ``height`` once committed;
    ``signatures``: the approvals gathered so far, this node's and its peers' (ledger/governance_peers.py)."""

    id: str
    proposer: str
    proposer_role: str
    set: list[dict[str, Any]]
    remove: list[str]
    nonce: int
    created: int
    state: str = "waiting"
    reason: str = ""
    decided_by: str = ""
    approvals: list[str] = field(default_factory=list)
    update: str = ""
    tx_id: str = ""
    height: int | None = None
    envelope: str = ""                                         # hex of the signed proposal (shared with peers)
    signatures: dict[str, str] = field(default_factory=dict)   # validator key hex → approval signature hex

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Proposal:
        return cls(**value)


class ProposalStore:
    """The proposals of one node, in ``path`` (created owner-only)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(SCHEMA)
            db.execute(OUTBOX_SCHEMA)  # also added to a store made before the outbox

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            with db:  # one transaction, committed (fsync'd) on leaving
                yield db
        finally:
            db.close()

    @property
    def outbox(self) -> Outbox:
        """What this node still has to send to its peers."""
        return Outbox(self)

    def put(self, proposal: Proposal) -> None:
        with self._lock, self._connect() as db:
            db.execute("INSERT OR REPLACE INTO proposals (id, state, proposer, created, record) VALUES (?, ?, ?, ?, ?)",
                       (proposal.id, proposal.state, proposal.proposer, proposal.created,
                        json.dumps(proposal.to_json(), sort_keys=True)))

    def get(self, proposal_id: str) -> Proposal | None:
        with self._lock, self._connect() as db:
            row = db.execute("SELECT record FROM proposals WHERE id = ?", (proposal_id,)).fetchone()
        return None if row is None else Proposal.from_json(json.loads(row[0]))

    def list(self, state: str | None = None, proposer: str | None = None, limit: int = 100) -> list[Proposal]:
        """The newest ``limit`` proposals first, optionally only those in ``state`` or by ``proposer``."""
        query = "SELECT record FROM proposals WHERE (? IS NULL OR state = ?) AND (? IS NULL OR proposer = ?) " \
                "ORDER BY created DESC, id LIMIT ?"
        with self._lock, self._connect() as db:
            rows = db.execute(query, (state, state, proposer, proposer, limit)).fetchall()
        return [Proposal.from_json(json.loads(r[0])) for r in rows]

    def count(self, state: str, proposer: str) -> int:
        with self._lock, self._connect() as db:
            row = db.execute("SELECT COUNT(*) FROM proposals WHERE state = ? AND proposer = ?",
                             (state, proposer)).fetchone()
        return int(row[0])


@dataclass(frozen=True)
class Delivery:
    """One message still to send to one peer (``ledger.governance_peers``): ``body`` the JSON it posts,
    ``attempts`` the failed sends so far, ``next_at`` (Unix seconds) when to try again."""

    proposal_id: str
    peer: str
    body: dict[str, Any]
    attempts: int
    next_at: float
    seq: str


class Outbox:
    """The outbox in a node's ``governance.sqlite`` (``ProposalStore.path``)."""

    def __init__(self, store: ProposalStore) -> None:
        self._store = store
        self.path = store.path

    def queue(self, proposal_id: str, peers: Sequence[str], body: dict[str, Any], now: float) -> None:
        """``body`` for each of ``peers``, due at ``now``; it replaces what was still queued for that proposal
        and peer (the newer message carries every approval the older one did)."""
        text = json.dumps(body, sort_keys=True)
        with self._store._lock, self._store._connect() as db:
            db.executemany("INSERT OR REPLACE INTO outbox (proposal_id, peer, body, attempts, next_at, seq) "
                           "VALUES (?, ?, ?, 0, ?, ?)",
                           [(proposal_id, peer, text, now, uuid.uuid4().hex) for peer in peers])

    def due(self, now: float, limit: int = 100) -> list[Delivery]:
        return self._select("WHERE next_at <= ? ORDER BY next_at LIMIT ?", (now, limit))

    def all(self) -> list[Delivery]:
        return self._select("ORDER BY next_at", ())

    def next_at(self) -> float | None:
        """When the soonest message is due; None when the outbox is empty."""
        with self._store._lock, self._store._connect() as db:
            row = db.execute("SELECT MIN(next_at) FROM outbox").fetchone()
        return None if row[0] is None else float(row[0])

    def done(self, delivery: Delivery) -> None:
        """Sent, or given up: gone, unless a newer message replaced it meanwhile."""
        with self._store._lock, self._store._connect() as db:
            db.execute("DELETE FROM outbox WHERE proposal_id = ? AND peer = ? AND seq = ?",
                       (delivery.proposal_id, delivery.peer, delivery.seq))

    def later(self, delivery: Delivery, next_at: float) -> None:
        """One more failed attempt; try again at ``next_at`` (unless a newer message replaced it meanwhile)."""
        with self._store._lock, self._store._connect() as db:
            db.execute("UPDATE outbox SET attempts = attempts + 1, next_at = ? WHERE proposal_id = ? AND peer = ? "
                       "AND seq = ?", (next_at, delivery.proposal_id, delivery.peer, delivery.seq))

    def _select(self, where: str, args: tuple[Any, ...]) -> list[Delivery]:
        with self._store._lock, self._store._connect() as db:
            rows = db.execute(f"SELECT proposal_id, peer, body, attempts, next_at, seq FROM outbox {where}",
                              args).fetchall()
        return [Delivery(r[0], r[1], json.loads(r[2]), int(r[3]), float(r[4]), r[5]) for r in rows]
