"""What a row of the eligible list says beyond its cells (issue #10, item 9): its period as a disjoint span, why
the list ends where it does, and how much of one certificate a selection uses (no Qt here).

Periods. A row's ``period_end`` is exclusive, so the last day shown is the day of ``period_end − 1 s``, in the
site's time zone. Rows are cut at midnight wherever possible (``ledger_lite.certificate.split_group``); only a day
of more than 900 allocations is cut inside the day, and then two rows of one method and month share that day.
Only there are clock times needed, and only at the shared end: a row shows its start time when its first day is
the last day of another row of its method and month, and its end time when its last day is the first day of
another one ("2026-11-01 – 2026-11-10 13:30" and "2026-11-10 13:30 – 2026-11-15"). Whether a time is 00:00 says
nothing (solar rows never start at 00:00), so it is never the test.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from kiosk.core.language import Language
from kiosk.core.selection import MAX_ALLOCATIONS, RowLike, allocations_of
from kiosk.i18n import tr


class PeriodRow(Protocol):
    @property
    def item_id(self) -> str: ...

    @property
    def period_start(self) -> int: ...

    @property
    def period_end(self) -> int: ...

    @property
    def production_method(self) -> str: ...


@dataclass(frozen=True)
class Clock:
    """Which ends of a period show their time of day."""

    start: bool = False
    end: bool = False


NO_TIMES = Clock()


def _zone(timezone: str | None) -> tzinfo | None:
    return ZoneInfo(timezone) if timezone else None


def first_day(start: int, zone: tzinfo | None) -> date:
    return datetime.fromtimestamp(start, zone).date()


def last_day(start: int, end: int, zone: tzinfo | None) -> date:
    """The day of the period's last second: ``end`` is exclusive."""
    return datetime.fromtimestamp(max(start, end - 1), zone).date()


def clocks(rows: Iterable[PeriodRow], timezone: str | None) -> dict[str, Clock]:
    """item id → the ends of its period that need a time: those on a day shared with another row of the same
    production method and month (a day that had to be split)."""
    zone = _zone(timezone)
    groups: dict[tuple[str, int, int], list[tuple[str, date, date]]] = defaultdict(list)
    for row in rows:
        first = first_day(row.period_start, zone)
        groups[(row.production_method, first.year, first.month)].append(
            (row.item_id, first, last_day(row.period_start, row.period_end, zone)))
    found: dict[str, Clock] = {}
    for members in groups.values():
        for item_id, first, last in members:
            others = [(f, la) for i, f, la in members if i != item_id]
            start = any(first == other_last for _, other_last in others)
            end = any(last == other_first for other_first, _ in others)
            if start or end:
                found[item_id] = Clock(start, end)
    return found


def _date(day: date, lang: Language, *, with_year: bool = True) -> str:
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日" if with_year else f"{day.month}月{day.day}日"
    return day.isoformat()


def row_period(start: int, end: int, timezone: str | None, lang: Language, clock: Clock = NO_TIMES) -> str:
    """``[start, end)`` as dates, with the times ``clock`` asks for: '2026-11-01 – 2026-11-10 13:30' /
    '2026年11月1日～11月10日 13:30'; one day: '2026-11-12', or with a time at either end both times,
    '2026-11-10 13:30–18:00' / '2026年11月10日 13:30～18:00'."""
    zone = _zone(timezone)
    a, b = datetime.fromtimestamp(start, zone), datetime.fromtimestamp(max(start, end), zone)
    first, last = a.date(), last_day(start, end, zone)
    until = "24:00" if b.time() == time(0, 0) and b.date() != first else f"{b:%H:%M}"
    dash = "～" if lang == "ja" else "–"
    if first == last:
        if not (clock.start or clock.end):
            return _date(first, lang)
        return f"{_date(first, lang)} {a:%H:%M}{dash}{until}"
    head = _date(first, lang) + (f" {a:%H:%M}" if clock.start else "")
    tail = _date(last, lang, with_year=lang != "ja" or last.year != first.year) + (f" {until}" if clock.end else "")
    return f"{head}{dash}{tail}" if lang == "ja" else f"{head} – {tail}"


def span_clock(selected: Sequence[PeriodRow], rows: Iterable[PeriodRow], timezone: str | None) -> Clock:
    """The times the period of ``selected`` (first start to last end) needs: at an end whose row shares its
    day with another row of the list (``rows``)."""
    first = min(selected, key=lambda r: r.period_start)
    last = max(selected, key=lambda r: r.period_end)
    found = clocks(rows, timezone)
    return Clock(found.get(first.item_id, NO_TIMES).start, found.get(last.item_id, NO_TIMES).end)


def span_period(selected: Sequence[PeriodRow], rows: Iterable[PeriodRow], timezone: str | None,
                lang: Language) -> str:
    """The period a selection covers, with the times ``span_clock`` asks for."""
    start = min(r.period_start for r in selected)
    end = max(r.period_end for r in selected)
    return row_period(start, end, timezone, lang, span_clock(selected, rows, timezone))


def as_of_text(rows: Iterable[object], timezone: str | None, lang: Language) -> str:
    """"Allocations up to 15 Nov 18:00 (JST)": the end of the newest allocation the list considered (every row
    carries the list's ``as_of``); "" when the server does not say."""
    stamps = [getattr(row, "as_of", None) for row in rows]
    known = [s for s in stamps if isinstance(s, int) and not isinstance(s, bool)]
    if not known:
        return ""
    when = datetime.fromtimestamp(max(known), _zone(timezone))
    months = tr(lang, "date.months_short").split(",")
    return tr(lang, "list.as_of", month=months[when.month - 1], day=when.day, time=f"{when:%H:%M}",
              zone=when.tzname() or "")


def capacity_text(selected: Sequence[RowLike], all_rows: Iterable[RowLike], used_rows: int, row_limit: int,
                  lang: Language) -> str:
    """How much of one certificate the selection uses: in allocations when every row says how many it holds
    ("720 of 900 half-hour allocations in this certificate"), else in rows, as an older server allows."""
    if all(isinstance(getattr(row, "allocations", None), int) for row in all_rows):
        used = sum(allocations_of(row) for row in selected)
        return tr(lang, "list.capacity_allocations", used=f"{used:,}", limit=f"{MAX_ALLOCATIONS:,}")
    return tr(lang, "list.capacity", used=used_rows, limit=row_limit)
