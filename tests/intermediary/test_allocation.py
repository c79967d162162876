"""The allocation rule of S86-S93 as a pure function."""

from __future__ import annotations

import pytest

from intermediary.allocation import OpenAsset, Totals, allocate, choose_category

NOW = 1_000_000


def asset(asset_id: str, provider: str, method: str, wh: int, *, expires: int = NOW + 10_000,
          end: int = 0) -> OpenAsset:
    category = "fossil" if method == "oil" else "renewable"
    return OpenAsset(asset_id, provider, method, category, end - 1800, end, expires, wh)


@pytest.mark.parametrize(
    ("renewable", "total", "target", "usage", "expected"),
    [
        # Seed Fig. 10B: 20 kWh solar and 160 kWh oil so far, target 40 % → solar next (S88).
        (20_000, 180_000, 40, 10_000, "renewable"),
        (80_000, 100_000, 40, 10_000, "fossil"),
        (0, 0, 0, 10_000, "fossil"),
        (0, 0, 40, 10_000, "fossil"),  # 0 % is nearer to 40 % than 100 % is
        (0, 0, 60, 10_000, "renewable"),
        (40_000, 100_000, 40, 0, "renewable"),
    ],
)
def test_choose_category_moves_toward_target(renewable: int, total: int, target: int, usage: int,
                                             expected: str) -> None:
    assert choose_category(Totals(renewable, total), target, usage) == expected


def test_nearest_expiry_first_and_split() -> None:
    assets = [asset("late", "Aa", "solar", 5_000, expires=NOW + 900), asset("soon", "Aw", "wind", 3_000,
                                                                              expires=NOW + 100)]
    totals = Totals()
    decision = allocate(assets, providers=["Aa", "Aw"], totals=totals, target_pct=100, usage_start=0,
                        usage_end=1800, usage_wh=4_000, now=NOW)
    assert [(p.asset_id, p.wh) for p in decision.parts] == [("soon", 3_000), ("late", 1_000)]
    assert assets[0].wh == 4_000 and assets[1].wh == 0
    assert totals == Totals(renewable_wh=4_000, total_wh=4_000)
    assert decision.unallocated_wh == 0


def test_excludes_expired_future_and_unselected_providers() -> None:
    assets = [asset("expired", "Aa", "solar", 5_000, expires=NOW), asset("future", "Aa", "solar", 5_000, end=3600),
              asset("other", "Zz", "solar", 5_000), asset("ok", "Aa", "solar", 1_000)]
    decision = allocate(assets, providers=["Aa"], totals=Totals(), target_pct=100, usage_start=0, usage_end=1800,
                        usage_wh=2_000, now=NOW)
    assert [p.asset_id for p in decision.parts] == ["ok"]
    assert decision.unallocated_wh == 1_000


def test_falls_back_to_other_category_when_short() -> None:
    assets = [asset("sun", "Aa", "solar", 1_000), asset("oil", "Ab", "oil", 10_000)]
    decision = allocate(assets, providers=["Aa", "Ab"], totals=Totals(), target_pct=100, usage_start=0,
                        usage_end=1800, usage_wh=3_000, now=NOW)
    assert decision.category == "renewable"
    assert [(p.asset_id, p.wh) for p in decision.parts] == [("sun", 1_000), ("oil", 2_000)]


def test_share_converges_to_target_over_many_intervals() -> None:
    totals = Totals()
    for i in range(500):
        assets = [asset(f"s{i}", "Aa", "solar", 10_000), asset(f"o{i}", "Ab", "oil", 10_000)]
        allocate(assets, providers=["Aa", "Ab"], totals=totals, target_pct=40, usage_start=0, usage_end=1800,
                 usage_wh=1_000, now=NOW)
    assert abs(100 * totals.renewable_wh / totals.total_wh - 40) < 0.5
