"""The data printed on a production-method certificate (seed Fig. 24, S212a) and its checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfoNotFoundError

from ledger_lite.certificate import category_of
from printing.errors import RenderError
from printing.words import METHOD_WORDS, zone_of

# Production method → category (DESIGN "The certificate"; EECS/I-REC energy-source classes): the methods a
# certificate can be printed for (they have words), in the ledger's categories.
METHOD_CATEGORY: dict[str, str] = {method: category_of(method) for method in METHOD_WORDS}
CATEGORIES = ("renewable", "fossil", "nuclear")
# The site's time zone: every time on the paper is in it, and the paper says which it is (issue #10, item 13).
DEFAULT_TIME_ZONE = "Asia/Tokyo"

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
# "1,234.567 kWh": thousands separators, exactly three decimals (= integer Wh).
AMOUNT_PATTERN = re.compile(r"(\d{1,3}(?:,\d{3})*)\.(\d{3})\s*kWh")


@dataclass(frozen=True)
class CertificateDocument:
    """Everything a printed certificate shows; amounts are integer Wh, times Unix seconds (UTC)."""

    certificate_id: str  # 64-hex issuance transaction id
    owner: str
    amount_wh: int
    period_start: int
    period_end: int
    production_method: str
    category: str
    issued_at: int
    institution_id: str
    chain_id: str
    block_height: int
    payload: str  # the QR text, "GC1:..."
    profile_wh: tuple[int, ...] = ()  # half-hourly Wh the certificate covers
    reprint: bool = False
    time_zone: str = DEFAULT_TIME_ZONE  # IANA zone of the site: every printed time is in it
    # Wh of amount_wh generated in the half hour they were allocated to (claim "tm"); None: not stated (issue 15)
    time_matched_wh: int | None = None


def format_amount_kwh(amount_wh: int) -> str:
    """``1234567`` → ``"1,234.567 kWh"`` (integer arithmetic, no rounding)."""
    if amount_wh < 0:
        raise RenderError(f"amount_wh: expected a non-negative integer, found {amount_wh}")
    return f"{amount_wh // 1000:,}.{amount_wh % 1000:03d} kWh"


def format_share(part_wh: int, whole_wh: int) -> str:
    """``part_wh`` as a percentage of ``whole_wh`` with one decimal, rounded down (integer arithmetic): ``"45.6 %"``."""
    permille = part_wh * 1000 // whole_wh if whole_wh > 0 else 0
    return f"{permille // 10}.{permille % 10} %"


def parse_amount_kwh(text: str) -> int | None:
    """The first ``"1,234.567 kWh"`` in ``text`` as integer Wh, or ``None``."""
    match = AMOUNT_PATTERN.search(text)
    if match is None:
        return None
    return int(match.group(1).replace(",", "")) * 1000 + int(match.group(2))


def validate_document(doc: CertificateDocument) -> None:
    """Refuse to print a certificate whose fields contradict each other or the DESIGN."""
    if not _HEX64.fullmatch(doc.certificate_id):
        raise RenderError(f"certificate_id: expected 64 hexadecimal characters, found {doc.certificate_id!r}")
    for name in ("owner", "institution_id", "chain_id", "payload"):
        value = getattr(doc, name)
        if not isinstance(value, str) or not value.strip():
            raise RenderError(f"{name}: expected a non-empty string, found {value!r}")
    _check_int("amount_wh", doc.amount_wh, minimum=1)
    _check_int("period_start", doc.period_start, minimum=0)
    _check_int("period_end", doc.period_end, minimum=doc.period_start + 1)
    _check_int("issued_at", doc.issued_at, minimum=0)
    _check_int("block_height", doc.block_height, minimum=0)
    if doc.production_method not in METHOD_CATEGORY:
        raise RenderError(
            f"production_method: expected one of {', '.join(METHOD_CATEGORY)}, "
            f"found {doc.production_method!r}"
        )
    expected = METHOD_CATEGORY[doc.production_method]
    if doc.category != expected:
        raise RenderError(
            f"category: expected {expected!r} for production method {doc.production_method!r}, "
            f"found {doc.category!r}"
        )
    if doc.time_matched_wh is not None:
        _check_int("time_matched_wh", doc.time_matched_wh, minimum=0)
        if doc.time_matched_wh > doc.amount_wh:
            raise RenderError(f"time_matched_wh: expected at most the amount {doc.amount_wh} Wh, found "
                              f"{doc.time_matched_wh}")
    for index, value in enumerate(doc.profile_wh):
        _check_int(f"profile_wh[{index}]", value, minimum=0)
    try:
        zone_of(doc.time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise RenderError(
            f"time_zone: expected an IANA time zone such as 'Asia/Tokyo', found {doc.time_zone!r}"
        ) from exc


def _check_int(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RenderError(f"{name}: expected an integer, found {value!r}")
    if value < minimum:
        raise RenderError(f"{name}: expected an integer >= {minimum}, found {value}")
