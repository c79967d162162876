"""One block's effect on the stored rows (issue 16): the transactions that change what a followed consumer owns.

Only two rules change an allocated asset (``ledger.rules``): ``asset.allocate`` gives a consumer assets (a whole
asset, or a split child ``sha256(canonical(["split", asset, tx, index]))``), and ``cert.issue`` marks assets
certified — signed by this intermediary, by another, or by the consumer's own key (the direct-mode kiosk,
Modification 2). Transfers, retirements and revocations change certificates, not assets. An asset the block
names that we do not hold yet is read from the node's state (``GET /v1/state/asset/{id}``, the current record:
applying a block twice, or after a first build that already saw it, changes nothing).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.orm import Session

from backend_client import NodeClient
from backend_client import NotFound as LedgerNotFound
from intermediary.eligible_models import EligibleAsset, EligibleConsumer
from intermediary.eligible_store import asset_values, group_key_of, regroup
from intermediary.errors import LedgerUnavailable
from ledger_lite import SigningKey, Transaction, canonical, sha256
from ledger_lite.request_auth import sign_request
from ledger_lite.tx import decode_tx

ALLOCATE = "asset.allocate"
ISSUE = "cert.issue"


def block_txs(node: NodeClient, key: SigningKey, chain_id: str, height: int) -> list[Transaction]:
    """Every transaction of block ``height`` (a signed read: ``GET /v1/blocks/{height}/txs``)."""
    route = f"/v1/blocks/{height}/txs"
    headers = sign_request(key, method="GET", path=route, query=[], chain_id=chain_id, now=int(time.time()))
    answer = node.json("GET", route, headers=headers)
    txs = answer.get("txs") if isinstance(answer, dict) else None
    if not isinstance(txs, list) or not all(isinstance(t, str) for t in txs):
        raise LedgerUnavailable(f"expected block {height}'s transactions as a list of hex strings, found "
                          f"{str(answer)[:80]}")
    return [decode_tx(bytes.fromhex(t)) for t in txs]


def _node_asset(node: NodeClient, asset_id: str) -> dict[str, Any] | None:
    try:
        value = node.value(f"asset/{asset_id}").get("value")
    except LedgerNotFound:
        return None
    return value if isinstance(value, dict) else None


def _split_child(asset_id: str, tx_id: str, index: int) -> str:
    return sha256(canonical(["split", asset_id, tx_id, index])).hex()


class BlockEffect:
    """Applies transactions to the stored assets of followed consumers; ``finish`` regroups what changed."""

    def __init__(self, db: Session, node: NodeClient, followed: dict[str, str]) -> None:
        self.db, self.node, self.followed = db, node, followed  # followed: ledger address → consumer id
        self.touched: dict[str, set[str]] = {}  # consumer id → group keys to regroup
        self.newest: dict[str, int] = {}  # consumer id → end of the newest asset added

    def apply(self, tx: Transaction) -> None:
        body = tx.body if isinstance(tx.body, dict) else {}
        if tx.type == ALLOCATE and body.get("to") in self.followed:
            self._allocated(tx, self.followed[str(body["to"])], str(body["to"]), body.get("parts"))
        elif tx.type == ISSUE and body.get("owner") in self.followed:
            self._certified(tx, self.followed[str(body["owner"])], str(body["owner"]), body.get("assets"))

    def _allocated(self, tx: Transaction, consumer_id: str, owner: str, parts: Any) -> None:
        for index, part in enumerate(parts if isinstance(parts, list) else []):
            source = str(part.get("asset")) if isinstance(part, dict) else ""
            child = _split_child(source, tx.tx_id, index)
            if self.db.get(EligibleAsset, child) is not None or self.db.get(EligibleAsset, source) is not None:
                continue
            found = _node_asset(self.node, child) or _node_asset(self.node, source)
            self._add(consumer_id, owner, found)

    def _add(self, consumer_id: str, owner: str, asset: dict[str, Any] | None) -> EligibleAsset | None:
        if asset is None or asset.get("owner") != owner or asset.get("trade") != "completed":
            return None
        row = EligibleAsset(**asset_values(consumer_id, asset))
        self.db.add(row)
        self.touched.setdefault(consumer_id, set()).add(row.group_key)
        self.newest[consumer_id] = max(self.newest.get(consumer_id, row.end), row.end)
        return row

    def _certified(self, tx: Transaction, consumer_id: str, owner: str, asset_ids: Any) -> None:
        for asset_id in asset_ids if isinstance(asset_ids, list) else []:
            row = self.db.get(EligibleAsset, str(asset_id))
            if row is None:
                row = self._add(consumer_id, owner, _node_asset(self.node, str(asset_id)))
                if row is None:
                    continue
            if row.consumer_id != consumer_id or row.cert == tx.tx_id:
                continue
            touched = self.touched.setdefault(consumer_id, set())
            touched.add(row.group_key)
            row.cert = tx.tx_id
            row.group_key = group_key_of(row.start, row.method, row.cert)
            touched.add(row.group_key)

    def finish(self) -> None:
        for consumer_id, keys in self.touched.items():
            regroup(self.db, consumer_id, keys)
        for consumer_id, end in self.newest.items():
            state = self.db.get(EligibleConsumer, consumer_id)
            if state is not None and (state.as_of is None or end > state.as_of):
                state.as_of = end
