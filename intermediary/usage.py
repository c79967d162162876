"""Consumer usage reports (S81) → allocation transactions on the ledger (S82-S95)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend_client import ClientError, NodeClient
from intermediary.allocation import OpenAsset, Totals, allocate
from intermediary.config import Settings
from intermediary.errors import BadInput, LedgerUnavailable
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
        raise BadInput(f"usage report is not a valid signed envelope: {exc}", "bad_report") from exc
    if tx.chain != settings.chain_id or tx.type != "usage.report":
        raise BadInput(f"expected a usage.report on chain {settings.chain_id}, found {tx.type} on {tx.chain}",
                       "bad_report")
    body = tx.body
    consumer = consumers.get(str(body.get("consumer")))
    if consumer is None:
        raise BadInput(f"usage report names unknown consumer {body.get('consumer')!r}", "unknown_consumer")
    if tx.signer.hex() != consumer.meter_key:
        raise BadInput(f"usage report for {consumer.consumer_id} is not signed by its registered meter", "wrong_meter")
    for name in ("start", "end", "wh"):
        if not isinstance(body.get(name), int) or isinstance(body.get(name), bool):
            raise BadInput(f"usage report needs integer {name!r}", "bad_report")
    if body["wh"] < 0 or body["end"] <= body["start"]:
        raise BadInput(f"usage report has a bad interval or amount: {body['start']}..{body['end']}, "
                       f"{body['wh']} Wh", "bad_report")
    return consumer, tx


def _totals(db: Session, consumer_id: str) -> Totals:
    row = db.execute(select(func.coalesce(func.sum(Usage.renewable_wh), 0),
                            func.coalesce(func.sum(Usage.renewable_wh + Usage.fossil_wh), 0))
                     .where(Usage.consumer_id == consumer_id)).one()
    return Totals(renewable_wh=int(row[0]), total_wh=int(row[1]))


def open_assets(node: NodeClient, owner: str) -> list[OpenAsset]:
    """S82-S85: every open asset the intermediary owns."""
    return [OpenAsset(a["id"], a["provider"], a["method"], a["category"], a["start"], a["end"], a["expires"], a["wh"])
            for a in node.assets(owner, trade="open")]


def process_reports(db: Session, node: NodeClient, settings: Settings, raw_reports: list[str],
                    now: int) -> list[UsageOutcome]:
    """Allocate every report in time order in one batch of ledger transactions; record history (S89)."""
    consumers = {c.consumer_id: c for c in db.scalars(select(Consumer))}
    parsed = sorted((parse_report(r, settings, consumers) for r in raw_reports),
                    key=lambda ct: (ct[1].body["start"], ct[0].consumer_id))
    try:
        assets = open_assets(node, settings.key.address)
        head_time = int(node.status()["time"])
    except ClientError as exc:
        raise LedgerUnavailable(f"cannot read the intermediary's assets from the ledger: {exc}") from exc
    now = max(now, head_time)
    totals: dict[str, Totals] = {}
    outcomes: list[UsageOutcome] = []
    pending: list[tuple[Usage, Transaction]] = []
    for consumer, report in parsed:
        start, end, wh = report.body["start"], report.body["end"], report.body["wh"]
        if db.scalar(select(Usage.id).where(Usage.consumer_id == consumer.consumer_id, Usage.start == start)):
            outcomes.append(UsageOutcome(consumer.consumer_id, start, "duplicate", 0, 0, 0, None,
                                         "this interval was reported before"))
            continue
        total = totals.setdefault(consumer.consumer_id, _totals(db, consumer.consumer_id))
        decision = allocate(assets, providers=consumer.providers, totals=total,
                            target_pct=consumer.renewable_target_pct, usage_start=start, usage_end=end,
                            usage_wh=wh, now=now)
        renewable = sum(p.wh for p in decision.parts if p.category == "renewable")
        fossil = sum(p.wh for p in decision.parts if p.category != "renewable")
        usage = Usage(consumer_id=consumer.consumer_id, start=start, end=end, wh=wh, renewable_wh=renewable,
                      fossil_wh=fossil, unallocated_wh=decision.unallocated_wh, tx_id=None,
                      status="unallocated" if not decision.parts else
                      ("partial" if decision.unallocated_wh else "allocated"))
        db.add(usage)
        if decision.parts:
            # S90: change request naming the assets, the new owner and the used amounts.
            tx = sign_tx(settings.key, chain=settings.chain_id, type="asset.allocate",
                         body={"to": consumer.ledger_address, "usage_start": start, "usage_end": end,
                               "parts": [{"asset": p.asset_id, "wh": p.wh} for p in decision.parts]},
                         nonce=int(report.tx_id[:15], 16), time=end)
            usage.tx_id = tx.tx_id
            pending.append((usage, tx))
    try:
        results = node.submit_batch([tx for _, tx in pending]) if pending else []
    except ClientError as exc:
        db.rollback()
        raise LedgerUnavailable(f"the ledger did not take the allocations: {exc}") from exc
    for (usage, _), result in zip(pending, results, strict=True):
        if result.get("code") != "ok":
            usage.status = "failed"
            usage.renewable_wh = usage.fossil_wh = 0
            usage.unallocated_wh = usage.wh
    db.commit()
    by_tx = {u.tx_id: r for (u, _), r in zip(pending, results, strict=True)}
    for consumer, report in parsed:
        usage_row = db.scalar(select(Usage).where(Usage.consumer_id == consumer.consumer_id,
                                                  Usage.start == report.body["start"]))
        if usage_row is None or any(o.start == usage_row.start and o.consumer_id == usage_row.consumer_id
                                    for o in outcomes):
            continue
        message = by_tx.get(usage_row.tx_id, {}).get("message", "ok") if usage_row.tx_id else "no assets available"
        outcomes.append(UsageOutcome(usage_row.consumer_id, usage_row.start, usage_row.status,
                                     usage_row.renewable_wh, usage_row.fossil_wh, usage_row.unallocated_wh,
                                     usage_row.tx_id, message))
    return outcomes
