"""AssetPool (issue #17): one batch's open assets sorted once; every interval decides exactly as ``allocate``."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intermediary.allocation import AssetPool, OpenAsset, Totals, allocate
from tests.helpers.allocation_data import NOW, assets_st, intervals_st, pages_of


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


@settings(max_examples=300, deadline=None)
@given(assets_st, intervals_st, st.sampled_from([1, 2, 3, 7, 1000]))
def test_paged_pool_decides_exactly_as_allocate(assets: list[OpenAsset], intervals: list[tuple[set[str], int, int,
                                                                                                int, int]],
                                                size: int) -> None:
    plain = copy.deepcopy(assets)
    asked: list[tuple[str, str, str | None]] = []
    pool = AssetPool.paged(NOW, pages_of(copy.deepcopy(assets), size, asked))
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
    assert len(asked) == len(set(asked))  # no page is read twice


def test_paged_pool_reads_only_the_pages_it_walks() -> None:
    """A month of surplus stays on the node: an interval covered by the first assets reads one page."""
    snapshot = [OpenAsset(f"a{i:04d}", "P1", "oil", "fossil", NOW - 3600, NOW - 1800, NOW + 100 + i, 1_000)
                for i in range(1_500)]
    asked: list[tuple[str, str, str | None]] = []
    pool = AssetPool.paged(NOW, pages_of(snapshot, 100, asked))
    decision = pool.allocate(providers=["P1"], totals=Totals(), target_pct=0, usage_start=NOW - 1800,
                             usage_end=NOW, usage_wh=2_500, now=NOW)
    assert [(p.asset_id, p.wh) for p in decision.parts] == [("a0000", 1_000), ("a0001", 1_000), ("a0002", 500)]
    assert asked == [("P1", "fossil", None)]


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
