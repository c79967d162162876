"""What a failure means to the applicant: ``describe_error`` maps every client error to the error screen's
words and way forward; ``pdf_filename`` names a certificate's file safely (no Qt here).

A refusal by the server always shows the server's own reason (the ``message`` of its ``{error, message}``
answer) under a plain sentence for the codes the kiosk knows (``error.code.<code>``). A lock-out says when the
ID can be used again as a clock time (from Retry-After); a wrong password says how many attempts are left when the
server says (``Unauthorized.attempts_left``), else plainly that several wrong attempts lock the ID for a while.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from backend_client import (
    ApiError,
    BadRequest,
    ClientError,
    Locked,
    ServerError,
    Unauthorized,
    Unreachable,
)
from kiosk.core.language import LANGUAGES
from kiosk.direct.errors import LedgerUnverified, NodeUnreachable, RecordDamaged, TrustError
from kiosk.screens.error import ErrorInfo

log = logging.getLogger(__name__)


RELOAD_CODES = ("selection_too_large", "not_found")  # the list the applicant chose from is out of date or too big


def describe_error(exc: Exception, *, during_login: bool = False, timezone: str | None = None,
                   now: Callable[[], float] = time.time) -> ErrorInfo:
    """Map a failure to the error screen's words. ``AlreadyIssued`` is not an error: it has its own screen.

    ``timezone`` and ``now``: the kiosk's clock, to say when a locked ID can be used again.
    """
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
        if not exc.retry_after:
            return ErrorInfo("locked", back_to_login=True)
        return ErrorInfo("locked", {"time": unlock_time(now() + exc.retry_after, now(), timezone)},
                         back_to_login=True)
    if isinstance(exc, Unauthorized):
        if during_login or exc.code == "invalid_credentials":
            left = exc.attempts_left
            return ErrorInfo("credentials", {} if left is None else {"count": left}, back_to_login=True)
        return ErrorInfo("expired", back_to_login=True)
    if isinstance(exc, ApiError):  # the server refused: its own reason is shown too
        code, said = exc.code, exc.message
        if isinstance(exc, ServerError):
            return ErrorInfo("server", can_retry=True, back_to_login=during_login, server_code=code,
                             server_message=said)
        if isinstance(exc, BadRequest) and code == "mixed_methods":
            # The list lets one method be selected at a time, so our rows disagree with the server's: reload them.
            return ErrorInfo("mixed_methods", back_to_login=during_login, reload_list=not during_login,
                             server_code=code, server_message=said)
        return ErrorInfo("rejected", back_to_login=during_login, reload_list=code in RELOAD_CODES and not during_login,
                         can_retry=code == "in_progress", server_code=code, server_message=said)
    if isinstance(exc, ClientError):  # ProtocolError: the server answered something undocumented
        return ErrorInfo("server", can_retry=True, back_to_login=during_login)
    log.error("unexpected failure in the kiosk flow", exc_info=exc)
    return ErrorInfo("unexpected", can_retry=True, back_to_login=during_login)


def unlock_time(at: float, now: float, timezone: str | None) -> dict[str, str]:
    """When a lock-out ends, as a clock time in each language ("14:37"; "3/12 14:37" when not today), rounded
    up to the minute: trying at the time said always works."""
    at = -(-at // 60) * 60
    zone = ZoneInfo(timezone) if timezone else None
    when, today = datetime.fromtimestamp(at, zone), datetime.fromtimestamp(now, zone)
    clock = f"{when.hour}:{when.minute:02d}"
    if when.date() == today.date():
        return dict.fromkeys(LANGUAGES, clock)
    return {lang: f"{when.month}月{when.day}日 {clock}" if lang == "ja" else f"{when.month}/{when.day} {clock}"
            for lang in LANGUAGES}


def pdf_filename(certificate_id: str) -> str:
    """A short, safe file name; 16 hex digits of the id (64 bits) are plenty to tell certificates apart."""
    return f"certificate-{re.sub(r'[^A-Za-z0-9._-]', '_', certificate_id)[:16]}.pdf"
