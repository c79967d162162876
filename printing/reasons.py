"""IPP ``printer-state-reasons`` keywords (RFC 8011 §5.4.12, PWG 5100.9, CUPS) in words a kiosk user reads.

A keyword may carry a severity suffix: ``media-empty-error``, ``toner-low-warning``, ``cups-…-report``.
Errors are listed first, reports (informational) are left out, and keywords we have no words for are shown
as they are, with spaces for hyphens, rather than dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

SEVERITIES = ("error", "warning", "report")

# keyword (without suffix) → (English, Japanese)
WORDS: dict[str, tuple[str, str]] = {
    "media-empty": ("out of paper", "用紙切れ"),
    "media-needed": ("paper needs to be loaded", "用紙の補給が必要"),
    "media-low": ("paper running low", "用紙残量わずか"),
    "media-jam": ("paper jam", "紙詰まり"),
    "toner-empty": ("out of toner", "トナー切れ"),
    "toner-low": ("toner low", "トナー残量わずか"),
    "marker-supply-empty": ("out of ink or toner", "インク・トナー切れ"),
    "marker-supply-low": ("ink or toner low", "インク・トナー残量わずか"),
    "marker-waste-full": ("waste toner container full", "廃トナーボックスが満杯"),
    "marker-waste-almost-full": ("waste toner container almost full", "廃トナーボックスがほぼ満杯"),
    "developer-empty": ("developer empty", "現像剤切れ"),
    "developer-low": ("developer low", "現像剤残量わずか"),
    "opc-life-over": ("drum unit worn out", "ドラムユニットの寿命"),
    "opc-near-eol": ("drum unit nearly worn out", "ドラムユニットの寿命が近い"),
    "fuser-over-temp": ("fuser overheated", "定着器の過熱"),
    "fuser-under-temp": ("fuser warming up", "定着器の予熱中"),
    "door-open": ("a door is open", "扉が開いている"),
    "cover-open": ("a cover is open", "カバーが開いている"),
    "interlock-open": ("a cover is open", "カバーが開いている"),
    "input-tray-missing": ("paper tray missing", "給紙トレイが外れている"),
    "output-tray-missing": ("output tray missing", "排紙トレイが外れている"),
    "output-area-full": ("output tray full", "排紙トレイが満杯"),
    "output-area-almost-full": ("output tray almost full", "排紙トレイがほぼ満杯"),
    "offline": ("printer offline", "プリンターがオフライン"),
    "shutdown": ("printer switched off", "プリンターの電源が切れている"),
    "timed-out": ("printer not responding", "プリンターが応答しない"),
    "connecting-to-device": ("connecting to the printer", "プリンターに接続中"),
    "paused": ("paused", "一時停止中"),
    "moving-to-paused": ("pausing", "一時停止処理中"),
    "stopping": ("stopping", "停止処理中"),
    "stopped-partly": ("partly stopped", "一部停止中"),
    "spool-area-full": ("print queue storage full", "印刷待ち領域が満杯"),
    "cups-missing-filter": ("printer driver missing", "プリンタードライバーがない"),
    "cups-insecure-filter": ("printer driver refused as insecure", "プリンタードライバーが安全でないため使えない"),
    "cups-waiting-for-job-completed": ("finishing the previous job", "前のジョブを処理中"),
    "other": ("other problem", "その他の問題"),
}


def split(keyword: str) -> tuple[str, str]:
    """``"media-empty-error"`` → ``("media-empty", "error")``; no suffix counts as an error (RFC 8011)."""
    for severity in SEVERITIES:
        if keyword.endswith(f"-{severity}"):
            return keyword[: -len(severity) - 1], severity
    return keyword, "error"


def describe(keywords: Iterable[str], language: str) -> list[str]:
    """Words for each reason worth telling a person, errors before warnings, without repeats."""
    ranked: list[tuple[int, int, str]] = []
    for index, keyword in enumerate(keywords):
        if not keyword or keyword == "none":
            continue
        base, severity = split(keyword)
        if severity == "report":
            continue
        en, ja = WORDS.get(base, (base.replace("-", " "), base.replace("-", " ")))
        ranked.append((SEVERITIES.index(severity), index, ja if language == "ja" else en))
    words: list[str] = []
    for _, _, text in sorted(ranked):
        if text not in words:
            words.append(text)
    return words


# What a queue passes through while it works; not worth telling someone whose certificate just printed.
TRANSIENT = frozenset(
    {"connecting-to-device", "cups-waiting-for-job-completed", "moving-to-paused", "stopping", "paused"}
)


def attention(keywords: Iterable[str], language: str) -> list[str]:
    """:func:`describe` without the transient reasons: what someone should know (e.g. toner low)."""
    return describe((k for k in keywords if split(k)[0] not in TRANSIENT), language)


def joined(words: list[str], language: str) -> str:
    return ("、" if language == "ja" else ", ").join(words)
