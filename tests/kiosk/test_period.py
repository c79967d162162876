"""S202/S207 for the manual flow: which rows a typed-in period covers (whole rows only, in the kiosk's zone)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kiosk.core.period import ManualRequest, day_start, pick_rows, previous_month
from tests.helpers.fake_intermediary import make_items

TZ = "Asia/Tokyo"


def request(first, last, method="solar"):
    return ManualRequest("demo", "secret", first, last, method, "jgca-green")


def test_bounds_run_from_midnight_to_midnight_after_the_last_day():
    start, end = request(date(2026, 10, 1), date(2026, 10, 31)).bounds(TZ)
    assert start == day_start(date(2026, 10, 1), TZ)
    assert end - start == 31 * 86_400
    assert "secret" not in repr(request(date(2026, 10, 1), date(2026, 10, 31))), "no password in logs"


def test_a_whole_month_covers_that_months_rows_of_the_method():
    items = make_items(9)  # Nov, Oct, Sep: solar, oil, wind each; row 4 (Oct oil) is certified
    pick = pick_rows(items, "solar", *request(date(2026, 10, 1), date(2026, 10, 31)).bounds(TZ))
    assert [i.item_id for i in pick.open] == ["item-0003"]
    assert (pick.issued, pick.partial) == ((), 0)


def test_a_wind_month_ends_at_midnight_on_the_first_of_the_next_month_and_is_still_covered():
    items = make_items(9)
    pick = pick_rows(items, "wind", *request(date(2026, 9, 1), date(2026, 10, 31)).bounds(TZ))
    assert [i.item_id for i in pick.open] == ["item-0005", "item-0008"]


def test_certified_rows_are_kept_apart_and_name_their_certificates():
    items = make_items(9)
    pick = pick_rows(items, "oil", *request(date(2026, 9, 1), date(2026, 10, 31)).bounds(TZ))
    assert [i.item_id for i in pick.open] == ["item-0007"]
    assert [i.item_id for i in pick.issued] == ["item-0004"]
    assert pick.certificate_ids == [items[4].certificate_id]


def test_a_period_cutting_a_month_covers_nothing_and_counts_the_partial_rows():
    pick = pick_rows(make_items(9), "solar", *request(date(2026, 10, 10), date(2026, 10, 20)).bounds(TZ))
    assert (pick.open, pick.issued, pick.partial) == ((), (), 1)


def test_two_rows_of_one_certificate_name_it_once():
    items = make_items(9, certified=(0, 3))
    items[3] = replace(items[3], certificate_id=items[0].certificate_id)
    pick = pick_rows(items, "solar", *request(date(2026, 10, 1), date(2026, 11, 30)).bounds(TZ))
    assert pick.certificate_ids == [items[0].certificate_id]


def test_the_default_period_is_the_previous_month():
    assert previous_month(date(2026, 11, 12)) == (date(2026, 10, 1), date(2026, 10, 31))
    assert previous_month(date(2026, 1, 1)) == (date(2025, 12, 1), date(2025, 12, 31))
