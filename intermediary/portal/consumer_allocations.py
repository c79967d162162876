"""The consumer's allocations (Fig. 10B transaction history): the renewable share per day over the last 30 days
and per half hour of a chosen day, each a server-drawn SVG chart with its figures in a table, and the history
itself a page at a time (newest first). Only the logged-in consumer's rows are read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from intermediary.api.deps import DbDep, ServiceDep
from intermediary.models import Usage
from intermediary.portal.chart import bar_chart
from intermediary.portal.consumer_text import CONSUMER
from intermediary.portal.dates import DAY_S, clock, day_of, day_start
from intermediary.portal.deps import ConsumerDep
from intermediary.portal.errors import PortalError
from intermediary.portal.home import consumer_of
from intermediary.portal.rendering import render

router = APIRouter(include_in_schema=False)

DAYS = 30
PAGE_ROWS = 48  # a day of half hours
HALF_HOUR_S = 1800
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadQuery(PortalError):
    """``?day=`` or ``?page=`` is not a date or a page number."""

    code = "bad_query"


@dataclass(frozen=True)
class Slot:
    label: str
    wh: int
    renewable_wh: int

    @property
    def share_pct(self) -> float | None:
        return round(100 * self.renewable_wh / self.wh, 1) if self.wh else None


def _slots(rows: list[tuple[int, int, int]], first: int, size_s: int, count: int, labels: list[str]) -> list[Slot]:
    """Rows (start, wh, renewable_wh) summed into ``count`` slots of ``size_s`` seconds from ``first``."""
    wh, renewable = [0] * count, [0] * count
    for start, used, green in rows:
        i = (start - first) // size_s
        if 0 <= i < count:
            wh[i] += used
            renewable[i] += green
    return [Slot(labels[i], wh[i], renewable[i]) for i in range(count)]


def _rows(db: DbDep, consumer_id: str, start: int, end: int) -> list[tuple[int, int, int]]:
    return [(s, w, r) for s, w, r in db.execute(
        select(Usage.start, Usage.wh, Usage.renewable_wh)
        .where(Usage.consumer_id == consumer_id, Usage.start >= start, Usage.start < end))]


def _chosen_day(db: DbDep, consumer_id: str, text: str | None, today: date) -> date:
    if text:
        if not DAY.fullmatch(text):
            raise BadQuery(f"expected ?day=YYYY-MM-DD, found {text[:40]!r}")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise BadQuery(f"expected ?day=YYYY-MM-DD, found {text[:40]!r}") from None
    latest = db.scalar(select(func.max(Usage.start)).where(Usage.consumer_id == consumer_id))
    return day_of(latest) if latest is not None else today


def _page(text: str | None) -> int:
    if text is None:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise BadQuery(f"expected ?page= a page number from 1, found {text[:40]!r}")
    return int(text)


@router.get("/portal/allocations")
def allocations(request: Request, account: ConsumerDep, service: ServiceDep, db: DbDep) -> HTMLResponse:
    consumer = consumer_of(db, account.consumer_id)
    cid = consumer.consumer_id
    today = day_of(service.clock())
    day = _chosen_day(db, cid, request.query_params.get("day"), today)
    page = _page(request.query_params.get("page"))

    first_day = today - timedelta(days=DAYS - 1)
    days = [first_day + timedelta(days=i) for i in range(DAYS)]
    daily = _slots(_rows(db, cid, day_start(first_day), day_start(today) + DAY_S), day_start(first_day), DAY_S,
                   DAYS, [d.strftime("%m-%d") for d in days])
    start = day_start(day)
    halves = _slots(_rows(db, cid, start, start + DAY_S), start, HALF_HOUR_S, 48,
                    [f"{i // 2:02d}:{30 * (i % 2):02d}" for i in range(48)])

    total = db.scalar(select(func.count()).select_from(Usage).where(Usage.consumer_id == cid)) or 0
    history = list(db.scalars(select(Usage).where(Usage.consumer_id == cid)
                              .order_by(Usage.start.desc()).offset((page - 1) * PAGE_ROWS).limit(PAGE_ROWS)))
    return render(request, "consumer/allocations.html", account=account, texts=CONSUMER, nav="tab_allocations",
                  consumer=consumer, day=day, daily=daily, halves=halves,
                  daily_chart=bar_chart([(s.label, s.share_pct) for s in daily],
                                        target_pct=consumer.renewable_target_pct, label_every=7),
                  halves_chart=bar_chart([(s.label, s.share_pct) for s in halves],
                                         target_pct=consumer.renewable_target_pct, label_every=12),
                  history=history, clock=clock, page=page, has_older=page * PAGE_ROWS < total,
                  has_day_usage=any(s.wh for s in halves))
