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


def solar_month(year: int, month: int, days: int, sites: int, first: int = 0) -> list[dict[str, object]]:
    """``sites`` solar sites, 06:00-18:00 JST (24 half-hours a day), ``days`` days from the 1st."""
    found = []
    for day in range(days):
        for slot in range(24):
            for site in range(sites):
                n = first + (day * 24 + slot) * sites + site
                found.append(asset(n, at(year, month, 1 + day, 6) + slot * 1800))
    return found


def jst_date(ts: int) -> tuple[int, int, int]:
    t = datetime.fromtimestamp(ts, JST)
    return t.year, t.month, t.day


def test_a_month_larger_than_one_transaction_is_cut_at_jst_midnight_into_disjoint_dates():
    rows = build_rows(solar_month(2026, 11, 30, 2))  # 1,440 allocations: 900 + 540 cut at 11月19日 12:00 before
    items = sorted((r.item for r in rows), key=lambda i: i.period_start)
    assert [len(r.assets) for r in sorted(rows, key=lambda r: r.item.period_start)] == [720, 720]
    first, second = items
    assert jst_date(first.period_end - 1) < jst_date(second.period_start), "no day is in two rows"
    assert (jst_date(first.period_end - 1), jst_date(second.period_start)) == ((2026, 11, 15), (2026, 11, 16))
    assert sum(i.amount_wh for i in items) == 1440 * 1000


def test_no_tiny_leftover_row_the_pieces_are_balanced():
    start = at(2026, 10, 1)
    rows = build_rows([asset(n, start + n * 1800) for n in range(CHUNK + 1)])  # before: 900 and one half-hour
    sizes = sorted(len(r.assets) for r in rows)
    assert len(sizes) == 2 and sum(sizes) == CHUNK + 1 and sizes[0] >= 400, sizes
    for row in rows:  # one asset per half-hour, all day: each row runs from 00:00 JST
        assert datetime.fromtimestamp(row.item.period_start, JST).strftime("%H:%M") == "00:00"


def test_a_day_larger_than_a_row_is_cut_between_half_hours_and_the_times_say_where():
    day = at(2026, 11, 3)
    assets = [asset(slot * 20 + site, day + slot * 1800) for slot in range(48) for site in range(20)]  # 960
    rows = sorted(build_rows(assets), key=lambda r: r.item.period_start)
    assert [len(r.assets) for r in rows] == [480, 480]
    assert rows[0].item.period_end == rows[1].item.period_start == at(2026, 11, 3, 12), "disjoint in time"


def test_rows_whose_assets_did_not_change_keep_their_item_ids():
    october = solar_month(2026, 10, 31, 2)
    before = {r.item.item_id for r in build_rows(october)}
    after = {r.item.item_id for r in build_rows(october + solar_month(2026, 11, 3, 2, first=10_000))}
    assert before <= after and len(before) == 2


def test_renewable_rows_come_before_fossil_rows_of_the_month_and_say_their_category():
    assets = [asset(1, at(2026, 11, 1, 12)), asset(2, at(2026, 11, 20, 0), "oil"),
              asset(3, at(2026, 11, 2, 0), "wind"), asset(4, at(2026, 10, 30, 0), "oil"),
              asset(5, at(2026, 10, 1, 0), "solar")]
    rows = [(r.item.production_method, r.item.category, jst_date(r.item.period_start)[1]) for r in build_rows(assets)]
    assert rows == [("wind", "renewable", 11), ("solar", "renewable", 11), ("oil", "fossil", 11),
                    ("solar", "renewable", 10), ("oil", "fossil", 10)]


def test_every_row_says_up_to_when_allocations_were_considered():
    assets = [asset(1, at(2026, 11, 1, 12)), asset(2, at(2026, 11, 15, 17, 30), "oil"),
              asset(3, at(2026, 11, 16), trade="open")]  # not allocated: not considered
    assert {r.item.as_of for r in build_rows(assets)} == {at(2026, 11, 15, 18)}


def test_profile_of_half_hours():
    start = at(2026, 11, 1)
    refs = [AssetRef("a", start, start + 1800, 5), AssetRef("b", start + 3600, start + 5400, 7),
            AssetRef("c", start + 3600, start + 5400, 1)]
    assert profile_of(refs, start, start + 5400) == (5, 0, 8)
