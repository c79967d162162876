"""Deterministic half-hourly demo profiles (S61, S81)."""

from __future__ import annotations

import itertools
import random
import statistics
from collections.abc import Callable
from datetime import datetime, time

import pytest

from field import errors
from field.profiles import (
    JST,
    generation_series,
    maintenance_outage,
    solar_elevation,
    usage_series,
    wind_power_fraction,
)
from field.sites import (
    CONSUMER_CA,
    CONSUMER_CB,
    DEMO_CONSUMERS,
    DEMO_PRODUCERS,
    INTERVAL_S,
    PRODUCER_AA,
    PRODUCER_AB,
    TOKYO,
    WIND_FARM_AW,
    Consumer,
    Producer,
)

MONTH = 1440  # 30 days of half hours
PER_DAY = 48


def jst(year: int, month: int, day: int = 1, hour: int = 0, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=JST).timestamp())


OCT = jst(2026, 10)
JUNE = jst(2026, 6)


def local(t: int) -> datetime:
    return datetime.fromtimestamp(t, JST)


def times(start: int, intervals: int = MONTH) -> list[int]:
    return [start + i * INTERVAL_S for i in range(intervals)]


# --- solar -------------------------------------------------------------------------------------------------


def test_solar_elevation_in_tokyo() -> None:
    # Solar noon in Tokyo is about 11:40 JST; at the June solstice the sun stands 90 − 35.7 + 23.4 ≈ 77.8°.
    assert 76.5 < solar_elevation(*TOKYO, jst(2026, 6, 21, 11, 43)) < 79.0
    # At the December solstice: 90 − 35.7 − 23.4 ≈ 30.9°.
    assert 29.5 < solar_elevation(*TOKYO, jst(2026, 12, 21, 11, 38)) < 32.0
    assert solar_elevation(*TOKYO, jst(2026, 6, 21, 0)) < -20
    # Sunrise on the equinox is about 5:30 JST: just below the horizon at 5:15, above at 5:45.
    assert solar_elevation(*TOKYO, jst(2026, 9, 23, 5, 15)) < 0
    assert solar_elevation(*TOKYO, jst(2026, 9, 23, 5, 45)) > 0


@pytest.mark.parametrize("start", [OCT, JUNE, jst(2026, 1)])
def test_no_solar_at_night(start: int) -> None:
    series = generation_series(PRODUCER_AA, start, MONTH, seed=3)
    night = [wh for t, wh in zip(times(start), series, strict=True) if not 4 <= local(t).hour < 20]
    assert len(night) == 30 * 16
    assert set(night) == {0}


@pytest.mark.parametrize("start", [OCT, JUNE, jst(2026, 1)])
def test_solar_at_noon_on_most_days(start: int) -> None:
    series = generation_series(PRODUCER_AA, start, MONTH, seed=3)
    noon = [wh for t, wh in zip(times(start), series, strict=True) if local(t).time() == time(11, 30)]
    assert len(noon) == 30
    assert all(wh > 0 for wh in noon)
    assert sum(wh > 0.2 * PRODUCER_AA.max_interval_wh for wh in noon) >= 20  # cloudy days are the exception
    assert max(series) > 0.5 * PRODUCER_AA.max_interval_wh  # clear days come close to the panel rating


def test_solar_follows_a_bell_over_the_day() -> None:
    series = generation_series(PRODUCER_AA, JUNE, MONTH, seed=3)
    by_slot = [statistics.mean(series[slot::PER_DAY]) for slot in range(PER_DAY)]
    peak = max(range(PER_DAY), key=by_slot.__getitem__)
    assert 22 <= peak <= 24  # 11:00–12:30 JST
    assert all(by_slot[s] <= by_slot[s + 1] for s in range(8, 20))  # rising all morning
    assert all(by_slot[s] >= by_slot[s + 1] for s in range(26, 38))  # falling all afternoon


def test_cloudiness_varies_from_day_to_day_and_seed_to_seed() -> None:
    days = [sum(generation_series(PRODUCER_AA, OCT + d * 86400, PER_DAY, seed=1)) for d in range(30)]
    assert max(days) > 2 * min(days)
    one, two = (generation_series(PRODUCER_AA, OCT, PER_DAY, seed=s) for s in (1, 2))
    assert one != two


