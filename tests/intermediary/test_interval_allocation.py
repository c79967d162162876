"""One interval's consumers under each rule (issue 15): the optimised rule shares a short renewable supply fairly,
and under every rule no asset gives more than it holds and no consumer gets more than it used."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intermediary.allocation import AssetPool, OpenAsset, Totals
from intermediary.interval_allocation import RULES, Request, allocate_interval, ask, time_matched_wh
from tests.helpers.allocation_data import NOW, assets_st

START, END = NOW - 1800, NOW

requests_st = st.lists(
    st.builds(lambda cid, providers, target, wh: Request(f"c{cid}", tuple(sorted(providers)), target, START, END,
                                                         wh),
              st.integers(0, 9), st.sets(st.sampled_from(("P1", "P2", "P3")), max_size=3), st.integers(0, 100),
              st.integers(0, 12_000)),
    max_size=8, unique_by=lambda r: r.consumer)
totals_st = st.tuples(st.integers(0, 50_000), st.integers(0, 50_000)).map(
    lambda rt: Totals(min(rt), max(rt)))


@settings(max_examples=200, deadline=None)
@given(assets_st, requests_st, st.lists(totals_st, min_size=10, max_size=10), st.sampled_from(RULES))
def test_no_asset_gives_more_than_it_holds_nor_a_consumer_more_than_it_used(
        assets: list[OpenAsset], requests: list[Request], totals: list[Totals], rule: str) -> None:
    held = {a.asset_id: a.wh for a in assets}
    pool = AssetPool(copy.deepcopy(assets), NOW, time_matched=rule != "seed")
    mine = {r.consumer: copy.copy(totals[int(r.consumer[1:])]) for r in requests}
    decisions = allocate_interval(pool, requests, mine, rule, NOW)
    given_out: dict[str, int] = {}
    for r in requests:
        parts = decisions[r.consumer].parts
        assert sum(p.wh for p in parts) + decisions[r.consumer].unallocated_wh == r.wh
        assert len({p.asset_id for p in parts}) == len(parts)
        for p in parts:
            given_out[p.asset_id] = given_out.get(p.asset_id, 0) + p.wh
            assert p.wh > 0
    assert all(wh <= held[asset_id] for asset_id, wh in given_out.items())
    again = allocate_interval(AssetPool(copy.deepcopy(assets), NOW, time_matched=rule != "seed"), requests,
                              {r.consumer: copy.copy(totals[int(r.consumer[1:])]) for r in requests}, rule, NOW)
    assert again == decisions  # deterministic


def _short_supply() -> list[OpenAsset]:
    return [OpenAsset("sun", "P1", "solar", "renewable", START, END, NOW + 100, 3_000),
            OpenAsset("oil", "P2", "oil", "fossil", START, END, NOW + 100, 100_000)]


def test_a_short_supply_is_shared_instead_of_going_to_the_first_consumer() -> None:
    requests = [Request("a", ("P1", "P2"), 100, START, END, 4_000), Request("b", ("P1", "P2"), 100, START, END, 2_000)]
    seed = allocate_interval(AssetPool(_short_supply(), NOW, time_matched=True), requests,
                             {"a": Totals(), "b": Totals()}, "time_matched", NOW)
    optimised = allocate_interval(AssetPool(_short_supply(), NOW, time_matched=True), requests,
                                  {"a": Totals(), "b": Totals()}, "optimised", NOW)
    renewable = {c: sum(p.wh for p in d.parts if p.category == "renewable") for c, d in seed.items()}
    assert renewable == {"a": 3_000, "b": 0}  # the greedy rule starves b
    renewable = {c: sum(p.wh for p in d.parts if p.category == "renewable") for c, d in optimised.items()}
    assert renewable == {"a": 2_000, "b": 1_000}  # both at half their ask
    assert all(d.unallocated_wh == 0 for d in optimised.values())  # the rest from oil
    assert time_matched_wh(optimised["a"].parts) == 4_000


def test_the_ask_brings_the_cumulative_share_to_the_target() -> None:
    assert ask(Totals(renewable_wh=20_000, total_wh=180_000), 40, 10_000) == 10_000  # Fig. 10B: 20 of 180 kWh
    assert ask(Totals(renewable_wh=90, total_wh=100), 40, 10) == 0
    assert ask(Totals(renewable_wh=0, total_wh=0), 33, 10) == 4  # rounded up


def test_bad_calls_are_refused() -> None:
    pool = AssetPool([], NOW)
    one = Request("a", ("P1",), 50, START, END, 10)
    with pytest.raises(ValueError, match="rule in seed, time_matched, optimised, found 'best'"):
        allocate_interval(pool, [one], {"a": Totals()}, "best", NOW)
    with pytest.raises(ValueError, match="needs a time-matched pool"):
        allocate_interval(pool, [one], {"a": Totals()}, "optimised", NOW)
    with pytest.raises(ValueError, match="one usage interval"):
        allocate_interval(pool, [one, Request("b", ("P1",), 50, END, END + 1800, 10)], {"a": Totals(), "b": Totals()},
                          "seed", NOW)
