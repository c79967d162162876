"""Bilingual words and date formats printed on certificates (labels of seed Fig. 24)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

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
    "profile": ("30分毎の発電量", "Half-hourly production"),
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


def local_time(unix_seconds: int, utc_offset_minutes: int) -> datetime:
    zone = UTC if utc_offset_minutes == 0 else timezone(timedelta(minutes=utc_offset_minutes))
    return datetime.fromtimestamp(unix_seconds, tz=zone)


def format_date(unix_seconds: int, utc_offset_minutes: int, language: str) -> str:
    """``2024年4月1日`` / ``1 Apr 2024``."""
    t = local_time(unix_seconds, utc_offset_minutes)
    if language == "ja":
        return f"{t.year}年{t.month}月{t.day}日"
    return f"{t.day} {_EN_MONTHS[t.month - 1]} {t.year}"


def format_datetime(unix_seconds: int, utc_offset_minutes: int, language: str) -> str:
    t = local_time(unix_seconds, utc_offset_minutes)
    return f"{format_date(unix_seconds, utc_offset_minutes, language)} {t.hour:02d}:{t.minute:02d}"


def format_period(start: int, end: int, utc_offset_minutes: int, zone_label: str, language: str) -> str:
    """``2024年4月1日 00:00 〜 2024年5月1日 00:00 (JST)``; the end is exclusive (a half-hour boundary)."""
    dash = " 〜 " if language == "ja" else " – "
    return (
        format_datetime(start, utc_offset_minutes, language)
        + dash
        + format_datetime(end, utc_offset_minutes, language)
        + f" ({zone_label})"
    )
