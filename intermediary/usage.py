"""Consumer usage reports (S81) → allocation transactions on the ledger (S82-S95)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend_client import ClientError, NodeClient
from intermediary.allocation import AssetPool, OpenAsset, Totals
from intermediary.config import Settings
from intermediary.errors import BadInput, LedgerUnavailable, shown
from intermediary.models import Consumer, Usage
from ledger_lite import EncodingError, SignatureError, Transaction, decode_tx, sign_tx


@dataclass(frozen=True)
class UsageOutcome:
    consumer_id: str
    start: int
    status: str          # allocated | partial | unallocated | duplicate | failed
    renewable_wh: int
    fossil_wh: int
    unallocated_wh: int
    tx_id: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def parse_report(raw_hex: str, settings: Settings, consumers: dict[str, Consumer]) -> tuple[Consumer, Transaction]:
    """Check one signed usage report: format, chain, signature, and that the consumer's own meter signed it."""
    try:
        tx = decode_tx(bytes.fromhex(raw_hex))
        tx.verify_signature()
    except (ValueError, EncodingError, SignatureError) as exc:
        raise BadInput(f"usage report is not a valid signed envelope: {str(exc)[:200]}", "bad_report") from exc
    if tx.chain != settings.chain_id or tx.type != "usage.report":
        raise BadInput(f"expected a usage.report on chain {settings.chain_id}, found {shown(tx.type)} on "
                       f"{shown(tx.chain)}", "bad_report")
    body = tx.body
    consumer = consumers.get(str(body.get("consumer")))
    if consumer is None:
        raise BadInput(f"usage report names unknown consumer {shown(body.get('consumer'))}", "unknown_consumer")
    if tx.signer.hex() != consumer.meter_key:
        raise BadInput(f"usage report for {consumer.consumer_id} is not signed by its registered meter", "wrong_meter")
    for name in ("start", "end", "wh"):
        if not isinstance(body.get(name), int) or isinstance(body.get(name), bool):
            raise BadInput(f"usage report needs integer {name!r}", "bad_report")
    if body["wh"] < 0 or body["end"] <= body["start"]:
        raise BadInput(f"usage report has a bad interval or amount: {shown(body['start'])}..{shown(body['end'])}, "
                       f"{shown(body['wh'])} Wh", "bad_report")
    return consumer, tx


def _totals(db: Session, consumer_id: str) -> Totals:
    row = db.execute(select(func.coalesce(func.sum(Usage.renewable_wh), 0),
                            func.coalesce(func.sum(Usage.renewable_wh + Usage.fossil_wh), 0))
                     .where(Usage.consumer_id == consumer_id)).one()
    return Totals(renewable_wh=int(row[0]), total_wh=int(row[1]))


def open_assets(node: NodeClient, owner: str, now: int) -> list[OpenAsset]:
    """S82-S85: every open asset the intermediary owns that has not expired by ``now``."""
    return [OpenAsset(a["id"], a["provider"], a["method"], a["category"], a["start"], a["end"], a["expires"], a["wh"])
            for a in node.assets(owner, trade="open", valid_at=now)]


def _decide(db: Session, settings: Settings, consumer: Consumer, report: Transaction, assets: AssetPool,
            totals: Totals, now: int) -> tuple[Usage, Transaction | None]:
    """S86-S90 for one interval: the history row, and the allocation transaction if anything was allocated."""
    start, end, wh = report.body["start"], report.body["end"], report.body["wh"]
    decision = assets.allocate(providers=consumer.providers, totals=totals,
                               target_pct=consumer.renewable_target_pct, usage_start=start, usage_end=end,
                               usage_wh=wh, now=now)
    renewable = sum(p.wh for p in decision.parts if p.category == "renewable")
    usage = Usage(consumer_id=consumer.consumer_id, start=start, end=end, wh=wh, renewable_wh=renewable,
                  fossil_wh=sum(p.wh for p in decision.parts) - renewable, unallocated_wh=decision.unallocated_wh,
                  tx_id=None, status="unallocated" if not decision.parts else
                  ("partial" if decision.unallocated_wh else "allocated"))
    db.add(usage)
    if not decision.parts:
        return usage, None
    # S90: the change request names the assets, the new owner and the used amounts.
    tx = sign_tx(settings.key, chain=settings.chain_id, type="asset.allocate",
                 body={"to": consumer.ledger_address, "usage_start": start, "usage_end": end,
                       "parts": [{"asset": p.asset_id, "wh": p.wh} for p in decision.parts]},
                 nonce=int(report.tx_id[:15], 16), time=end)
    usage.tx_id = tx.tx_id
    return usage, tx


def process_reports(db: Session, node: NodeClient, settings: Settings, raw_reports: list[str],
                    now: int) -> list[UsageOutcome]:
    """Allocate every report in time order in one batch of ledger transactions; record the history (S89).

    Returns one outcome per report, in time order (S95: the meter learns whether its interval was covered).
    """
    consumers = {c.consumer_id: c for c in db.scalars(select(Consumer))}
    parsed = sorted((parse_report(r, settings, consumers) for r in raw_reports),
                    key=lambda ct: (ct[1].body["start"], ct[0].consumer_id))
    try:
        now = max(now, int(node.status()["time"]))
        # Sorted once per batch by provider and category: an interval's cost does not grow with the open assets
        assets = AssetPool(open_assets(node, settings.key.address, now), now)
    except ClientError as exc:
        raise LedgerUnavailable(f"cannot read the intermediary's assets from the ledger: {exc}") from exc
    totals: dict[str, Totals] = {}
    rows: list[tuple[str, int, Usage | None]] = []  # (consumer, start, history row or None for a duplicate)
    txs: list[tuple[Usage, Transaction]] = []
    for consumer, report in parsed:
        start = report.body["start"]
        if db.scalar(select(Usage.id).where(Usage.consumer_id == consumer.consumer_id, Usage.start == start)):
            rows.append((consumer.consumer_id, start, None))
            continue
        total = totals.get(consumer.consumer_id)
        if total is None:  # summed once per batch (setdefault would evaluate the sum for every interval)
            total = totals[consumer.consumer_id] = _totals(db, consumer.consumer_id)
        usage, tx = _decide(db, settings, consumer, report, assets, total, now)
        rows.append((consumer.consumer_id, start, usage))
        if tx is not None:
            txs.append((usage, tx))
    try:
        results = node.submit_batch([tx for _, tx in txs]) if txs else []
    except ClientError as exc:
        db.rollback()
        raise LedgerUnavailable(f"the ledger did not take the allocations: {exc}") from exc
    messages: dict[str, str] = {}
    for (usage, tx), result in zip(txs, results, strict=True):
        messages[tx.tx_id] = str(result.get("message", "ok"))
        if result.get("code") != "ok":  # nothing moved on the ledger: record the interval as uncovered
            usage.status, usage.renewable_wh, usage.fossil_wh, usage.unallocated_wh = "failed", 0, 0, usage.wh
    db.commit()
    outcomes = []
    for consumer_id, start, row in rows:
        if row is None:
            outcomes.append(UsageOutcome(consumer_id, start, "duplicate", 0, 0, 0, None,
                                         "this interval was reported before"))
        else:
            message = messages.get(row.tx_id, "ok") if row.tx_id else "no assets available"
            outcomes.append(UsageOutcome(consumer_id, start, row.status, row.renewable_wh, row.fossil_wh,
                                         row.unallocated_wh, row.tx_id, message))
    return outcomes
