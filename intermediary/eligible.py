"""The eligible-transaction list (S505-S510): a consumer's allocated assets grouped so a person can read them.

Uncertified assets are grouped per month (JST) and production method, at most ``CHUNK`` assets per row so one
row always fits one issuance transaction; certified assets appear as one greyed row per certificate.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intermediary.models import Item

JST = timedelta(hours=9)
CHUNK = 900  # asset ids per row: one issuance transaction must stay under 64 KiB


@dataclass(frozen=True)
class Row:
    item_id: str
    period_start: int
    period_end: int
    production_method: str
    amount_wh: int
    issued: bool
    certificate_id: str | None

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def month_key(ts: int) -> str:
    return (datetime.fromtimestamp(ts, UTC) + JST).strftime("%Y-%m")


def item_id_of(asset_ids: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(asset_ids)).encode()).hexdigest()[:32]


def build_rows(db: Session, consumer_id: str, assets: list[dict[str, Any]]) -> list[Row]:
    """Group allocated assets into rows and remember each row's assets so an issuance can name them."""
    open_groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    certified: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for asset in assets:
        if asset["trade"] != "completed":
            continue
        if asset["cert"]:
            certified[asset["cert"]].append(asset)
        else:
            open_groups[(month_key(asset["start"]), asset["method"])].append(asset)
    rows: list[Row] = []
    groups: list[tuple[list[dict[str, Any]], str | None]] = [(g, cid) for cid, g in certified.items()]
    for (_, _), group in sorted(open_groups.items()):
        group.sort(key=lambda a: (a["start"], a["id"]))
        groups += [(group[i:i + CHUNK], None) for i in range(0, len(group), CHUNK)]
    known = set(db.scalars(select(Item.item_id).where(Item.consumer_id == consumer_id)))
    new: list[Item] = []
    for group, certificate_id in groups:
        ids = [a["id"] for a in group]
        row = Row(item_id=item_id_of(ids), period_start=min(a["start"] for a in group),
                  period_end=max(a["end"] for a in group), production_method=group[0]["method"],
                  amount_wh=sum(a["wh"] for a in group), issued=certificate_id is not None,
                  certificate_id=certificate_id)
        rows.append(row)
        if row.item_id not in known:
            new.append(Item(item_id=row.item_id, consumer_id=consumer_id, method=row.production_method,
                            period_start=row.period_start, period_end=row.period_end, amount_wh=row.amount_wh,
                            assets=[[a["id"], a["start"], a["wh"]] for a in group]))
    for item in new:  # one at a time: a concurrent read of the same list may have stored some of them already
        db.add(item)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
    rows.sort(key=lambda r: (-r.period_start, r.production_method, r.issued))
    return rows
