"""Dates as the portal shows and reads them: Japan time (JST, UTC+9, no daylight saving), days as Unix times.

A period of use from date S to date E (both inclusive, as the form shows them) is stored as
``[day_start(S), day_start(E + 1 day))``: start inclusive, end exclusive, like every period in the system.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")
DAY_S = 24 * 3600


def day_start(day: date) -> int:
    """The Unix time of 00:00 JST on ``day``."""
    return int(datetime(day.year, day.month, day.day, tzinfo=JST).timestamp())


def day_of(unix: int) -> date:
    """The JST date of a Unix time."""
    return datetime.fromtimestamp(unix, JST).date()


def clock(unix: int) -> str:
    """``2026-04-01 13:30`` (JST)."""
    return datetime.fromtimestamp(unix, JST).strftime("%Y-%m-%d %H:%M")


def period_dates(start: int | None, end: int | None) -> tuple[date | None, date | None]:
    """The form's first and last dates of a stored period (end exclusive)."""
    return (day_of(start) if start is not None else None,
            day_of(end - 1) if end is not None else None)
