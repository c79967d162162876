"""The demo's sites (seed Fig. 9A, 9B, 10A)."""

from __future__ import annotations

import dataclasses

import pytest

from field import errors
from field.sites import (
    CONSUMER_CA,
    CONSUMER_CB,
    DEMO_CONSUMERS,
    DEMO_PRODUCERS,
    METHOD_CATEGORY,
    METHOD_NAMES,
    PRODUCER_AA,
    Consumer,
    Producer,
    consumer,
    max_interval_wh,
    producer,
)


def test_demo_producers_are_solar_wind_and_oil() -> None:
    by_id = {p.id: p for p in DEMO_PRODUCERS}
    assert sorted(by_id) == ["Aa", "Ab", "Aw"]
    assert (by_id["Aa"].method, by_id["Aa"].category) == ("solar", "renewable")
    assert (by_id["Aw"].method, by_id["Aw"].category) == ("wind", "renewable")
    assert (by_id["Ab"].method, by_id["Ab"].category) == ("oil", "fossil")
    assert by_id["Aa"].name_en == "Producer Aa" and by_id["Ab"].name_en == "Producer Ab"
    assert by_id["Aw"].name_en == "Wind Farm Aw"
    assert all(p.name_ja and p.capacity_w > 0 for p in DEMO_PRODUCERS)
    assert (by_id["Aa"].latitude, by_id["Aa"].longitude) == (35.68, 139.69)  # near Tokyo


def test_demo_consumers_have_targets_and_selectable_providers() -> None:
    assert [c.id for c in DEMO_CONSUMERS] == ["Ca", "Cb"]
    assert CONSUMER_CA.name_en == "Consumer Ca" and CONSUMER_CA.renewable_target_pct == 40
    assert CONSUMER_CA.profile == "office"
    assert CONSUMER_CB.name_en == "Consumer Cb" and CONSUMER_CB.renewable_target_pct == 70
    assert CONSUMER_CB.profile == "shop"
    producer_ids = {p.id for p in DEMO_PRODUCERS}
    for site in DEMO_CONSUMERS:
        assert site.providers == ("Aa", "Aw", "Ab")
        assert set(site.providers) <= producer_ids


def test_sites_have_distinct_ids_and_carry_no_key_material() -> None:
    sites: list[Producer | Consumer] = [*DEMO_PRODUCERS, *DEMO_CONSUMERS]
    assert len({s.id for s in sites}) == len(sites)
    for site in sites:  # a meter's key is the installation's secret, never derivable from a site's public data
        assert not any("key" in f.name for f in dataclasses.fields(site))


def test_method_tables_cover_the_demo() -> None:
    for site in DEMO_PRODUCERS:
        assert METHOD_CATEGORY[site.method] == site.category
        assert METHOD_NAMES[site.method][1]  # a Japanese name


def test_interval_bound_is_capacity_times_half_an_hour() -> None:
    assert max_interval_wh(500_000) == 250_000
    assert PRODUCER_AA.max_interval_wh == 250_000
    assert CONSUMER_CA.max_interval_wh == CONSUMER_CA.capacity_w // 2


def test_sites_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PRODUCER_AA.capacity_w = 1  # type: ignore[misc]


def test_lookup_by_id() -> None:
    assert producer("Aw").name_en == "Wind Farm Aw"
    assert consumer("Cb") is CONSUMER_CB
    with pytest.raises(errors.SiteError, match=r"expected a producer id in \['Aa', 'Aw', 'Ab'\], found 'Ca'"):
        producer("Ca")
    with pytest.raises(errors.SiteError, match=r"expected a consumer id .* found 'Zz'"):
        consumer("Zz")


def test_category_must_match_method() -> None:
    expected = "expected category 'renewable' for method 'solar', found 'fossil'"
    with pytest.raises(errors.SiteError, match=expected):
        dataclasses.replace(PRODUCER_AA, category="fossil")


@pytest.mark.parametrize("capacity", [0, -5, True])
def test_capacity_must_be_a_positive_integer(capacity: int) -> None:
    with pytest.raises(errors.SiteError, match="expected a positive integer capacity_w, found"):
        dataclasses.replace(PRODUCER_AA, capacity_w=capacity)


def test_target_must_be_a_percentage() -> None:
    with pytest.raises(errors.SiteError, match="expected a renewable target of 0–100 %, found 140"):
        dataclasses.replace(CONSUMER_CA, renewable_target_pct=140)


def test_errors_share_the_package_base() -> None:
    assert issubclass(errors.SiteError, errors.Error)
    assert issubclass(errors.IntervalError, errors.Error)
    assert issubclass(errors.ReadingError, errors.Error)
