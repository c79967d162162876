"""The stored rows of followed consumers (``intermediary.eligible_models``): built once from the node's asset list,
then changed group by group as assets arrive or are certified.

A row depends only on the assets of its group: uncertified assets of one JST month and production method (cut by
``ledger_lite.certificate.split_group``), or the assets of one certificate. So a change regroups just the groups it
touches with the same functions ``group_rows`` uses, and the stored rows stay exactly what a rebuild from the node
would give. Rows are listed in ``group_rows``' display order; rows equal in that order (rare: two certificates
whose first assets start together) follow their item ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from intermediary.eligible import Row
from intermediary.eligible_models import EligibleAsset, EligibleConsumer, EligibleRow
from intermediary.models import Item
from ledger_lite.certificate import CATEGORY_ORDER, JST, RowGroup, allocated, group_rows, month_key, split_group

KEYS_PER_QUERY = 500  # group keys in one IN (...) list


def group_key_of(start: int, method: str, cert: str | None) -> str:
    """``cert:<id>`` for a certified asset, else ``open:<JST month>:<method>``."""
    return f"cert:{cert}" if cert else f"open:{month_key(start)}:{method}"


def asset_values(consumer_id: str, asset: Mapping[str, Any]) -> dict[str, Any]:
    """An ``eligible_assets`` row of a node asset (``GET /v1/assets`` or ``GET /v1/state/asset/{id}`` fields)."""
    cert = str(asset["cert"]) if asset.get("cert") else None
    return {"asset_id": str(asset["id"]), "consumer_id": consumer_id, "start": int(asset["start"]),
            "end": int(asset["end"]), "wh": int(asset["wh"]), "method": str(asset["method"]), "cert": cert,
            "group_key": group_key_of(int(asset["start"]), str(asset["method"]), cert)}


def _as_asset(row: EligibleAsset) -> dict[str, Any]:
    return {"id": row.asset_id, "start": row.start, "end": row.end, "wh": row.wh, "method": row.method,
            "cert": row.cert, "trade": "completed"}


def _groups_of(key: str, assets: list[dict[str, Any]]) -> list[RowGroup]:
    ordered = sorted(assets, key=lambda a: (int(a["start"]), str(a["id"])))
    if key.startswith("cert:"):
        return [RowGroup(tuple(ordered), key[len("cert:"):])]
    return [RowGroup(tuple(piece), None) for piece in split_group(ordered)]


def _key_of(group: RowGroup) -> str:
    first = group.assets[0]
    return group_key_of(int(first["start"]), str(first["method"]), group.certificate_id)


def _store_groups(db: Session, consumer_id: str, groups: Iterable[tuple[str, RowGroup]]) -> None:
    """Insert the rows of ``groups`` and an ``items`` record (what an issuance of the row names) for each new one."""
    listed = list(groups)
    if not listed:
        return
    db.execute(insert(EligibleRow), [
        {"consumer_id": consumer_id, "item_id": g.item_id, "group_key": key, "period_start": g.period_start,
         "period_end": g.period_end, "method": g.production_method, "amount_wh": g.amount_wh,
         "certificate_id": g.certificate_id, "category": g.category, "allocations": len(g.assets)}
        for key, g in listed])
    ids = [g.item_id for _, g in listed]
    known: set[str] = set()
    for i in range(0, len(ids), KEYS_PER_QUERY):
        known |= set(db.scalars(select(Item.item_id).where(Item.item_id.in_(ids[i:i + KEYS_PER_QUERY]))))
    new = [g for _, g in listed if g.item_id not in known]
    if new:
        db.execute(insert(Item), [
            {"item_id": g.item_id, "consumer_id": consumer_id, "method": g.production_method,
             "period_start": g.period_start, "period_end": g.period_end, "amount_wh": g.amount_wh,
             "assets": [[a["id"], a["start"], a["wh"]] for a in g.assets]} for g in new])


def regroup(db: Session, consumer_id: str, keys: Iterable[str]) -> None:
    """Group the assets of these groups again and replace their stored rows (in the caller's transaction)."""
    wanted = sorted(set(keys))
    for i in range(0, len(wanted), KEYS_PER_QUERY):
        part = wanted[i:i + KEYS_PER_QUERY]
        db.flush()
        by_key: dict[str, list[dict[str, Any]]] = {}
        for row in db.scalars(select(EligibleAsset).where(EligibleAsset.consumer_id == consumer_id,
                                                           EligibleAsset.group_key.in_(part))):
            by_key.setdefault(row.group_key, []).append(_as_asset(row))
        db.execute(delete(EligibleRow).where(EligibleRow.consumer_id == consumer_id,
                                             EligibleRow.group_key.in_(part)))
        _store_groups(db, consumer_id, ((key, g) for key, assets in by_key.items() for g in _groups_of(key, assets)))


def store_all(db: Session, consumer_id: str, assets: list[dict[str, Any]], height: int) -> None:
    """A consumer's first build: every allocated asset the node listed, their rows, and the consumer followed from
    ``height`` (in the caller's transaction)."""
    mine = allocated(assets)
    if mine:
        db.execute(insert(EligibleAsset), [asset_values(consumer_id, a) for a in mine])
    _store_groups(db, consumer_id, ((_key_of(g), g) for g in group_rows(mine)))
    as_of = max((int(a["end"]) for a in mine), default=None)
    db.add(EligibleConsumer(consumer_id=consumer_id, as_of=as_of, built_height=height))


def forget_all(db: Session) -> None:
    """Stop following every consumer (each is built again from the node at its next list request)."""
    db.execute(delete(EligibleRow))
    db.execute(delete(EligibleAsset))
    db.execute(delete(EligibleConsumer))


def _display_order(row: EligibleRow) -> tuple[int, int, int, str, bool, str]:
    """``ledger_lite.certificate``'s display order, then the item id."""
    month = datetime.fromtimestamp(row.period_start, UTC) + JST
    rank = CATEGORY_ORDER.index(row.category) if row.category in CATEGORY_ORDER else len(CATEGORY_ORDER)
    return (-(month.year * 12 + month.month), rank, -row.period_start, row.method, row.certificate_id is not None,
            row.item_id)


def stored_rows(db: Session, consumer_id: str) -> list[Row]:
    """The consumer's stored rows in the list's order."""
    found = sorted(db.scalars(select(EligibleRow).where(EligibleRow.consumer_id == consumer_id)), key=_display_order)
    return [Row(item_id=r.item_id, period_start=r.period_start, period_end=r.period_end, production_method=r.method,
                amount_wh=r.amount_wh, issued=r.certificate_id is not None, certificate_id=r.certificate_id,
                category=r.category, allocations=r.allocations) for r in found]
