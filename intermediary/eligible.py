"""The eligible-transaction list (S505-S510): a consumer's allocated assets grouped so a person can read them.

The grouping is ``ledger_lite.certificate.group_rows``, the rule the direct-mode kiosk uses too: uncertified
assets per month (JST) and production method, split at JST midnight into balanced rows of at most ``CHUNK``
assets so one row always fits one issuance transaction; certified assets as one greyed row per certificate;
renewable methods before fossil within a month. Here each row's assets are also remembered, so an issuance can
name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intermediary.models import Item
from ledger_lite.certificate import CHUNK, as_of, group_rows, item_id_of, month_key

__all__ = ["CHUNK", "Row", "as_of", "build_rows", "item_id_of", "month_key"]


@dataclass(frozen=True)
class Row:
    item_id: str
    period_start: int  # Unix seconds: the start of the row's first allocation
    period_end: int  # Unix seconds: the end of its last allocation (exclusive)
    production_method: str
    amount_wh: int
    issued: bool
    certificate_id: str | None
    category: str  # "renewable" | "fossil" | "nuclear" (issue #10, item 10)
    allocations: int  # how many allocations (assets) the row stands for: a kiosk sums them against the limit

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def build_rows(db: Session, consumer_id: str, assets: list[dict[str, Any]]) -> list[Row]:
    """Group allocated assets into rows and remember each row's assets so an issuance can name them."""
    known = set(db.scalars(select(Item.item_id).where(Item.consumer_id == consumer_id)))
    rows: list[Row] = []
    new: list[Item] = []
    for group in group_rows(assets):
        row = Row(item_id=group.item_id, period_start=group.period_start, period_end=group.period_end,
                  production_method=group.production_method, amount_wh=group.amount_wh, issued=group.issued,
                  certificate_id=group.certificate_id, category=group.category, allocations=len(group.assets))
        rows.append(row)
        if row.item_id not in known:
            new.append(Item(item_id=row.item_id, consumer_id=consumer_id, method=row.production_method,
                            period_start=row.period_start, period_end=row.period_end, amount_wh=row.amount_wh,
                            assets=[[a["id"], a["start"], a["wh"]] for a in group.assets]))
    for item in new:  # one at a time: a concurrent read of the same list may have stored some of them already
        db.add(item)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
    return rows
