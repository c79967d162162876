"""A certificate's short reference: what a person reads out, writes down or types (issue #10, item 11).

A certificate id is the 64-hex id of its issuance transaction; people cannot quote that. Its short reference is
the id's first 12 hex digits, upper case, in three groups of four (``3F2A-91C0-7B1E``): 48 bits, so two
certificates of one chain share a reference only with a chance of about n²/2⁴⁹ (one in 5,600 at a million
certificates) — a lookup by reference that finds more than one certificate asks for the full id. The reference
is never trusted on its own: it is checked against the full id the QR code carries (``matches``).
"""

from __future__ import annotations

import re

from ledger_lite.errors import Error

REFERENCE_DIGITS = 12
_ID = re.compile(r"[0-9a-f]{64}")


class ReferenceError(Error):
    """A certificate id or short reference that is not of its form."""


def short_reference(certificate_id: str) -> str:
    """``3F2A-91C0-7B1E`` for a certificate id starting ``3f2a91c07b1e``."""
    if not isinstance(certificate_id, str) or not _ID.fullmatch(certificate_id):
        shown = repr(certificate_id)[:80]
        raise ReferenceError(f"expected a certificate id of 64 lowercase hex digits, found {shown}")
    head = certificate_id[:REFERENCE_DIGITS].upper()
    return "-".join(head[i:i + 4] for i in range(0, REFERENCE_DIGITS, 4))


def normalise_reference(text: str) -> str:
    """A typed reference in its printed form: case, spaces and dashes as people type them are accepted."""
    digits = re.sub(r"[\s\-]", "", text).upper() if isinstance(text, str) else ""
    if len(digits) != REFERENCE_DIGITS or not re.fullmatch(r"[0-9A-F]+", digits):
        raise ReferenceError(f"expected a reference of {REFERENCE_DIGITS} hex digits such as 3F2A-91C0-7B1E, "
                             f"found {text[:40]!r}" if isinstance(text, str) else
                             f"expected a reference as text, found {type(text).__name__}")
    return "-".join(digits[i:i + 4] for i in range(0, REFERENCE_DIGITS, 4))


def matches(reference: str, certificate_id: str) -> bool:
    """Whether ``reference`` (as printed or typed) is the short reference of ``certificate_id``."""
    try:
        return normalise_reference(reference) == short_reference(certificate_id)
    except ReferenceError:
        return False
