"""Errors of the ledger node. Every rejection carries a machine-readable ``code`` and an HTTP ``status``.

    Error
    ├── Rejected            a transaction was refused (admission or execution); ``code`` names the rule
    │   └── AlreadyIssued   an asset in a certificate request was certified before (seed S208/S209b)
    ├── NotFound            no such transaction, block, key or record
    └── StoreError          the node's own store is inconsistent or tampered; the node refuses to serve
"""

from __future__ import annotations


def shown(value: object, limit: int = 80) -> str:
    """``value`` as quoted in an error message: its repr, cut to ``limit`` characters of input (issue #9: an
    answer never echoes more than that of what a client sent)."""
    text = value if isinstance(value, str) else str(value)
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text)} characters)"


class Error(Exception):
    """Base of every error raised by ``ledger``."""

    code = "ledger_error"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Rejected(Error):
    status = 422

    def __init__(self, code: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class AlreadyIssued(Rejected):
    def __init__(self, asset_id: str, certificate_id: str) -> None:
        super().__init__("already_issued",
                         f"asset {asset_id} is already certified by certificate {certificate_id}", status=409)
        self.asset_id = asset_id
        self.certificate_id = certificate_id


class NotFound(Error):
    code = "not_found"
    status = 404


class StoreError(Error):
    code = "store_inconsistent"
    status = 503
