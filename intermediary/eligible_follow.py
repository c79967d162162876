"""One block's effect on the stored rows (issue 16): the transactions that change what a followed consumer owns.

Only two rules change an allocated asset (``ledger.rules``): ``asset.allocate`` gives a consumer assets — the
source asset itself when a part takes all that is left of it, else a split child
``sha256(canonical(["split", source, tx, index]))`` — and ``cert.issue`` marks assets certified, signed by this
intermediary, by another, or by the consumer's own key (the direct-mode kiosk, Modification 2). Transfers,
retirements and revocations change certificates, not assets.

What an allocation gives follows from the blocks alone: each ``asset.generate`` names its reading's period and
method (its asset id is its transaction id), and every allocation's parts say how much of it is taken, so
``Sources`` knows, for every reading generated since it started, the Wh still left and thus whether a part takes
the source or splits it. A part of a source it does not know (generated before, or forgotten to stay bounded) is
read from the node: the allocation's result names the assets it made (``GET /v1/txs/{id}``) and their records
are read (``GET /v1/state/asset/{id}``). Applying a block again, or after a first build that already saw it,
changes nothing.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend_client import NodeClient
from backend_client import NotFound as LedgerNotFound
from intermediary.eligible_models import EligibleAsset, EligibleConsumer
from intermediary.eligible_store import asset_values, group_key_of, regroup
from intermediary.errors import LedgerUnavailable
from ledger_lite import SigningKey, Transaction, canonical, sha256
from ledger_lite.request_auth import sign_request
from ledger_lite.tx import decode_tx

GENERATE = "asset.generate"
ALLOCATE = "asset.allocate"
ISSUE = "cert.issue"
MAX_SOURCES = 1_000_000  # readings remembered (~150 bytes each); the oldest are forgotten first
IDS_PER_QUERY = 500

Source = tuple[int, int, str, int]  # start, end, method, Wh still left


class Sources:
    """The readings generated since this process started following, with the Wh still left in each."""

    def __init__(self, limit: int = MAX_SOURCES) -> None:
        self._known: OrderedDict[str, Source] = OrderedDict()
        self.limit = limit

    def get(self, asset_id: str) -> Source | None:
        return self._known.get(asset_id)

    def update(self, changes: dict[str, Source | None]) -> None:
        for asset_id, source in changes.items():
            if source is None:
                self._known.pop(asset_id, None)
            else:
                self._known[asset_id] = source
        while len(self._known) > self.limit:
            self._known.popitem(last=False)

    def clear(self) -> None:
        self._known.clear()


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
    """Applies one block's transactions to the stored assets of followed consumers; ``finish`` writes them and
    regroups what changed (in the caller's transaction); ``staged`` is what ``Sources`` learns once it commits."""

    def __init__(self, db: Session, node: NodeClient, followed: dict[str, str], sources: Sources) -> None:
        self.db, self.node, self.followed, self.sources = db, node, followed, sources
        self.staged: dict[str, Source | None] = {}
        self.new: dict[str, dict[str, Any]] = {}  # asset id → eligible_assets values, in block order
        self.certified: dict[str, tuple[str, str]] = {}  # asset id → (consumer id, certificate id)

    def _source(self, asset_id: str) -> Source | None:
        return self.staged[asset_id] if asset_id in self.staged else self.sources.get(asset_id)

    def apply(self, tx: Transaction) -> None:
        body = tx.body if isinstance(tx.body, dict) else {}
        if tx.type == GENERATE:
            self.staged[tx.tx_id] = (int(body["start"]), int(body["end"]), str(body["method"]), int(body["wh"]))
        elif tx.type == ALLOCATE:
            self._allocated(tx, body)
        elif tx.type == ISSUE and body.get("owner") in self.followed:
            consumer_id = self.followed[str(body["owner"])]
            for asset_id in body.get("assets") or []:
                if str(asset_id) in self.new:
                    values = self.new[str(asset_id)]
                    values.update(cert=tx.tx_id, group_key=group_key_of(values["start"], values["method"], tx.tx_id))
                else:
                    self.certified[str(asset_id)] = (consumer_id, tx.tx_id)

    def _allocated(self, tx: Transaction, body: dict[str, Any]) -> None:
        owner = str(body.get("to"))
        consumer_id = self.followed.get(owner)
        parts = [p for p in body.get("parts") or [] if isinstance(p, dict)]
        unknown = False
        for index, part in enumerate(parts):
            source_id, wh = str(part["asset"]), int(part["wh"])
            source = self._source(source_id)
            if source is None:
                unknown = True
                continue
            start, end, method, left = source
            whole = wh >= left
            self.staged[source_id] = None if whole else (start, end, method, left - wh)
            if consumer_id is not None:
                made = source_id if whole else _split_child(source_id, tx.tx_id, index)
                self.new[made] = asset_values(consumer_id, {"id": made, "start": start, "end": end, "wh": wh,
                                                            "method": method, "cert": None})
        if unknown and consumer_id is not None:  # read what it made from the node
            for made in self._made_by(tx.tx_id):
                if made not in self.new:
                    asset = _node_asset(self.node, made)
                    if asset is not None and asset.get("owner") == owner and asset.get("trade") == "completed":
                        self.new[made] = asset_values(consumer_id, asset)

    def _made_by(self, tx_id: str) -> list[str]:
        result = self.node.tx(tx_id).get("result")
        made = result.get("assets") if isinstance(result, dict) else None
        return [str(a) for a in made] if isinstance(made, list) else []

    def _stored(self, ids: list[str]) -> dict[str, EligibleAsset]:
        found: dict[str, EligibleAsset] = {}
        for i in range(0, len(ids), IDS_PER_QUERY):
            for row in self.db.scalars(select(EligibleAsset).where(EligibleAsset.asset_id.in_(
                    ids[i:i + IDS_PER_QUERY]))):
                found[row.asset_id] = row
        return found

    def finish(self) -> None:
        touched: dict[str, set[str]] = {}
        newest: dict[str, int] = {}
        stored = self._stored(list(self.new))
        fresh = []
        for asset_id, values in self.new.items():
            if asset_id in stored:  # applied before (a replay): only its certification may be news
                if values["cert"]:
                    self.certified[asset_id] = (values["consumer_id"], values["cert"])
                continue
            fresh.append(EligibleAsset(**values))
            touched.setdefault(values["consumer_id"], set()).add(values["group_key"])
            newest[values["consumer_id"]] = max(newest.get(values["consumer_id"], 0), values["end"])
        self.db.add_all(fresh)
        rows = self._stored(list(self.certified))
        for asset_id, (consumer_id, cert) in self.certified.items():
            row = rows.get(asset_id)
            if row is None:  # not stored yet (e.g. allocated before the consumer was built): read it
                asset = _node_asset(self.node, asset_id)
                if asset is None or asset.get("trade") != "completed" or asset.get("owner") not in self.followed:
                    continue
                row = EligibleAsset(**asset_values(consumer_id, {**asset, "cert": cert}))
                self.db.add(row)
                touched.setdefault(consumer_id, set()).add(row.group_key)
                newest[consumer_id] = max(newest.get(consumer_id, 0), row.end)
                continue
            if row.consumer_id != consumer_id or row.cert == cert:
                continue
            touched.setdefault(consumer_id, set()).add(row.group_key)
            row.cert = cert
            row.group_key = group_key_of(row.start, row.method, cert)
            touched[consumer_id].add(row.group_key)
        for consumer_id, keys in touched.items():
            regroup(self.db, consumer_id, keys)
        for consumer_id, end in newest.items():
            state = self.db.get(EligibleConsumer, consumer_id)
            if state is not None and (state.as_of is None or end > state.as_of):
                state.as_of = end
