"""What a failure means to the applicant: ``describe_error`` maps every client error to the error screen's
words and way forward; ``pdf_filename`` names a certificate's file safely (no Qt here)."""

from __future__ import annotations

import logging
import math
import re

from backend_client import (
    ApiError,
    BadRequest,
    ClientError,
    Locked,
    ServerError,
    Unauthorized,
    Unreachable,
)
from kiosk.direct.errors import LedgerUnverified, NodeUnreachable, RecordDamaged, TrustError
from kiosk.screens.error import ErrorInfo

log = logging.getLogger(__name__)


def describe_error(exc: Exception, *, during_login: bool = False) -> ErrorInfo:
    """Map a failure to the error screen's words. ``AlreadyIssued`` is not an error: it has its own screen."""
    if isinstance(exc, NodeUnreachable):  # direct mode: the ledger node, not the certificate server
        return ErrorInfo("node_unreachable", can_retry=True, back_to_login=during_login)
    if isinstance(exc, LedgerUnverified | TrustError):
        log.error("direct mode: the ledger node's answer was not accepted: %s", exc)
        return ErrorInfo("unverified", can_retry=True, back_to_login=during_login)
    if isinstance(exc, RecordDamaged):
        log.error("direct mode: %s", exc)
        return ErrorInfo("applicant_record", back_to_login=True)
    if isinstance(exc, Unreachable):
        return ErrorInfo("unreachable", can_retry=True, back_to_login=during_login)
    if isinstance(exc, Locked):
        minutes = math.ceil(exc.retry_after / 60) if exc.retry_after else None
        return ErrorInfo("locked", {"minutes": minutes} if minutes else {}, back_to_login=True)
    if isinstance(exc, Unauthorized):
        if during_login or exc.code == "invalid_credentials":
            return ErrorInfo("credentials", back_to_login=True)
        return ErrorInfo("expired", back_to_login=True)
    if isinstance(exc, ServerError):
        return ErrorInfo("server", can_retry=True, back_to_login=during_login)
    if isinstance(exc, BadRequest) and exc.code == "mixed_methods":
        # The list lets one method be selected at a time, so our rows disagree with the server's: reload them.
        return ErrorInfo("mixed_methods", back_to_login=during_login, reload_list=not during_login)
    if isinstance(exc, ApiError):
        return ErrorInfo("rejected", back_to_login=during_login)
    if isinstance(exc, ClientError):  # ProtocolError: the server answered something undocumented
        return ErrorInfo("server", can_retry=True, back_to_login=during_login)
    log.error("unexpected failure in the kiosk flow", exc_info=exc)
    return ErrorInfo("unexpected", can_retry=True, back_to_login=during_login)


def pdf_filename(certificate_id: str) -> str:
    """A short, safe file name; 16 hex digits of the id (64 bits) are plenty to tell certificates apart."""
    return f"certificate-{re.sub(r'[^A-Za-z0-9._-]', '_', certificate_id)[:16]}.pdf"
