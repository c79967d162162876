"""Errors of the direct mode (no Qt here).

    Error (kiosk.errors.Error)              base of every error raised by ``kiosk.direct``
    ├── EnrolmentError (ValueError)         ``enrol``: a bad applicant ID, password, name or key, or a taken ID
    ├── AuthenticationFailed                unknown applicant ID or wrong password (never says which)
    ├── LockedOut                           too many wrong passwords in a row; carries ``retry_after`` seconds
    ├── RecordDamaged (ClientError)         the stored user key does not decrypt with the right password
    ├── TrustError (ClientError)            the pinned validator keys cannot be read or fetched
    ├── LedgerUnverified (ClientError)      an answer of the node failed a light-node check; names the step
    └── NodeUnreachable (Unreachable)       the ledger node did not answer

The last four reach the kiosk's screens (``kiosk.failures.describe_error`` words them); the adapter turns
``AuthenticationFailed`` and ``LockedOut`` into ``backend_client``'s ``Unauthorized`` and ``Locked``, so a failed
sign-in looks the same in both modes.
"""

from __future__ import annotations

from backend_client import ClientError, Unreachable
from kiosk import errors


class Error(errors.Error):
    """Base of every error raised by ``kiosk.direct`` (itself a ``kiosk.errors.Error``)."""


class EnrolmentError(Error, ValueError):
    pass


class AuthenticationFailed(Error):
    pass


class LockedOut(Error):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RecordDamaged(Error, ClientError):
    pass


class TrustError(Error, ClientError):
    pass


class LedgerUnverified(Error, ClientError):
    def __init__(self, step: str, detail: str) -> None:
        super().__init__(f"{step}: {detail}")
        self.step = step
        self.detail = detail


class NodeUnreachable(Error, Unreachable):
    pass
