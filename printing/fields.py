"""The rows of the certificate's field table (seed Fig. 24 plus EECS conventions), in both languages."""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.pdfbase.pdfmetrics import stringWidth

from ledger_lite.reference import short_reference
from printing.blocks import GREY, Text
from printing.document import CertificateDocument, format_amount_kwh, format_share
from printing.fonts import cjk_font_name
from printing.institutions import InstitutionFormat
from printing.words import (
    CATEGORY_WORDS,
    LABELS,
    METHOD_WORDS,
    format_date,
    format_period,
    word,
    zone_abbreviation,
    zone_of,
)

ID_SIZE = 9
REFERENCE_SIZE = 13  # the short reference people read out: the largest text of the row


@dataclass(frozen=True)
class Row:
    key: str  # a key of words.LABELS
    values: list[Text]
    # Drawn beside the first value, to its right (the time-matched part beside the amount: no extra height)
    aside: list[Text] = field(default_factory=list)


def certificate_id_lines(
    certificate_id: str, width: float, size: float = ID_SIZE, font: str | None = None
) -> list[str]:
    """The full id on one line, or two lines of 32 when it does not fit (reading.py joins them back)."""
    text = certificate_id.lower()
    if stringWidth(text, font or cjk_font_name(), size) <= width:
        return [text]
    return [text[:32], text[32:]]


def time_matched_text(doc: CertificateDocument, language: str) -> str:
    """``"of which time-matched 1.500 kWh (50.0 %)"`` (or the Japanese) for a document that states it."""
    matched = doc.time_matched_wh or 0
    return (word(LABELS, "time_matched", language).replace("{amount}", format_amount_kwh(matched))
            .replace("{share}", format_share(matched, doc.amount_wh)))


def field_rows(doc: CertificateDocument, fmt: InstitutionFormat, value_width: float) -> list[Row]:
    """Every field of the certificate, in the order of the format's ``layout.fields``."""
    primary, other = fmt.language, fmt.other_language
    zone = zone_of(doc.time_zone)  # the site's zone, the same on every layout (issue #10, item 13)

    def pair(table: dict[str, tuple[str, str]], key: str) -> list[Text]:
        return [Text(word(table, key, primary), 11, primary), Text(word(table, key, other), 7.5, other, GREY)]

    # The short reference, big, above the full id it abbreviates (issue #10, item 11; reading.py finds both).
    reference = f"{word(LABELS, 'reference', primary)} {short_reference(doc.certificate_id.lower())}"
    ids = [Text(reference, REFERENCE_SIZE, primary)] + [
        Text(line, ID_SIZE, "en") for line in certificate_id_lines(doc.certificate_id, value_width)
    ]
    if primary == "ja":
        anchor = f"チェーン {doc.chain_id} / ブロック高 {doc.block_height}"
        anchor_other = f"chain {doc.chain_id}, block {doc.block_height}"
    else:
        anchor = f"chain {doc.chain_id}, block {doc.block_height}"
        anchor_other = f"チェーン {doc.chain_id} / ブロック高 {doc.block_height}"
    period = format_period(doc.period_start, doc.period_end, zone, primary)
    matched = [] if doc.time_matched_wh is None else [  # issue 15: the time-matched part, in both languages
        Text(time_matched_text(doc, primary), 8.5, primary), Text(time_matched_text(doc, other), 7, other, GREY)]
    rows = [
        Row("amount", [Text(format_amount_kwh(doc.amount_wh), 18, "en")], matched),
        Row("period", [Text(period, 11, primary)]),
        Row("method", pair(METHOD_WORDS, doc.production_method)),
        Row("category", pair(CATEGORY_WORDS, doc.category)),
        Row("owner", [Text(doc.owner, 11, primary)]),
        Row("issued", [Text(f"{format_date(doc.issued_at, zone, primary)} ({zone_abbreviation(doc.issued_at, zone)})",
                            11, primary)]),
        Row("issuer", [Text(fmt.name(primary), 11, primary), Text(fmt.name(other), 7.5, other, GREY)]),
        Row("certificate_id", ids),
        Row("anchor", [Text(anchor, 9, primary), Text(anchor_other, 7, other, GREY)]),
    ]
    by_key = {row.key: row for row in rows}
    return [by_key[key] for key in fmt.layout.fields]  # the loader checked: each key exactly once
