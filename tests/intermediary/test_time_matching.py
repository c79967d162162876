"""Time matching (issue 15): the assets generated inside a usage interval come first, then nearest expiry; a
pool (sorted or paged with a window) decides exactly as ``allocate(..., time_matched=True)``."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from intermediary.allocation import AssetPool, OpenAsset, Totals, allocate
from tests.helpers.allocation_data import NOW, assets_st, intervals_st, pages_of

Interval = tuple[set[str], int, int, int, int]


def _window_of(snapshot: list[OpenAsset], calls: list[int]) -> list[OpenAsset]:
    calls.append(1)
    return copy.deepcopy([a for a in snapshot if a.expires > NOW])


@settings(max_examples=300, deadline=None)
@given(assets_st, intervals_st, st.sampled_from([None, 1, 3, 1000]))
def test_time_matched_pool_decides_exactly_as_allocate(assets: list[OpenAsset], intervals: list[Interval],
                                                       page: int | None) -> None:
    plain = copy.deepcopy(assets)
    calls: list[int] = []
    if page is None:
        pooled = copy.deepcopy(assets)
        pool = AssetPool(pooled, NOW, time_matched=True)
    else:
        snapshot = copy.deepcopy(assets)
        pool = AssetPool.paged(NOW, pages_of(snapshot, page, []), window=lambda: _window_of(snapshot, calls))
    totals_plain: dict[int, Totals] = {}
    totals_pool: dict[int, Totals] = {}
    for providers, target, end, wh, consumer in intervals:
        kwargs = {"target_pct": target, "usage_start": NOW + end - 1800, "usage_end": NOW + end, "usage_wh": wh,
                  "now": NOW}
        expected = allocate(plain, providers=providers, totals=totals_plain.setdefault(consumer, Totals()),
                            time_matched=True, **kwargs)
        got = pool.allocate(providers=providers, totals=totals_pool.setdefault(consumer, Totals()), **kwargs)
        assert got == expected
        assert len({p.asset_id for p in got.parts}) == len(got.parts)  # an asset once per transaction
    assert totals_pool == totals_plain
    assert len(calls) <= 1  # the window is read once per batch


def test_the_same_half_hour_comes_before_nearer_expiry() -> None:
    old = OpenAsset("old", "P1", "solar", "renewable", NOW - 7200, NOW - 5400, NOW + 100, 1_000)
    same = OpenAsset("same", "P2", "wind", "renewable", NOW - 1800, NOW, NOW + 900, 300)
    seed = allocate(copy.deepcopy([old, same]), providers=["P1", "P2"], totals=Totals(), target_pct=100,
                    usage_start=NOW - 1800, usage_end=NOW, usage_wh=500, now=NOW)
    matched = allocate(copy.deepcopy([old, same]), providers=["P1", "P2"], totals=Totals(), target_pct=100,
                       usage_start=NOW - 1800, usage_end=NOW, usage_wh=500, now=NOW, time_matched=True)
    assert [(p.asset_id, p.wh, p.matched) for p in seed.parts] == [("old", 500, False)]
    assert [(p.asset_id, p.wh, p.matched) for p in matched.parts] == [("same", 300, True), ("old", 200, False)]


def test_an_asset_in_the_window_and_a_page_is_counted_once() -> None:
    """The window and the expiry-ordered page both list the asset: what one interval took, the next cannot."""
    asset = OpenAsset("a", "P1", "solar", "renewable", NOW - 1800, NOW, NOW + 100, 1_000)
    pool = AssetPool.paged(NOW, pages_of([asset], 10, []), window=lambda: [copy.deepcopy(asset)])
    first = pool.allocate(providers=["P1"], totals=Totals(), target_pct=100, usage_start=NOW - 1800,
                          usage_end=NOW, usage_wh=700, now=NOW)
    second = pool.allocate(providers=["P1"], totals=Totals(), target_pct=100, usage_start=NOW,
                           usage_end=NOW + 1800, usage_wh=700, now=NOW)
    assert [(p.wh, p.matched) for p in first.parts] == [(700, True)]
    assert [(p.wh, p.matched) for p in second.parts] == [(300, False)]
    assert second.unallocated_wh == 400
