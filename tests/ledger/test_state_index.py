"""``ledger.state_index``: ``same_indexed``, the writer's shortcut, never says two values have the same index
entries when ``indexed`` gives them different ones, and says so for a certification."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.state_index import EXPIRY_DAY, indexed, same_indexed

KEY = "asset/" + "ab" * 32
ALLOCATED = {"wh": 1200, "end": 1_800, "meter": "gc1" + "11" * 20, "owner": "gc1" + "22" * 20, "start": 0,
             "trade": "completed", "method": "solar", "expires": 1_800 + 30 * EXPIRY_DAY, "provider": "p1"}


def test_a_certification_keeps_the_entries_and_is_seen_to() -> None:
    certified = {**ALLOCATED, "cert": "cd" * 32}
    assert same_indexed(ALLOCATED, certified)
    assert indexed(KEY, ALLOCATED) == indexed(KEY, certified)


def test_an_allocation_changes_them_and_is_not_taken_for_the_same() -> None:
    open_asset = {**ALLOCATED, "trade": "open", "owner": "gc1" + "33" * 20}
    assert not same_indexed(open_asset, ALLOCATED)
    assert indexed(KEY, open_asset) != indexed(KEY, ALLOCATED)


def test_values_that_are_not_maps_are_never_the_same() -> None:
    assert not same_indexed(None, ALLOCATED)
    assert not same_indexed(ALLOCATED, None)
    assert not same_indexed("x", "x")


FIELD_VALUES: dict[str, Any] = {
    "owner": st.sampled_from(["gc1" + "22" * 20, "gc1" + "33" * 20, None, 5]),
    "trade": st.sampled_from(["open", "completed", None]),
    "expires": st.sampled_from([0, EXPIRY_DAY - 1, EXPIRY_DAY, 40 * EXPIRY_DAY, None, "x"]),
    "provider": st.sampled_from(["p1", "p2", None]),
    "method": st.sampled_from(["solar", "wind", None]),
    "cert": st.sampled_from([None, "cd" * 32]),
    "wh": st.integers(0, 5),
}


@st.composite
def asset_values(draw: st.DrawFn) -> dict[str, Any]:
    value = dict(ALLOCATED)
    for name, values in FIELD_VALUES.items():
        if draw(st.booleans()):
            chosen = draw(values)
            if chosen is None:
                value.pop(name, None)
            else:
                value[name] = chosen
    return value


@settings(max_examples=400, deadline=None)
@given(asset_values(), asset_values())
def test_same_indexed_implies_equal_entries(old: dict[str, Any], new: dict[str, Any]) -> None:
    if same_indexed(old, new):
        assert indexed(KEY, old) == indexed(KEY, new)
    if old == new:
        assert same_indexed(old, new)
