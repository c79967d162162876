"""Consumer usage reports (S81) → allocation transactions on the ledger (S82-S95), each interval's consumers
allocated together under ``Settings.allocation_rule`` (``intermediary.interval_allocation``: seed, time-matched or
optimised)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backend_client import ClientError, NodeClient
from intermediary.allocation import AssetPool, Decision, OpenAsset, PageLoader, Totals, WindowLoader, contract_at
from intermediary.config import Settings
from intermediary.errors import BadInput, LedgerUnavailable, shown
from intermediary.interval_allocation import Request, allocate_interval
from intermediary.models import Consumer, Usage, UsageTotal
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


def summed_totals(db: Session, consumer_id: str) -> Totals:
    """A consumer's totals summed over its whole history: what ``usage_totals`` holds, the slow way."""
    row = db.execute(select(func.coalesce(func.sum(Usage.renewable_wh), 0),
                            func.coalesce(func.sum(Usage.renewable_wh + Usage.fossil_wh), 0))
                     .where(Usage.consumer_id == consumer_id)).one()
    return Totals(renewable_wh=int(row[0]), total_wh=int(row[1]))


def _stored_totals(db: Session, consumer_id: str) -> tuple[Totals, UsageTotal | None]:
    """The consumer's running totals, read in one lookup; for a consumer whose totals were never stored (a
    database from before ``usage_totals``) they are summed once from its history and added to the session (the
    new row is returned), to be committed with the batch."""
    stored = db.get(UsageTotal, consumer_id)
    if stored is not None:
        return Totals(renewable_wh=stored.renewable_wh, total_wh=stored.total_wh), None
    totals = summed_totals(db, consumer_id)
    added = UsageTotal(consumer_id=consumer_id, renewable_wh=totals.renewable_wh, total_wh=totals.total_wh)
    db.add(added)
    return totals, added


def _add_to_totals(db: Session, consumer_id: str, added: UsageTotal | None, rows: list[Usage]) -> None:
    """The batch's final history rows of one consumer added to its stored totals, in the batch's transaction.
    Stored totals are incremented in SQL, so two batches committing one after the other both count."""
    renewable = sum(r.renewable_wh for r in rows)
    total = renewable + sum(r.fossil_wh for r in rows)
    if added is not None:
        added.renewable_wh += renewable
        added.total_wh += total
    elif renewable or total:
        db.execute(update(UsageTotal).where(UsageTotal.consumer_id == consumer_id)
                   .values(renewable_wh=UsageTotal.renewable_wh + renewable, total_wh=UsageTotal.total_wh + total))


def _reported_before(db: Session, parsed: list[tuple[Consumer, Transaction]]) -> set[tuple[str, int]]:
    """(consumer, start) of the batch's intervals already in the history, in one query over the batch's span."""
    if not parsed:
        return set()
    starts = [report.body["start"] for _, report in parsed]
    ids = {consumer.consumer_id for consumer, _ in parsed}
    found = db.execute(select(Usage.consumer_id, Usage.start).where(
        Usage.consumer_id.in_(ids), Usage.start >= min(starts), Usage.start <= max(starts)))
    return {(cid, start) for cid, start in found}


PAGE = 32  # open assets per request: about what a day's allocation takes from one provider's category in the demo


def _open_asset(a: dict[str, Any]) -> OpenAsset:
    return OpenAsset(a["id"], a["provider"], a["method"], a["category"], a["start"], a["end"], a["expires"], a["wh"])


def open_assets(node: NodeClient, owner: str, now: int) -> list[OpenAsset]:
    """S82-S85: every open asset the intermediary owns that has not expired by ``now``."""
    return [_open_asset(a) for a in node.assets(owner, trade="open", valid_at=now)]


def open_asset_pages(node: NodeClient, owner: str, now: int) -> PageLoader:
    """S82-S85 a page at a time: the intermediary's open assets unexpired at ``now`` of one provider and category,
    in allocation order, after a given one (``AssetPool.paged``)."""
    def load(provider: str, category: str, after: OpenAsset | None) -> list[OpenAsset]:
        page = [_open_asset(a) for a in node.assets(owner, trade="open", valid_at=now, provider=provider,
                                                    category=category, after=after.asset_id if after else None,
                                                    limit=PAGE)]
        if len(page) > PAGE:
            raise LedgerUnavailable(f"expected a page of at most {PAGE} open assets, the node listed {len(page)}: "
                                    f"is it a version without paged asset lists?")
        previous = (after.expires, after.start, after.asset_id) if after else None
        for asset in page:  # a node that ignored a filter would have the pool allocate twice or from the wrong list
            order = (asset.expires, asset.start, asset.asset_id)
            if (asset.provider, asset.category) != (provider, category) or (previous and order <= previous):
                raise LedgerUnavailable(f"expected a page of at most {PAGE} open {category} assets of {provider} "
                                        f"after {after.asset_id if after else 'the start'}, in expiry order; the "
                                        f"node answered {asset.asset_id} ({asset.provider}, {asset.category}) "
                                        f"out of it: is it a version without paged asset lists?")
            previous = order
        return page
    return load


WINDOW_PAGE = 500  # open assets per request when reading the batch's time-matchable assets
# An asset of at least half an hour expires a calendar month (≥ 28 days) after its end: reading open assets valid
# 28 days after the batch's first start loses none generated inside the batch, and skips the older ones.
EXPIRY_AT_LEAST_S = 28 * 86_400


