"""What a certificate's signed claims say, worded as the paper words it, for a person to read against the paper:
``greencert verify``, the kiosk's auditor mode and the public ``/verify`` page show these facts."""

from __future__ import annotations

from ledger_lite import Claims
from ledger_lite.reference import short_reference
from ledger_lite.verification import clip, is_certificate_id, shown
from printing.document import DEFAULT_TIME_ZONE, format_amount_kwh
from printing.errors import Error
from printing.institutions import load_institutions
from printing.words import format_period, zone_label, zone_of

FACT_NAMES = ("amount", "period", "method", "owner", "institution", "reference")


def certificate_facts(claims: Claims, *, language: str = "en", zone_name: str = DEFAULT_TIME_ZONE) -> dict[str, str]:
    """``FACT_NAMES`` → text; times in ``zone_name`` (the site's), the period and institution in ``language``.
    Every value came from a payload that may be hostile: clipped, never trusted for layout."""
    zone = zone_of(zone_name)
    try:
        period = format_period(claims.ps, claims.pe, zone, language)
        if language == "en":  # the zone's offset too, as the English paper says it
            period += f", times in {zone_label(claims.ps, zone)}"
    except (OverflowError, OSError, ValueError, TypeError):
        period = f"{shown(claims.ps)}..{shown(claims.pe)} (Unix seconds)"
    try:
        name = load_institutions().get(claims.inst)
    except Error:  # the name is a courtesy: the id is what the ledger checks
        name = None
    institution = clip(claims.inst) + (f" ({name.name_en} / {name.name_ja})" if name else "")
    reference = short_reference(claims.cid) if is_certificate_id(claims.cid) else "(none: not a certificate id)"
    amount = format_amount_kwh(claims.wh) if isinstance(claims.wh, int) and claims.wh >= 0 else shown(claims.wh)
    return {"amount": amount, "period": period, "method": clip(claims.m), "owner": clip(claims.own),
            "institution": institution, "reference": reference}


__all__ = ["FACT_NAMES", "certificate_facts"]
