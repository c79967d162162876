"""Expiry one calendar month after provision (S65), clamped to the month's last day, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.rules.periods import _add_month_slow, add_month


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def test_examples() -> None:
    assert add_month(ts("2026-10-31T23:30:00")) == ts("2026-11-30T23:30:00")
    assert add_month(ts("2026-01-31T12:00:00")) == ts("2026-02-28T12:00:00")
    assert add_month(ts("2028-01-30T00:00:00")) == ts("2028-02-29T00:00:00")
    assert add_month(ts("2026-12-15T09:30:00")) == ts("2027-01-15T09:30:00")


@settings(max_examples=2000, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_the_per_day_cache_agrees_with_the_calendar(t: int) -> None:
    assert add_month(t) == _add_month_slow(t)
