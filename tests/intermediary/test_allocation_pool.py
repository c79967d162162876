"""AssetPool (issue #17): one batch's open assets sorted once; every interval decides exactly as ``allocate``."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intermediary.allocation import AssetPool, OpenAsset, Totals, allocate

NOW = 1_000_000
PROVIDERS = ("P1", "P2", "P3")
METHODS = {"solar": "renewable", "wind": "renewable", "oil": "fossil"}

assets_st = st.lists(
    st.builds(
        lambda i, provider, method, end, life, wh: OpenAsset(
            f"a{i:03d}", provider, method, METHODS[method], NOW + end - 1800, NOW + end, NOW + end + life, wh),
        st.integers(0, 999), st.sampled_from(PROVIDERS), st.sampled_from(sorted(METHODS)),
        st.integers(-40, 40).map(lambda k: k * 1800), st.sampled_from([-3600, 0, 1, 7200, 86_400, 9 * 86_400]),
        st.integers(0, 5_000)),
    max_size=40, unique_by=lambda a: a.asset_id)

intervals_st = st.lists(
    st.tuples(st.sets(st.sampled_from((*PROVIDERS, "P9")), max_size=4), st.integers(0, 100),
              st.integers(-40, 40).map(lambda k: k * 1800), st.integers(0, 12_000), st.sampled_from([0, 1])),
    max_size=30)


@settings(max_examples=300, deadline=None)
@given(assets_st, intervals_st)
def test_pool_decides_exactly_as_allocate(assets: list[OpenAsset], intervals: list[tuple[set[str], int, int, int,
                                                                                          int]]) -> None:
    plain = copy.deepcopy(assets)
    pooled = copy.deepcopy(assets)
    pool = AssetPool(pooled, NOW)
    totals_plain: dict[int, Totals] = {}
    totals_pool: dict[int, Totals] = {}
    for providers, target, end, wh, consumer in intervals:
        kwargs = {"target_pct": target, "usage_start": NOW + end - 1800, "usage_end": NOW + end, "usage_wh": wh,
                  "now": NOW}
        expected = allocate(plain, providers=providers, totals=totals_plain.setdefault(consumer, Totals()),
                            **kwargs)
        got = pool.allocate(providers=providers, totals=totals_pool.setdefault(consumer, Totals()), **kwargs)
        assert got == expected
        assert totals_pool == totals_plain
    assert pooled == plain  # the same Wh left on every asset


def test_pool_refuses_another_now() -> None:
    pool = AssetPool([], NOW)
    with pytest.raises(ValueError, match="open at"):
        pool.allocate(providers=["P1"], totals=Totals(), target_pct=50, usage_start=NOW - 1800, usage_end=NOW,
                      usage_wh=10, now=NOW + 1)


def test_pool_takes_nearest_expiry_across_providers_and_skips_used_up_assets() -> None:
    assets = [OpenAsset("late", "P1", "solar", "renewable", NOW - 3600, NOW - 1800, NOW + 500, 100),
              OpenAsset("soon", "P2", "wind", "renewable", NOW - 3600, NOW - 1800, NOW + 100, 30),
              OpenAsset("future", "P2", "wind", "renewable", NOW, NOW + 1800, NOW + 50, 1_000)]
    pool = AssetPool(assets, NOW)
    first = pool.allocate(providers=["P1", "P2"], totals=Totals(), target_pct=100, usage_start=NOW - 1800,
                          usage_end=NOW, usage_wh=50, now=NOW)
    assert [(p.asset_id, p.wh) for p in first.parts] == [("soon", 30), ("late", 20)]
    second = pool.allocate(providers=["P1", "P2"], totals=Totals(), target_pct=100, usage_start=NOW,
                           usage_end=NOW + 1800, usage_wh=1_100, now=NOW)
    assert [(p.asset_id, p.wh) for p in second.parts] == [("future", 1_000), ("late", 80)]
    assert second.unallocated_wh == 20
