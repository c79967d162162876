"""The eligible list's rows (issue #10, items 9 and 10): the same rule as the direct-mode kiosk, disjoint periods,
renewable rows first with their category, and the time of the newest allocation considered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from intermediary.eligible import CHUNK, build_rows
from intermediary.models import Base, Item
from kiosk.direct import rows as direct
from tests.helpers.intermediary_world import API, IntermediaryWorld

JST = timezone(timedelta(hours=9))


def at(*args: int) -> int:
    return int(datetime(*args, tzinfo=JST).timestamp())


def asset(n: int, start: int, method: str = "solar", *, cert: str | None = None) -> dict[str, Any]:
    return {"id": f"{n:064x}", "start": start, "end": start + 1800, "wh": 1000 + n % 7, "method": method,
            "trade": "completed", "cert": cert}


@pytest.fixture
def db() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def month_of_three_methods() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for day in range(30):
        for slot in range(48):
            start = at(2026, 11, 1 + day) + slot * 1800
            n = (day * 48 + slot) * 3
            found.append(asset(n, start, "oil"))
            found.append(asset(n + 1, start, "wind"))
            if 12 <= slot < 36:
                found.append(asset(n + 2, start, "solar", cert="c" * 64 if day < 2 else None))
    return found


def test_rows_are_the_direct_kiosks_rows_cut_at_midnight_renewable_first(db: Session) -> None:
    assets = month_of_three_methods()
    rows = build_rows(db, "ca", assets)
    expected = [r.item for r in direct.build_rows(assets)]
    assert [(r.item_id, r.period_start, r.period_end, r.production_method, r.amount_wh, r.issued, r.category)
            for r in rows] == [(i.item_id, i.period_start, i.period_end, i.production_method, i.amount_wh, i.issued,
                                i.category) for i in expected]
    assert [(r.production_method, r.category) for r in rows if not r.issued] == [
        ("wind", "renewable"), ("solar", "renewable"), ("wind", "renewable"), ("oil", "fossil"), ("oil", "fossil")]
    for method in ("wind", "oil"):  # 1,440 allocations each: two rows of 15 whole days, not 900 + 540
        pieces = sorted((r for r in rows if r.production_method == method), key=lambda r: r.period_start)
        assert [(p.period_start, p.period_end) for p in pieces] == [(at(2026, 11, 1), at(2026, 11, 16)),
                                                                     (at(2026, 11, 16), at(2026, 12, 1))]
    stored = {item.item_id: len(item.assets) for item in db.scalars(select(Item))}
    assert all(0 < count <= CHUNK for count in stored.values()) and len(stored) == len(rows)


def test_the_list_answers_each_rows_category_and_as_of(iw: IntermediaryWorld) -> None:
    iw.allocate(2)
    http = iw.http()
    body = http.get(f"{API}/eligible-transactions", headers=iw.login(http)).json()
    assert body["items"] and all(item["category"] == "renewable" for item in body["items"]
                                 if item["production_method"] in ("solar", "wind"))
    assert {item["category"] for item in body["items"]} <= {"renewable", "fossil", "nuclear"}
    assert body["as_of"] == max(item["period_end"] for item in body["items"])


def test_every_row_says_how_many_allocations_it_stands_for(db: Session) -> None:
    assets = month_of_three_methods()
    rows = build_rows(db, "ca", assets)
    assert sum(r.allocations for r in rows) == len(assets)
    assert all(0 < r.allocations <= CHUNK for r in rows)
    assert [r.allocations for r in rows] == [i.item.allocations for i in direct.build_rows(assets)]