# --- all producers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("site", DEMO_PRODUCERS, ids=lambda s: s.id)
@pytest.mark.parametrize("start", [OCT, JUNE])
def test_never_above_capacity(site: Producer, start: int) -> None:
    for seed in range(3):
        series = generation_series(site, start, MONTH, seed=seed)
        assert len(series) == MONTH
        assert all(type(wh) is int for wh in series)
        assert min(series) >= 0 and max(series) <= site.capacity_w // 2


@pytest.mark.parametrize("site", [*DEMO_PRODUCERS, *DEMO_CONSUMERS], ids=lambda s: s.id)
def test_same_inputs_same_outputs_whatever_the_window(site: Producer | Consumer) -> None:
    def series(start: int, n: int, seed: int) -> list[int]:
        if isinstance(site, Consumer):
            return usage_series(site, start, n, seed=seed)
        return generation_series(site, start, n, seed=seed)

    month = series(OCT, MONTH, 7)
    assert month == series(OCT, MONTH, 7)
    assert month != series(OCT, MONTH, 8)
    by_day = [wh for d in range(30) for wh in series(OCT + d * 86400, PER_DAY, 7)]
    assert by_day == month
    assert series(OCT + 101 * INTERVAL_S, 500, 7) == month[101:601]
    assert series(OCT, 0, 7) == []


# --- wind --------------------------------------------------------------------------------------------------


def test_power_curve() -> None:
    assert wind_power_fraction(0.0) == wind_power_fraction(2.9) == 0.0
    assert wind_power_fraction(12.0) == wind_power_fraction(24.9) == 1.0
    assert wind_power_fraction(25.0) == wind_power_fraction(30.0) == 0.0  # cut-out
    curve = [wind_power_fraction(v / 10) for v in range(30, 121)]
    assert all(a < b for a, b in itertools.pairwise(curve))


def test_wind_is_autocorrelated() -> None:
    series = generation_series(WIND_FARM_AW, OCT, MONTH, seed=5)
    neighbours = statistics.mean(abs(a - b) for a, b in itertools.pairwise(series))
    rng = random.Random(0)
    pairs = statistics.mean(abs(series[rng.randrange(MONTH)] - series[rng.randrange(MONTH)])
                            for _ in range(4000))
    assert neighbours < 0.4 * pairs
    assert statistics.correlation(series[:-1], series[1:]) > 0.8


def test_wind_has_calm_and_rated_spells() -> None:
    series = generation_series(WIND_FARM_AW, OCT, MONTH, seed=5)
    cap = WIND_FARM_AW.max_interval_wh
    assert any(wh == 0 for wh in series)
    assert any(wh > 0.85 * cap for wh in series)
    assert 0.12 < sum(series) / (cap * MONTH) < 0.45  # a plausible capacity factor


# --- oil ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("month", [1, 6, 10])
def test_oil_runs_flat_with_a_planned_outage(month: int) -> None:
    start = jst(2026, month)
    series = generation_series(PRODUCER_AB, start, MONTH, seed=2)
    cap = PRODUCER_AB.max_interval_wh
    off = [t for t, wh in zip(times(start), series, strict=True) if wh == 0]
    begin, end = maintenance_outage(PRODUCER_AB, 2026, month, seed=2)
    assert off == list(range(begin, end, INTERVAL_S))  # one contiguous outage ...
    assert 4 * 3600 <= end - begin <= 8 * 3600  # ... of a few hours
    running = [wh for wh in series if wh]
    assert all(0.6 * cap <= wh <= 0.9 * cap for wh in running)
    assert statistics.pstdev(running) < 0.06 * cap  # near-flat


def test_outage_moves_with_the_seed() -> None:
    outages = {maintenance_outage(PRODUCER_AB, 2026, 10, seed=s) for s in range(4)}
    assert len(outages) > 1


# --- consumption -------------------------------------------------------------------------------------------


def _mean_by(consumer: Consumer, keep: Callable[[datetime], bool]) -> float:
    series = usage_series(consumer, OCT, MONTH, seed=4)
    return statistics.mean(wh for t, wh in zip(times(OCT), series, strict=True) if keep(local(t)))


