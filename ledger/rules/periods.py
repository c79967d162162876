"""Integer time arithmetic for the rules (UTC, no wall clock)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

DAY = 86400


_MONTH_AFTER_DAY: dict[int, int] = {}  # UTC day number → seconds to add (the same for every time in that day)


def add_month(ts: int) -> int:
    """The same day and time one calendar month later (clamped to the month's last day), in UTC."""
    day = ts // DAY
    shift = _MONTH_AFTER_DAY.get(day)
    if shift is None:
        shift = _MONTH_AFTER_DAY[day] = _add_month_slow(day * DAY) - day * DAY
    return ts + shift


def _add_month_slow(ts: int) -> int:
    d = datetime.fromtimestamp(ts, UTC)
    year, month = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    day = min(d.day, calendar.monthrange(year, month)[1])
    return int(d.replace(year=year, month=month, day=day).timestamp())
