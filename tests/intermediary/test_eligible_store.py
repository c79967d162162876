"""``intermediary.eligible_store``: a month larger than one row (> CHUNK allocations), grown a day at a time and
partly certified, is regrouped into exactly the rows ``group_rows`` makes of the same assets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from intermediary.eligible_models import EligibleAsset
from intermediary.eligible_store import asset_values, group_key_of, regroup, store_all, stored_rows
from intermediary.models import Base, Consumer
from ledger_lite.certificate import CHUNK, group_rows

JST = timezone(timedelta(hours=9))


def at(*args: int) -> int:
    return int(datetime(*args, tzinfo=JST).timestamp())


@pytest.fixture
def db() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Consumer(consumer_id="Ca", name="Consumer Ca", ledger_address="a" * 40, meter_key="00" * 32,
                             renewable_target_pct=50, providers=["Aa"]))
        session.commit()
        yield session
    engine.dispose()


def day_of(day: int, method: str) -> list[dict[str, Any]]:
    return [{"id": f"{method}-{day:02d}-{slot:02d}".ljust(64, "0"), "start": at(2026, 11, 1 + day) + slot * 1800,
             "end": at(2026, 11, 1 + day) + (slot + 1) * 1800, "wh": 900 + slot, "method": method, "cert": None,
             "trade": "completed"} for slot in range(48)]


def expected(assets: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(g.item_id, g.period_start, g.period_end, g.production_method, g.amount_wh, g.certificate_id,
             len(g.assets)) for g in group_rows(assets)]


def shown(db: Session) -> list[tuple[Any, ...]]:
    return [(r.item_id, r.period_start, r.period_end, r.production_method, r.amount_wh, r.certificate_id,
             r.allocations) for r in stored_rows(db, "Ca")]


def test_a_month_grown_day_by_day_and_certified_in_part_regroups_as_a_rebuild(db: Session) -> None:
    assets = day_of(0, "oil") + day_of(0, "wind")
    store_all(db, "Ca", assets, height=1)
    db.commit()
    for day in range(1, 30):  # 2,880 allocations in the end: more than one row per method
        added = day_of(day, "oil") + day_of(day, "wind")
        assets += added
        db.add_all(EligibleAsset(**asset_values("Ca", a)) for a in added)
        regroup(db, "Ca", {group_key_of(a["start"], a["method"], None) for a in added})
        db.commit()
        assert shown(db) == expected(assets)
    assert max(r[-1] for r in shown(db)) <= CHUNK and len(shown(db)) == 4
    certified = [a for a in assets if a["method"] == "wind"][100:700]
    touched = set()
    for a in certified:
        row = db.get(EligibleAsset, a["id"])
        assert row is not None
        touched |= {row.group_key, group_key_of(row.start, row.method, "c" * 64)}
        row.cert, row.group_key = "c" * 64, group_key_of(row.start, row.method, "c" * 64)
        a["cert"] = "c" * 64
    regroup(db, "Ca", touched)
    db.commit()
    assert shown(db) == expected(assets)
    assert [r[-1] for r in shown(db) if r[5]] == [600]
