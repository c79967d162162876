"""``State.owned_open(owner, valid_at)`` (issue #17): an owner's open assets that have not expired, read without
walking the ones that expired unused (they stay open for ever and pile up over a year)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.state import EXPIRY_DAY, State

DAY0 = 20_000 * EXPIRY_DAY


def _asset(owner: str, trade: str, expires: int, wh: int = 10, provider: str = "Aa",
           method: str = "solar") -> dict[str, Any]:
    return {"owner": owner, "trade": trade, "wh": wh, "provider": provider, "method": method, "start": 0, "end": 1,
            "expires": expires}


def _unexpired_open(state: State, owner: str, at: int) -> set[str]:
    """The answer by a scan of everything the owner holds."""
    return {k for k in state.owned(owner) if (v := state.get(k)) and v["trade"] == "open" and v["expires"] > at}


def test_expired_open_assets_are_not_read() -> None:
    state = State()
    for day in range(300):  # a year of surplus that expired unused
        state._set(f"asset/old{day}", _asset("da", "open", DAY0 + day * EXPIRY_DAY))
    fresh = {f"asset/new{i}" for i in range(3)}
    for key in fresh:
        state._set(key, _asset("da", "open", DAY0 + 400 * EXPIRY_DAY))
    at = DAY0 + 350 * EXPIRY_DAY
    assert set(state.owned_open("da", at)) == fresh == _unexpired_open(state, "da", at)
    assert len(state.owned_open("da")) == 303  # without valid_at: every open one, as before


def test_keys_of_the_same_day_are_given_to_the_caller_to_filter() -> None:
    state = State()
    state._set("asset/a", _asset("da", "open", DAY0 + 100))
    state._set("asset/b", _asset("da", "open", DAY0 + 900))
    assert sorted(state.owned_open("da", DAY0 + 500)) == ["asset/a", "asset/b"]  # same day: a superset
    assert _unexpired_open(state, "da", DAY0 + 500) == {"asset/b"}


operations = st.lists(st.tuples(st.integers(0, 15), st.sampled_from(["da", "ca"]), st.sampled_from(["open",
                                                                                                      "completed"]),
                                st.integers(-3, 3), st.sampled_from([("Aa", "solar"), ("Ab", "oil"),
                                                                     ("Aw", "wind")])), max_size=60)


@settings(max_examples=200, deadline=None)
@given(operations, st.integers(-4, 4), st.sampled_from(["Aa", "Ab", "Aw"]))
def test_the_index_follows_every_change(ops: list[tuple[int, str, str, int, tuple[str, str]]], at_day: int,
                                        provider: str) -> None:
    """Allocation, completion, a change of owner, expiry or provider: the index agrees with a scan, day by day in
    order, for all providers or one."""
    state = State()
    for key, owner, trade, day, (prov, method) in ops:
        state._set(f"asset/{key}", _asset(owner, trade, DAY0 + day * EXPIRY_DAY + 7, provider=prov, method=method))
    at = DAY0 + at_day * EXPIRY_DAY + 3_600
    for owner in ("da", "ca"):
        listed = state.owned_open(owner, at)
        assert len(listed) == len(set(listed))
        assert {k for k in listed if state.get(k)["expires"] > at} == _unexpired_open(state, owner, at)
        assert set(state.owned_open(owner)) == {k for k in state.owned(owner) if state.get(k)["trade"] == "open"}
        days = [keys for keys in state.open_by_expiry_day(owner, at, of=lambda p, _: p == provider) if keys]
        expiry_days = [{state.get(k)["expires"] // EXPIRY_DAY for k in keys} for keys in days]
        assert all(len(d) == 1 for d in expiry_days) and expiry_days == sorted(expiry_days, key=min)
        assert {k for keys in days for k in keys if state.get(k)["expires"] > at} == {
            k for k in _unexpired_open(state, owner, at) if state.get(k)["provider"] == provider}