def open_assets_within(node: NodeClient, owner: str, now: int, start: int, end: int) -> WindowLoader:
    """The intermediary's open assets generated inside ``start..end`` (the batch's span), unexpired at ``now``:
    those an interval of the batch may take time-matched (``AssetPool.paged(..., window=)``)."""
    def load() -> list[OpenAsset]:
        found: list[OpenAsset] = []
        ids: set[str] = set()
        after: str | None = None
        since = max(now, start + EXPIRY_AT_LEAST_S)
        while True:
            page = [_open_asset(a) for a in node.assets(owner, trade="open", valid_at=since, start=start, end=end,
                                                        after=after, limit=WINDOW_PAGE)]
            for asset in page:
                if not (start <= asset.start and asset.end <= end) or asset.asset_id in ids:
                    raise LedgerUnavailable(f"expected open assets generated in {start}..{end}, each once; the node "
                                            f"answered {asset.asset_id} ({asset.start}..{asset.end}): is it a "
                                            f"version without period filters?")
                ids.add(asset.asset_id)
            found += page
            if len(page) < WINDOW_PAGE:
                return [a for a in found if a.expires > now]
            after = page[-1].asset_id
    return load


def _recorded(db: Session, settings: Settings, consumer: Consumer, report: Transaction,
              decision: Decision) -> tuple[Usage, Transaction | None]:
    """S89-S90 for one interval: the history row, and the allocation transaction if anything was allocated."""
    start, end, wh = report.body["start"], report.body["end"], report.body["wh"]
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


def _request(consumer: Consumer, report: Transaction) -> Request:
    start, end = report.body["start"], report.body["end"]
    providers, target = contract_at(consumer.providers, consumer.renewable_target_pct,
                                    (consumer.usage_start, consumer.usage_end), start, end)  # the period of use
    return Request(consumer.consumer_id, providers, target, start, end, report.body["wh"])


def process_reports(db: Session, node: NodeClient, settings: Settings, raw_reports: list[str],
                    now: int) -> list[UsageOutcome]:
    """Allocate every report in time order in one batch of ledger transactions; record the history (S89).

    Returns one outcome per report, in time order (S95: the meter learns whether its interval was covered).
    """
    consumers = {c.consumer_id: c for c in db.scalars(select(Consumer))}
    parsed = sorted((parse_report(r, settings, consumers) for r in raw_reports),
                    key=lambda ct: (ct[1].body["start"], ct[1].body["end"], ct[0].consumer_id))
    try:
        now = max(now, int(node.status()["time"]))
    except ClientError as exc:
        raise LedgerUnavailable(f"cannot read the ledger's time: {exc}") from exc
    # Read a page at a time per provider and category, as far as the intervals take: a batch's cost does not
    # grow with the open assets the intermediary holds (issue #17); time matching also reads, once, the open
    # assets generated inside the batch's span (issue 15)
    pages = open_asset_pages(node, settings.key.address, now)
    if settings.allocation_rule == "seed" or not parsed:
        assets = AssetPool.paged(now, pages)
    else:
        assets = AssetPool.paged(now, pages, open_assets_within(
            node, settings.key.address, now, min(r.body["start"] for _, r in parsed),
            max(r.body["end"] for _, r in parsed)))
    totals: dict[str, tuple[Totals, UsageTotal | None]] = {}  # consumer → (totals, row new here): once per batch
    seen = _reported_before(db, parsed)
    rows: list[tuple[str, int, Usage | None]] = []  # (consumer, start, history row or None for a duplicate)
    txs: list[tuple[Usage, Transaction]] = []
    try:
        for _, interval in groupby(parsed, key=lambda ct: (ct[1].body["start"], ct[1].body["end"])):
            fresh: list[tuple[Consumer, Transaction]] = []
            for consumer, report in interval:
                start = report.body["start"]
                if (consumer.consumer_id, start) in seen:
                    rows.append((consumer.consumer_id, start, None))
                    continue
                seen.add((consumer.consumer_id, start))
                if consumer.consumer_id not in totals:
                    totals[consumer.consumer_id] = _stored_totals(db, consumer.consumer_id)
                fresh.append((consumer, report))
            # S86-S88 for every consumer of the interval at once (the optimised rule shares a short supply)
            decisions = allocate_interval(assets, [_request(c, r) for c, r in fresh],
                                          {c.consumer_id: totals[c.consumer_id][0] for c, _ in fresh},
                                          settings.allocation_rule, now)
            for consumer, report in fresh:
                usage, tx = _recorded(db, settings, consumer, report, decisions[consumer.consumer_id])
                rows.append((consumer.consumer_id, report.body["start"], usage))
                if tx is not None:
                    txs.append((usage, tx))
    except LedgerUnavailable:
        db.rollback()
        raise
    except ClientError as exc:
        db.rollback()
        raise LedgerUnavailable(f"cannot read the intermediary's assets from the ledger: {exc}") from exc
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
    added_rows: dict[str, list[Usage]] = {}
    for consumer_id, _, row in rows:
        if row is not None:
            added_rows.setdefault(consumer_id, []).append(row)
    for consumer_id, (_, added) in totals.items():  # the totals move with the history rows, in one transaction
        _add_to_totals(db, consumer_id, added, added_rows.get(consumer_id, []))
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
