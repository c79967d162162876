"""Response models and the declared error answers of the intermediary's routes (its OpenAPI contract, issue #9).

Every route lists, through ``responses=``, each status it can answer besides its success: all errors have the
body ``ErrorOut`` ``{error, message}`` (plus ``certificate_id`` for ``already_issued``, ``attempts_left`` for
``invalid_credentials``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

CERTIFICATE_ID = r"^[0-9a-f]{64}$"


class ErrorOut(BaseModel):
    error: str = Field(description="machine-readable code, e.g. bad_request, invalid_credentials, already_issued")
    message: str = Field(description="what was expected and what was found")
    certificate_id: str | None = Field(default=None, description="with already_issued: the earlier certificate")
    attempts_left: int | None = Field(default=None, ge=0, description="with invalid_credentials: failed log-ins "
                                      "this client may still make for this applicant ID before it is blocked")


_WHAT = {
    400: "Malformed request (bad_request, bad_certificate_id, unknown_type, ...)",
    401: "No, an unknown or an expired session (session_expired), or wrong credentials (invalid_credentials)",
    403: "The account may not do this: a producer or issuer account asking for a kiosk token (wrong_role)",
    404: "No such thing for this applicant (not_found)",
    405: "Method not allowed (method_not_allowed; the Allow header lists the allowed ones)",
    409: "Conflict: already_issued (with certificate_id), in_progress (Retry-After) or idempotency_key_reused",
    413: "Request body too large",
    422: "Refused as unprocessable",
    429: "Too many failed log-ins (locked; Retry-After says for how long)",
    503: "The ledger node did not answer or refused for its own reasons (ledger_unavailable)",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for the given error statuses (413 and 422 are added to every route)."""
    return {s: {"model": ErrorOut, "description": _WHAT[s]} for s in sorted({*statuses, 413, 422})}
