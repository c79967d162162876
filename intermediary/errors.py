"""Errors of the intermediary service; each maps to one ``{error, message}`` response.

    Error
    ├── BadInput          400 the request is malformed or names unknown things
    ├── InvalidCredentials 401 applicant ID or password is wrong
    ├── SessionExpired    401 the bearer token is unknown or expired
    ├── NotFound          404 no such item/certificate for this applicant
    ├── AlreadyIssued     409 the ledger says an allocation was certified before (S209b/S210b)
    ├── Conflict          409 the idempotency key is in use: ``in_progress`` (Retry-After) or ``idempotency_key_reused``
    ├── Locked            429 too many failed logins (Retry-After)
    └── LedgerUnavailable 503 the ledger node did not answer or refused for its own reasons
"""

from __future__ import annotations

SHOWN = 80  # characters of an input quoted in a message (issue #9: never echo a large input whole)


def shown(value: object) -> str:
    """``repr`` of ``value`` (its text if a string) cut to ``SHOWN`` characters, with "…" if it was longer."""
    text = value if isinstance(value, str) else repr(value)
    return repr(text[:SHOWN]) + ("…" if len(text) > SHOWN else "")


class Error(Exception):
    status = 500
    code = "internal_error"
    retry_after: int | None = None  # seconds, sent as the Retry-After header

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def extra(self) -> dict[str, object]:
        return {}


class BadInput(Error):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, code: str = "bad_request") -> None:
        super().__init__(message)
        self.code = code


class InvalidCredentials(Error):
    status = 401
    code = "invalid_credentials"

    def __init__(self, message: str, attempts_left: int | None = None) -> None:
        super().__init__(message)
        self.attempts_left = attempts_left

    def extra(self) -> dict[str, object]:
        # How many more failures this (ID, address) may make before it is blocked: counted alike for unknown and
        # known IDs, so it tells nothing about which accounts exist (issue #10: "1 attempt left").
        return {} if self.attempts_left is None else {"attempts_left": self.attempts_left}


class SessionExpired(Error):
    status = 401
    code = "session_expired"


class NotFound(Error):
    status = 404
    code = "not_found"


class AlreadyIssued(Error):
    status = 409
    code = "already_issued"

    def __init__(self, message: str, certificate_id: str) -> None:
        super().__init__(message)
        self.certificate_id = certificate_id

    def extra(self) -> dict[str, object]:
        return {"certificate_id": self.certificate_id}


class Conflict(Error):
    status = 409

    def __init__(self, message: str, code: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after


class Locked(Error):
    status = 429
    code = "locked"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LedgerUnavailable(Error):
    status = 503
    code = "ledger_unavailable"
