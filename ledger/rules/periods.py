"""Integer time arithmetic for the rules (UTC, no wall clock)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

HALF_HOUR = 1800
DAY = 86400


def add_month(ts: int) -> int:
    """The same day and time one calendar month later (clamped to the month's last day), in UTC."""
    d = datetime.fromtimestamp(ts, UTC)
    year, month = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    day = min(d.day, calendar.monthrange(year, month)[1])
    return int(d.replace(year=year, month=month, day=day).timestamp())
