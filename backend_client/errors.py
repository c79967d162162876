"""Errors raised by the GreenCert HTTP clients. Third-party (httpx) errors are mapped at the boundary.

    ClientError
    ├── InvalidId           an id or key given to a client method has the wrong form; nothing was sent
    ├── Unreachable         the server did not answer (connection refused, timeout, DNS); with several servers,
    │                       none did (``failures``: each URL and why)
    ├── ProtocolError       the server answered something that is not the documented JSON
    └── ApiError            the server answered {error, message} with a 4xx/5xx status
        ├── BadRequest          400/413/422: the request was refused as malformed
        ├── Unauthorized        401: bad credentials (with ``attempts_left`` if the server says) or an expired session
        ├── Forbidden           403
        ├── NotFound            404
        ├── AlreadyIssued       409 already_issued: carries ``certificate_id`` (seed S209b/S210b)
        ├── Conflict            409 other
        ├── Locked              429: too many failed logins; carries ``retry_after`` seconds if known
        └── ServerError         5xx
"""

from __future__ import annotations

from collections.abc import Sequence


class ClientError(Exception):
    """Base of every error raised by ``backend_client``."""


class InvalidId(ClientError):
    pass


class Unreachable(ClientError):
    def __init__(self, message: str, failures: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.failures = tuple(failures)  # (URL, why) of each server tried, in the order tried


class ProtocolError(ClientError):
    pass


class ApiError(ClientError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class BadRequest(ApiError):
    pass


class Unauthorized(ApiError):
    def __init__(self, status: int, code: str, message: str, attempts_left: int | None = None) -> None:
        super().__init__(status, code, message)
        self.attempts_left = attempts_left  # failed log-ins this terminal may still make before a block


class Forbidden(ApiError):
    pass


class NotFound(ApiError, LookupError):
    """404: also a ``LookupError``, which is how the light node (``ledger_lite.audit``) hears "no such record"."""


class Conflict(ApiError):
    pass


class AlreadyIssued(Conflict):
    def __init__(self, status: int, code: str, message: str, certificate_id: str) -> None:
        super().__init__(status, code, message)
        self.certificate_id = certificate_id


class Locked(ApiError):
    def __init__(self, status: int, code: str, message: str, retry_after: int | None) -> None:
        super().__init__(status, code, message)
        self.retry_after = retry_after


class ServerError(ApiError):
    pass
