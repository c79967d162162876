"""The optimiser (issue 15): integer Wh within every bound, the least total shortfall, max-min fair, the same
answer for the same input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intermediary.optimiser import Claim, share

GROUPS = ("g1", "g2", "g3")

claims_st = st.lists(
    st.builds(Claim, st.sampled_from([f"c{i}" for i in range(12)]), st.integers(0, 50_000),
              st.frozensets(st.sampled_from((*GROUPS, "g9")), max_size=4)),
    max_size=10, unique_by=lambda c: c.consumer)
supply_st = st.dictionaries(st.sampled_from(GROUPS), st.integers(0, 80_000), max_size=3)


@settings(max_examples=200, deadline=None)
@given(claims_st, supply_st)
def test_allocations_stay_within_every_supply_and_want(claims: list[Claim], supply: dict[str, int]) -> None:
    answer = share(claims, supply)
    wants = {c.consumer: c for c in claims}
    for consumer, by_group in answer.items():
        assert all(isinstance(wh, int) and wh > 0 for wh in by_group.values())
        assert sum(by_group.values()) <= wants[consumer].want_wh  # never past the ask (≤ the usage)
        assert set(by_group) <= wants[consumer].groups  # only from its own providers
    for group in supply:
        assert sum(by_group.get(group, 0) for by_group in answer.values()) <= supply[group]
    assert share(list(reversed(claims)), dict(reversed(list(supply.items())))) == answer  # deterministic


@settings(max_examples=100, deadline=None)
@given(claims_st, st.integers(0, 200_000))
def test_one_shared_group_is_used_up_or_every_ask_met(claims: list[Claim], supply: int) -> None:
    """With one group everyone may use, the total is min(supply, asks) (least shortfall, to the Wh), and the
    shares met differ by at most the rounding (nobody starved)."""
    claims = [Claim(c.consumer, c.want_wh, frozenset({"g1"})) for c in claims]
    answer = share(claims, {"g1": supply})
    asked = sum(c.want_wh for c in claims)
    assert sum(sum(g.values()) for g in answer.values()) == min(supply, asked)
    met = [sum(answer.get(c.consumer, {}).values()) / c.want_wh for c in claims if c.want_wh >= 1_000]
    if met:
        assert max(met) - min(met) <= 0.01


def test_a_short_supply_is_shared_by_share_of_ask() -> None:
    claims = [Claim("big", 3_000, frozenset({"g1"})), Claim("small", 1_000, frozenset({"g1"}))]
    assert share(claims, {"g1": 2_000}) == {"big": {"g1": 1_500}, "small": {"g1": 500}}


def test_a_consumer_only_one_group_serves_gets_it_first() -> None:
    """Least shortfall: the consumer who can also use g2 leaves g1 to the one who cannot."""
    claims = [Claim("a", 1_000, frozenset({"g1"})), Claim("b", 1_000, frozenset({"g1", "g2"}))]
    answer = share(claims, {"g1": 1_000, "g2": 1_000})
    assert answer == {"a": {"g1": 1_000}, "b": {"g2": 1_000}}


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="one claim per consumer, found 'a' twice"):
        share([Claim("a", 1, frozenset({"g1"})), Claim("a", 2, frozenset({"g1"}))], {"g1": 5})
    with pytest.raises(ValueError, match="want of 0 Wh or more, found -1"):
        share([Claim("a", -1, frozenset({"g1"}))], {"g1": 5})
    with pytest.raises(ValueError, match="supplies of 0 Wh or more"):
        share([Claim("a", 1, frozenset({"g1"}))], {"g1": -5})
