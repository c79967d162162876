"""A certificate as people read it on the kiosk: its short reference (``3F2A-91C0-7B1E``), never the 64-digit id
(issue #10). No Qt here."""

from __future__ import annotations

from ledger_lite.reference import ReferenceError, short_reference


def reference_of(certificate_id: str) -> str:
    """The short reference of ``certificate_id``; an id of another form (a fake, a future scheme) is cut to the
    same length so that a screen never shows 64 digits."""
    try:
        return short_reference(certificate_id)
    except ReferenceError:
        return certificate_id[:12].upper() or "?"
