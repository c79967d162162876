"""Where a node keeps the governance proposals it was sent (``ledger.governance_proposals``): one SQLite file
beside its ledger (``governance.sqlite``), one row per proposal, written before the proposer is answered, so an
acknowledged proposal survives a restart.

A row is the proposal's record as JSON (``Proposal.to_json``) with its state and creation time as columns for
listing. States: ``waiting`` (for this node's operator or for more validators' approvals), ``submitted`` (the
``registry.update`` is on its way into a block), ``registered`` (committed) and ``refused`` (by an operator, or by
the ledger's rule: ``reason`` says which and why).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATES = ("waiting", "submitted", "registered", "refused")
FILE_NAME = "governance.sqlite"
SCHEMA = """CREATE TABLE IF NOT EXISTS proposals (
    id TEXT PRIMARY KEY, state TEXT NOT NULL, proposer TEXT NOT NULL, created INTEGER NOT NULL, record TEXT NOT NULL)"""


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

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            with db:  # one transaction, committed (fsync'd) on leaving
                yield db
        finally:
            db.close()

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