def test_office_uses_more_on_weekday_daytime() -> None:
    weekday_day = _mean_by(CONSUMER_CA, lambda d: d.weekday() < 5 and 8 <= d.hour < 19)
    weekend_day = _mean_by(CONSUMER_CA, lambda d: d.weekday() >= 5 and 8 <= d.hour < 19)
    weekday_night = _mean_by(CONSUMER_CA, lambda d: d.weekday() < 5 and (d.hour >= 22 or d.hour < 6))
    assert weekday_day > 2.5 * weekend_day
    assert weekday_day > 2.5 * weekday_night


def test_shop_is_open_ten_to_nine_every_day() -> None:
    weekday_open = _mean_by(CONSUMER_CB, lambda d: d.weekday() < 5 and 10 <= d.hour < 21)
    weekend_open = _mean_by(CONSUMER_CB, lambda d: d.weekday() >= 5 and 10 <= d.hour < 21)
    closed = _mean_by(CONSUMER_CB, lambda d: d.hour >= 22 or d.hour < 8)
    assert weekday_open > 3 * closed
    assert 0.95 < weekend_open / weekday_open < 1.2


@pytest.mark.parametrize("site", DEMO_CONSUMERS, ids=lambda s: s.id)
def test_usage_is_positive_and_within_contract(site: Consumer) -> None:
    series = usage_series(site, OCT, MONTH, seed=4)
    assert all(type(wh) is int and 0 < wh <= site.max_interval_wh for wh in series)


@pytest.mark.parametrize("month", range(1, 13))
def test_renewables_cover_both_targets_but_not_wildly_more(month: int) -> None:
    start = jst(2026, month)
    made = {p.category: 0 for p in DEMO_PRODUCERS}
    for p in DEMO_PRODUCERS:
        made[p.category] += sum(generation_series(p, start, MONTH))
    renewable, fossil = made["renewable"], made["fossil"]
    usage = {c.id: sum(usage_series(c, start, MONTH)) for c in DEMO_CONSUMERS}
    needed = sum(c.renewable_target_pct * usage[c.id] for c in DEMO_CONSUMERS) / 100
    assert needed < renewable < 2 * needed
    assert renewable + fossil > sum(usage.values())  # every half hour of use can be covered


def test_targets_hold_for_most_seeds() -> None:
    ratios = []
    for seed in range(12):
        renewable = sum(sum(generation_series(p, OCT, MONTH, seed=seed)) for p in DEMO_PRODUCERS[:2])
        needed = sum(c.renewable_target_pct * sum(usage_series(c, OCT, MONTH, seed=seed)) / 100
                     for c in DEMO_CONSUMERS)
        ratios.append(renewable / needed)
    assert sum(1.0 < r < 2.0 for r in ratios) >= 10
    assert 1.1 < statistics.median(ratios) < 1.7


# --- bad input ---------------------------------------------------------------------------------------------


def test_unaligned_start_is_refused() -> None:
    with pytest.raises(errors.IntervalError, match=r"expected start to be a non-negative multiple of 1800 s, "
                                                    r"found 1000 \(1000 s past a boundary\)"):
        generation_series(PRODUCER_AA, 1000, 1)
    with pytest.raises(errors.IntervalError, match="found -1800"):
        usage_series(CONSUMER_CA, -1800, 1)


@pytest.mark.parametrize("start", [1800.0, True, "1800"])
def test_start_must_be_an_integer(start: object) -> None:
    with pytest.raises(errors.IntervalError, match="expected start as integer Unix seconds, found"):
        generation_series(PRODUCER_AA, start, 1)  # type: ignore[arg-type]


def test_interval_count_must_be_non_negative() -> None:
    expected = r"expected a non-negative integer number of intervals, found -1$"
    with pytest.raises(errors.IntervalError, match=expected):
        usage_series(CONSUMER_CA, OCT, -1)


def test_sites_must_be_of_the_right_kind() -> None:
    with pytest.raises(errors.SiteError, match="expected a Producer, found Consumer"):
        generation_series(CONSUMER_CA, OCT, 1)  # type: ignore[arg-type]
    with pytest.raises(errors.SiteError, match="expected a Consumer, found Producer"):
        usage_series(PRODUCER_AA, OCT, 1)  # type: ignore[arg-type]
    with pytest.raises(errors.Error):
        generation_series(CONSUMER_CA, OCT, 1)  # type: ignore[arg-type]
