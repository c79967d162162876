"""What a certificate's signed claims say, worded as the paper words it, for a person to read against the paper:
``greencert verify``, the kiosk's auditor mode and the public ``/verify`` page show these facts."""

from __future__ import annotations

from ledger_lite import Claims
from ledger_lite.reference import short_reference
from ledger_lite.verification import clip, is_certificate_id, shown
from printing.document import DEFAULT_TIME_ZONE, format_amount_kwh, format_share
from printing.errors import Error
from printing.institutions import load_wording
from printing.words import format_period, zone_label, zone_of

FACT_NAMES = ("amount", "period", "method", "owner", "institution", "reference")
OPTIONAL_FACTS = ("time_matched",)  # present when the payload states it (claim "tm", issue 15)
# The time-matched figure is the issuer's signed statement: the ledger's certificate record (the "record" step)
# names the assets but not the half hours they were used in (see intermediary.time_match), so the fact says so.
_TIME_MATCHED_NOTE = {"en": "signed by the issuer; not part of the ledger record check",
                      "ja": "発行者の署名による値。台帳記録の照合対象外"}


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
        name = load_wording(claims.inst)  # its names only: no logo decoded (issue 16)
    except Error:  # the name is a courtesy: the id is what the ledger checks
        name = None
    institution = clip(claims.inst) + (f" ({name.name_en} / {name.name_ja})" if name else "")
    reference = short_reference(claims.cid) if is_certificate_id(claims.cid) else "(none: not a certificate id)"
    amount = format_amount_kwh(claims.wh) if isinstance(claims.wh, int) and claims.wh >= 0 else shown(claims.wh)
    facts = {"amount": amount, "period": period, "method": clip(claims.m), "owner": clip(claims.own),
             "institution": institution, "reference": reference}
    tm = getattr(claims, "tm", None)
    if isinstance(tm, int) and not isinstance(tm, bool) and tm >= 0 and isinstance(claims.wh, int):
        share = format_share(tm, claims.wh) if tm <= claims.wh else "?"
        note = _TIME_MATCHED_NOTE["ja" if language == "ja" else "en"]
        facts["time_matched"] = (f"{format_amount_kwh(tm)}（{share}）{note}" if language == "ja" else
                                 f"{format_amount_kwh(tm)} ({share}), {note}")
    return facts


__all__ = ["FACT_NAMES", "OPTIONAL_FACTS", "certificate_facts"]
