"""The storage battery 300 model: limits refuse and change nothing; energy is conserved."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from field.trading.battery import DAY_S, Battery, BatterySpec
from field.trading.errors import BadInput, BatteryError

T0 = 1_790_812_800  # 2026-10-01 00:00 UTC
H = 1800
SPEC = BatterySpec(capacity_wh=10_000, max_charge_w=4_000, max_discharge_w=3_000, efficiency_pct=90,
                   self_discharge_ppm_day=1_000)


def snapshot(b: Battery) -> tuple[int, ...]:
    return (b.stored_wh, b.received_wh, b.delivered_wh, b.conversion_loss_wh, b.self_discharge_wh)


def test_charge_stores_and_counts() -> None:
    b = Battery(SPEC, time=T0)
    b.charge(1_500, T0, T0 + H)
    assert (b.stored_wh, b.received_wh) == (1_500, 1_500)
    assert b.soc_pct() == 15
    assert b.balanced()


def test_charge_beyond_power_in_one_half_hour_is_refused_and_changes_nothing() -> None:
    b = Battery(SPEC, time=T0)
    b.charge(1_500, T0, T0 + H)  # 4 kW × 0.5 h = 2,000 Wh a half hour
    before = snapshot(b)
    with pytest.raises(BatteryError, match="at most 2000 Wh per half hour") as caught:
        b.charge(600, T0, T0 + H)
    assert caught.value.code == "power_limit"
    assert caught.value.extra["accept_wh"] == 500
    assert snapshot(b) == before
    b.charge(500, T0, T0 + H)  # what was left fits
    b.charge(2_000, T0 + H, T0 + 2 * H)  # a new half hour has its own power


def test_charge_beyond_capacity_is_refused() -> None:
    b = Battery(SPEC, stored_wh=9_800, time=T0)
    with pytest.raises(BatteryError, match="room") as caught:
        b.charge(300, T0, T0 + H)
    assert caught.value.code == "battery_full"
    assert caught.value.extra["accept_wh"] == 200
    assert b.stored_wh == 9_800


def test_discharge_applies_round_trip_efficiency() -> None:
    b = Battery(SPEC, stored_wh=5_000, time=T0)
    drawn = b.discharge(900, T0, T0 + H)
    assert drawn == 1_000  # 900 Wh at the terminals take 1,000 Wh at 90 %
    assert (b.stored_wh, b.delivered_wh, b.conversion_loss_wh) == (4_000, 900, 100)
    assert b.drawn_for(1) == 2  # rounded up: never more out than in
    assert b.balanced()


def test_discharge_beyond_stored_or_power_is_refused() -> None:
    b = Battery(SPEC, stored_wh=1_000, time=T0)
    with pytest.raises(BatteryError) as caught:
        b.discharge(901, T0, T0 + H)  # would draw 1,002 Wh
    assert caught.value.code == "battery_empty"
    assert caught.value.extra["give_wh"] == 900
    big = Battery(SPEC, stored_wh=10_000, time=T0)
    with pytest.raises(BatteryError) as caught:
        big.discharge(1_501, T0, T0 + H)  # 3 kW × 0.5 h = 1,500 Wh
    assert caught.value.code == "power_limit"
    assert big.stored_wh == 10_000
    assert big.discharge_room(T0, T0 + 2 * H) == 3_000


def test_self_discharge_over_time_is_exact() -> None:
    b = Battery(SPEC, stored_wh=10_000, time=T0)
    assert b.advance(T0 + DAY_S) == 10  # 1,000 ppm a day
    assert b.stored_wh == 9_990
    small = Battery(SPEC, stored_wh=10_000, time=T0)
    for i in range(1, 49):
        small.advance(T0 + i * H)  # the fractions of each half hour are carried, not dropped
    assert small.self_discharge_wh == 9  # 9.995 Wh: the store shrinks as it leaks, so a little less than 10
    assert small.balanced()
    assert small.advance(T0) == 0  # time never goes back


@pytest.mark.parametrize(("args", "message"), [
    ((0, T0, T0 + H), "wh >= 1"),
    ((100, T0 + 1, T0 + H), "whole half hours"),
    ((100, T0 + H, T0), "whole half hours"),
    ((True, T0, T0 + H), "integer"),
])
def test_bad_arguments_are_refused(args: tuple[int, int, int], message: str) -> None:
    b = Battery(SPEC, time=T0)
    with pytest.raises(BadInput, match=message):
        b.charge(*args)
    assert snapshot(b) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("field", ["capacity_wh", "max_charge_w", "efficiency_pct"])
def test_bad_spec_is_refused(field: str) -> None:
    values = {"capacity_wh": 1, "max_charge_w": 1, "max_discharge_w": 1, "efficiency_pct": 90, field: 0}
    with pytest.raises(BadInput, match=field):
        BatterySpec(**values)
    with pytest.raises(BadInput, match="efficiency_pct <= 100"):
        BatterySpec(1, 1, 1, efficiency_pct=101)


operations = st.lists(st.tuples(st.sampled_from(["charge", "discharge", "wait"]), st.integers(1, 3_000),
                                st.integers(0, 6)), max_size=60)


@settings(max_examples=200, deadline=None)
@given(operations, st.integers(0, 10_000))
def test_energy_is_conserved_whatever_happens(ops: list[tuple[str, int, int]], initial: int) -> None:
    b = Battery(SPEC, stored_wh=initial, time=T0)
    t = T0
    for kind, wh, hops in ops:
        t += hops * H
        try:
            if kind == "charge":
                b.charge(wh, t, t + H)
            elif kind == "discharge":
                b.discharge(wh, t, t + H)
            else:
                b.advance(t + wh * 60)
        except BatteryError:
            pass
        assert 0 <= b.stored_wh <= SPEC.capacity_wh
        assert b.balanced(), snapshot(b)
    assert initial + b.received_wh == b.stored_wh + b.delivered_wh + b.losses_wh()
