"""Bilingual words and date formats printed on certificates (labels of seed Fig. 24)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

METHOD_WORDS: dict[str, tuple[str, str]] = {  # (ja, en)
    "solar": ("太陽光", "Solar"),
    "wind": ("風力", "Wind"),
    "hydro": ("水力", "Hydro"),
    "biomass": ("バイオマス", "Biomass"),
    "geothermal": ("地熱", "Geothermal"),
    "oil": ("石油", "Oil"),
    "coal": ("石炭", "Coal"),
    "lng": ("液化天然ガス (LNG)", "Liquefied natural gas (LNG)"),
    "nuclear": ("原子力", "Nuclear"),
}

CATEGORY_WORDS: dict[str, tuple[str, str]] = {
    "renewable": ("再生可能エネルギー", "Renewable"),
    "fossil": ("化石燃料", "Fossil"),
    "nuclear": ("原子力", "Nuclear"),
}

LABELS: dict[str, tuple[str, str]] = {
    "amount": ("発電量", "Amount"),
    "period": ("発電期間", "Generation period"),
    "method": ("発電方法", "Production method"),
    "category": ("電源区分", "Category"),
    "owner": ("所有者", "Owner"),
    "issued": ("発行日", "Issue date"),
    "issuer": ("発行機関", "Issuing institution"),
    "certificate_id": ("証明書番号", "Certificate ID"),
    "anchor": ("台帳記録", "Ledger anchor"),
    "profile": ("{span}ごとの発電量", "Production per {span}"),  # one bar of the chart is {span}
    "times": ("時刻は {zone}", "Times in {zone}"),
    "reference": ("参照番号", "Reference"),
    # issue 15: how much of the amount was generated in the half hour it was used in
    "time_matched": ("うち時間一致 {amount}（{share}）", "of which time-matched {amount} ({share})"),
    "no_profile": ("30分毎の内訳はありません", "No half-hourly breakdown"),
    "reprint": ("再発行", "REPRINT"),
    "scan": ("QRコードで真正性を確認できます", "Scan to verify this certificate"),
}

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def word(table: dict[str, tuple[str, str]], key: str, language: str) -> str:
    ja, en = table[key]
    return ja if language == "ja" else en


def bilingual(table: dict[str, tuple[str, str]], key: str, primary: str) -> str:
    """``"発電方法 / Production method"`` with the primary language first."""
    ja, en = table[key]
    return f"{ja} / {en}" if primary == "ja" else f"{en} / {ja}"


def zone_of(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (e.g. ``"Asia/Tokyo"``); ``ZoneInfoNotFoundError``/``ValueError`` if unknown."""
    return ZoneInfo(name)


def local_time(unix_seconds: int, zone: tzinfo) -> datetime:
    return datetime.fromtimestamp(unix_seconds, tz=zone)


def zone_label(unix_seconds: int, zone: tzinfo) -> str:
    """``"JST (UTC+9)"``, ``"IST (UTC+5:30)"``, ``"UTC"``: the zone's name and offset at that time."""
    t = local_time(unix_seconds, zone)
    offset = t.utcoffset()
    minutes = int(offset.total_seconds()) // 60 if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    utc = "UTC" if minutes == 0 else f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    name = t.tzname() or ""
    if not name or name[0] in "+-" or name == utc or name == "UTC":
        return utc
    return f"{name} ({utc})"


def zone_abbreviation(unix_seconds: int, zone: tzinfo) -> str:
    """``"JST"`` (or ``"UTC+9"`` for a zone without an abbreviation): what follows each printed date."""
    return zone_label(unix_seconds, zone).split(" (")[0]


def format_date(unix_seconds: int, zone: tzinfo, language: str) -> str:
    """``2024年4月1日`` / ``1 Apr 2024``."""
    t = local_time(unix_seconds, zone)
    if language == "ja":
        return f"{t.year}年{t.month}月{t.day}日"
    return f"{t.day} {_EN_MONTHS[t.month - 1]} {t.year}"


def format_datetime(unix_seconds: int, zone: tzinfo, language: str) -> str:
    t = local_time(unix_seconds, zone)
    return f"{format_date(unix_seconds, zone, language)} {t.hour:02d}:{t.minute:02d}"


def format_period(start: int, end: int, zone: tzinfo, language: str) -> str:
    """``2024年4月1日 00:00 〜 2024年5月1日 00:00 (JST)``; the end is exclusive (a half-hour boundary)."""
    dash = " 〜 " if language == "ja" else " – "
    return (
        format_datetime(start, zone, language)
        + dash
        + format_datetime(end, zone, language)
        + f" ({zone_abbreviation(start, zone)})"
    )
