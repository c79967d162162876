"""The consumer's allocations page: its own history only, paged; the renewable share per day (30 days) and per
half hour of a chosen day as inline SVG bars with the same figures in a table."""

from __future__ import annotations

import re

import httpx

from intermediary.models import Usage
from intermediary.portal.dates import day_of
from tests.helpers.intermediary_world import IntermediaryWorld
from tests.helpers.portal import portal_login

HALF_HOUR = 1800


def _history(pw: IntermediaryWorld) -> tuple[int, int]:
    """Ca: two days of half hours, the later day 3/4 renewable from 12:00 JST on; Cb: one interval, all renewable.
    Returns the first half hour of each of Ca's days."""
    now = pw.clock()
    today = now - (now + 9 * 3600) % 86_400  # 00:00 JST today
    days = (today - 2 * 86_400, today - 86_400)
    rows = []
    for d, first in enumerate(days):
        for i in range(48):
            renewable = 750 if d == 1 and i >= 24 else 0
            rows.append(Usage(consumer_id="Ca", start=first + i * HALF_HOUR, end=first + (i + 1) * HALF_HOUR,
                              wh=1_000, renewable_wh=renewable, fossil_wh=1_000 - renewable, unallocated_wh=0,
                              tx_id=None, status="allocated"))
    rows.append(Usage(consumer_id="Cb", start=days[1], end=days[1] + HALF_HOUR, wh=4_321, renewable_wh=4_321,
                      fossil_wh=0, unallocated_wh=0, tx_id=None, status="allocated"))
    with pw.service.db() as db:
        db.add_all(rows)
        db.commit()
    return days


def _as(pw: IntermediaryWorld, applicant: str) -> httpx.Client:
    http = pw.http()
    assert portal_login(http, applicant).status_code == 303
    return http


def test_the_charts_show_the_share_per_day_and_per_half_hour(pw: IntermediaryWorld) -> None:
    first, second = _history(pw)
    page = _as(pw, "ca").get("/portal/allocations")
    assert page.status_code == 200
    daily = page.text.split('id="daily-chart"')[1].split("</svg>")[0]
    assert re.findall(r'data-share="([^"]+)"', daily) == ["0.0", "37.5"]  # two days with usage, in order
    table = page.text.split('id="daily-table"')[1].split("</table>")[0]
    assert f"<th scope=\"row\">{day_of(second).strftime('%m-%d')}</th><td class=\"num\">37.5 %</td>" in table
    assert table.count("<tr>") == 31  # header + 30 days
    # the half-hour chart: the latest day with usage by default
    halves = page.text.split('id="halves-chart"')[1].split("</svg>")[0]
    assert re.findall(r'data-share="([^"]+)"', halves) == ["0.0"] * 24 + ["75.0"] * 24
    assert "12:00</th><td class=\"num\">75.0 %" in page.text
    earlier = _as(pw, "ca").get("/portal/allocations", params={"day": day_of(first).isoformat()})
    halves = earlier.text.split('id="halves-chart"')[1].split("</svg>")[0]
    assert re.findall(r'data-share="([^"]+)"', halves) == ["0.0"] * 48
    assert 'class="target"' in page.text  # the target line (Ca: 50 %)


def test_a_consumer_sees_only_its_own_allocations(pw: IntermediaryWorld) -> None:
    _history(pw)
    ca = _as(pw, "ca").get("/portal/allocations")
    cb = _as(pw, "cb").get("/portal/allocations")
    assert "4,321" not in ca.text and "4,321" in cb.text
    assert cb.text.split('id="history"')[1].split("</table>")[0].count("<tr>") == 2  # header + its one row
    history = ca.text.split('id="history"')[1].split("</table>")[0]
    assert history.count("<tr>") == 49  # header + a page of 48, newest first


def test_the_history_is_paged(pw: IntermediaryWorld) -> None:
    _history(pw)
    http = _as(pw, "ca")
    first = http.get("/portal/allocations")
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    second = http.get("/portal/allocations", params={"page": "2"})
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert second.text.split('id="history"')[1].count("<tr>") == 49
    empty = http.get("/portal/allocations", params={"page": "3"})
    assert empty.status_code == 200 and 'id="no-usage"' in empty.text


def test_a_wrong_day_or_page_is_a_clear_400_page(pw: IntermediaryWorld) -> None:
    http = _as(pw, "ca")
    for params in ({"day": "2026-02-30"}, {"day": "yesterday"}, {"page": "0"}, {"page": "-1"}, {"page": "x"}):
        response = http.get("/portal/allocations", params=params)
        assert response.status_code == 400 and 'data-error="bad_query"' in response.text, params


def test_no_usage_yet_says_so(pw: IntermediaryWorld) -> None:
    page = _as(pw, "ca").get("/portal/allocations", headers={"Accept-Language": "ja"})
    assert "まだ使用量の報告はありません" in page.text and "この日の使用量はありません" in page.text
