"""Every text the kiosk shows, in Japanese and English, plus locale-aware formatting.

Widget code never holds a literal string: it asks ``tr(lang, message_id, **params)``. The table is plain
Python so that it can be checked by a test (both languages present, same ``{placeholders}``) and later be
generated into Qt ``.ts`` files without touching the screens.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

from kiosk.messages import MESSAGES

Language = Literal["ja", "en"]
LANGUAGES: tuple[Language, ...] = ("ja", "en")



def tr(lang: Language, message_id: str, **params: object) -> str:
    """The text of ``message_id`` in ``lang`` with ``params`` filled in; a missing id is a bug (KeyError)."""
    text = MESSAGES[message_id][lang]
    return text.format(**params) if params else text


def other_language(lang: Language) -> Language:
    return "en" if lang == "ja" else "ja"


def method_name(lang: Language, method: str) -> str:
    """A production method in words; an unknown code is shown as it came, never hidden."""
    key = f"method.{method.lower()}"
    return tr(lang, key) if key in MESSAGES else method


def format_kwh(amount_wh: int) -> str:
    """Integer Wh as kWh with three decimals and thousands separators, no floats: 1234567 → '1,234.567'."""
    sign = "-" if amount_wh < 0 else ""
    whole, frac = divmod(abs(amount_wh), 1000)
    return f"{sign}{whole:,}.{frac:03d}"


def _zone(timezone: str | None) -> tzinfo | None:
    return ZoneInfo(timezone) if timezone else None


def _ja_date(day: date, *, with_year: bool = True) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if with_year else f"{day.month}月{day.day}日"


def format_period(start: int, end: int, timezone: str | None = None, lang: Language = "en") -> str:
    """A period ``[start, end)`` (Unix seconds) as a person reads it, in ``timezone`` (IANA name; None = the
    machine's local time).

    Within one day, the date and the times: '2024-04-01 10:00–10:30' / '2024年4月1日 10:00～10:30'.
    Over several days, the dates only: '2026-11-01 – 2026-11-11' / '2026年11月1日～11月11日'.
    The end is exclusive: a period ending at 00:00 ends the day before (shown as '24:00' within a day).
    """
    zone = _zone(timezone)
    a = datetime.fromtimestamp(start, zone)
    b = datetime.fromtimestamp(max(start, end), zone)
    ends_at_midnight = b > a and b.time() == time(0, 0)
    last_day = b.date() - timedelta(days=1) if ends_at_midnight else b.date()
    if last_day == a.date():
        until = "24:00" if ends_at_midnight else f"{b:%H:%M}"
        if lang == "ja":
            return f"{_ja_date(a.date())} {a:%H:%M}～{until}"
        return f"{a:%Y-%m-%d %H:%M}–{until}"
    if lang == "ja":
        return f"{_ja_date(a.date())}～{_ja_date(last_day, with_year=last_day.year != a.year)}"
    return f"{a:%Y-%m-%d} – {last_day:%Y-%m-%d}"


def format_date(day: date, lang: Language) -> str:
    """'2026-01-31' / '2026年1月31日'."""
    return tr(lang, "date.format", year=day.year, month=day.month, day=day.day)


def month_title(year: int, month: int, lang: Language) -> str:
    """'January 2026' / '2026年 1月'."""
    return tr(lang, "date.month", year=year, month=tr(lang, "date.months").split(",")[month - 1])


def weekday_names(lang: Language) -> list[str]:
    """Sunday first, as Japanese calendars are laid out."""
    return tr(lang, "date.weekdays").split(",")


def format_duration(seconds: float, lang: Language) -> str:
    """'45 s' / '2 min' (whole minutes from a minute up) for the idle timeout choices."""
    if seconds < 60 or seconds % 60:
        return tr(lang, "settings.seconds", count=f"{seconds:g}")
    return tr(lang, "settings.minutes", count=int(seconds // 60))


def format_day(timestamp: int, timezone: str | None, lang: Language) -> str:
    """The calendar day of ``timestamp`` in ``timezone`` (None: the machine's local time)."""
    return format_date(datetime.fromtimestamp(timestamp, _zone(timezone)).date(), lang)
