"""Errors of the trading devices (seed 003). Each carries a machine code and the HTTP status a device's API
answers it with (``{error: code, message}``)::

    field.errors.Error
    └── TradingError             a trading device refused something
        ├── BatteryError         409: the battery cannot take or give that much (capacity, power, empty)
        ├── BadInput             400/422: a request a device's API cannot accept as given
        ├── UnknownRecord        404: no such reception, reservation or request
        ├── LedgerRefused        409/502: the ledger refused or could not be reached
        └── RecordsError         500: the storage server's record file cannot be used (or is not its own)
"""

from __future__ import annotations

from typing import Any

from field.errors import Error


class TradingError(Error):
    code = "trading_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.extra = extra


class BatteryError(TradingError):
    code = "battery_limit"
    status = 409


class BadInput(TradingError):
    code = "bad_request"
    status = 422


class UnknownRecord(TradingError):
    code = "not_found"
    status = 404


class LedgerRefused(TradingError):
    code = "ledger_refused"
    status = 409


class RecordsError(TradingError):
    code = "records_unusable"
    status = 500
