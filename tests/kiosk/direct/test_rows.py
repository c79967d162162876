"""The direct mode groups the owner's assets into rows as the intermediary does (per JST month × method)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from kiosk.direct.rows import CHUNK, AssetRef, build_rows, item_id_of, profile_of

JST = timezone(timedelta(hours=9))


def at(*args: int) -> int:
    return int(datetime(*args, tzinfo=JST).timestamp())


def asset(n: int, start: int, method: str = "solar", wh: int = 1000, *, cert: str | None = None,
          trade: str = "completed") -> dict[str, object]:
    return {"id": f"{n:064x}", "start": start, "end": start + 1800, "wh": wh, "method": method, "trade": trade,
            "cert": cert}


def test_rows_per_jst_month_and_method_newest_first():
    assets = [asset(1, at(2026, 10, 31, 23)), asset(2, at(2026, 11, 1, 0)),  # the month changes at 00:00 JST
              asset(3, at(2026, 11, 2, 12), "wind", 5000), asset(4, at(2026, 11, 3, 12)),
              asset(5, at(2026, 11, 4), trade="open")]  # not allocated to the owner: not listed
    rows = build_rows(assets)
    # newest period start first, as the intermediary sorts them
    assert [(r.item.production_method, len(r.assets)) for r in rows] == [("wind", 1), ("solar", 2), ("solar", 1)]
    november = rows[1].item
    assert (november.period_start, november.period_end) == (at(2026, 11, 1), at(2026, 11, 3, 12, 30))
    assert november.amount_wh == 2000 and not november.issued
    assert november.item_id == item_id_of([f"{2:064x}", f"{4:064x}"]), "the intermediary's item ids"


def test_certified_assets_are_one_greyed_row_per_certificate():
    rows = build_rows([asset(1, at(2026, 11, 1), cert="c1"), asset(2, at(2026, 12, 1), cert="c1"),
                       asset(3, at(2026, 11, 5))])
    issued = [r.item for r in rows if r.item.issued]
    assert len(issued) == 1 and issued[0].certificate_id == "c1" and issued[0].amount_wh == 2000


def test_a_month_with_more_assets_than_one_transaction_takes_is_split():
    start = at(2026, 10, 1)
    rows = build_rows([asset(n, start + n * 1800) for n in range(CHUNK + 10)])
    assert sorted(len(r.assets) for r in rows) == [10, CHUNK]


def test_profile_of_half_hours():
    start = at(2026, 11, 1)
    refs = [AssetRef("a", start, start + 1800, 5), AssetRef("b", start + 3600, start + 5400, 7),
            AssetRef("c", start + 3600, start + 5400, 1)]
    assert profile_of(refs, start, start + 5400) == (5, 0, 8)
