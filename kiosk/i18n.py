"""Every text the kiosk shows, in Japanese and English, plus locale-aware formatting.

The texts live in Qt Linguist files (``resources/translations/greencert_{ja,en}.ts``, compiled to ``.qm``);
this module is a thin layer over ``QTranslator``: one translator per language, loaded on first use, asked with
the context ``kiosk`` and the message id as source text. Widget code never holds a literal string: it asks
``tr(lang, message_id, **params)``; ``{placeholders}`` are filled with ``str.format``.

Why message ids, not English, as source texts: a change of English wording must not orphan the Japanese
translation, the same English word may need two Japanese ones ("Back" on a screen vs. the list's "Back to
sign-in"), and the tests and the screens' code name texts by a stable id.

Both languages are loaded side by side (the error screen prepares both, the printing messages come in both),
and each kiosk window has its own language, so the translators are not installed application-wide: a window
announces a change with ``announce_language``, which sets its ``kioskLanguage`` property and sends it a
``QEvent.LanguageChange``; Qt passes the event on to every child widget, and every screen and overlay answers
it by reading the window's language (``language_of``) and calling its ``retranslate()``. (An application-wide
``installTranslator`` sends the same event, and the screens simply keep their window's language.)
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kiosk.core.language import LANGUAGES, Language
from kiosk.core.messages import CONTEXT, KNOWN_IDS
from kiosk.core.verify_messages import CATALOGUE as VERIFY_CATALOGUE
from kiosk.core.verify_messages import VERIFY_MESSAGE_IDS

if TYPE_CHECKING:
    from PySide6.QtCore import QTranslator
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QWidget

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"
LANGUAGE_PROPERTY = "kioskLanguage"  # the window's current language, read by its screens on LanguageChange
# One family for Latin and Japanese (each has both scripts), the first one installed is used for every text;
# Debian: fonts-noto-cjk, fonts-ipaexfont-gothic, fonts-ipafont-gothic.
FONT_FAMILIES = ("Noto Sans CJK JP", "IPAexGothic", "IPAGothic")
BASE_FONT_PX = 20


MAIN_CATALOGUE = "greencert"
_VERIFY_IDS = frozenset(VERIFY_MESSAGE_IDS)


def qm_path(lang: Language, directory: Path = TRANSLATIONS_DIR, catalogue: str = MAIN_CATALOGUE) -> Path:
    return directory / f"{catalogue}_{lang}.qm"


@functools.cache
def translator(lang: Language, catalogue: str = MAIN_CATALOGUE) -> QTranslator:
    """The loaded translator of ``lang`` (raises ``FileNotFoundError`` naming the missing ``.qm`` file):
    the kiosk's main catalogue, or ``kiosk.core.verify_messages.CATALOGUE`` (the auditor's mode)."""
    from PySide6.QtCore import QTranslator

    if lang not in LANGUAGES:
        raise ValueError(f"expected a language among {LANGUAGES}, found {lang!r}")
    path = qm_path(lang, catalogue=catalogue)
    loaded = QTranslator()
    if not loaded.load(str(path)):
        raise FileNotFoundError(f"kiosk translations for {lang!r}: expected a compiled Qt translation file at "
                                f"{path} (run pyside6-lrelease on the .ts files)")
    return loaded


def tr(lang: Language, message_id: str, **params: object) -> str:
    """The text of ``message_id`` in ``lang`` with ``params`` filled in; a missing id is a bug (KeyError)."""
    catalogue = VERIFY_CATALOGUE if message_id in _VERIFY_IDS else MAIN_CATALOGUE
    text = translator(lang, catalogue).translate(CONTEXT, message_id)
    if not text:
        raise KeyError(f"no {lang} text for message id {message_id!r} in {qm_path(lang, catalogue=catalogue)}")
    return text.format(**params) if params else text


def kiosk_font_family(installed: list[str] | None = None) -> str | None:
    """The first of ``FONT_FAMILIES`` that is installed (``installed``: the font database's families)."""
    if installed is None:
        from PySide6.QtGui import QFontDatabase

        installed = QFontDatabase.families()
    return next((family for family in FONT_FAMILIES if family in installed), None)


def kiosk_font() -> QFont:
    """The kiosk's font: ONE family for Latin and Japanese, so an English word beside a Japanese one does not
    fall back to another face. Set with ``setFamily`` (not ``setFamilies``): a style sheet that sets a size
    rebuilds each widget's font and keeps only a resolved single family (a families list was lost)."""
    from PySide6.QtGui import QFont

    font = QFont()
    family = kiosk_font_family()
    if family is not None:
        font.setFamily(family)
    font.setPixelSize(BASE_FONT_PX)
    return font


def has_message(message_id: str) -> bool:
    """Whether the catalogue knows ``message_id`` (e.g. a production method or a printer state reason)."""
    return message_id in KNOWN_IDS


def language_of(widget: QWidget, default: Language) -> Language:
    """The language of ``widget``'s window (``default`` when the widget is not in a kiosk window)."""
    value = widget.window().property(LANGUAGE_PROPERTY)
    return value if value in LANGUAGES else default


def announce_language(window: QWidget, lang: Language) -> None:
    """Switch ``window`` and every screen in it to ``lang``: a ``QEvent.LanguageChange`` reaches each widget."""
    from PySide6.QtCore import QCoreApplication, QEvent

    window.setProperty(LANGUAGE_PROPERTY, lang)
    QCoreApplication.sendEvent(window, QEvent(QEvent.Type.LanguageChange))


def method_name(lang: Language, method: str) -> str:
    """A production method in words; an unknown code is shown as it came, never hidden."""
    key = f"method.{method.lower()}"
    return tr(lang, key) if has_message(key) else method


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
