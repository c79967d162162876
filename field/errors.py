"""Errors raised by the ``field`` package (device agents and simulators).

Every message says what was expected and what was found::

    Error
    ├── SiteError        an unknown site id, a malformed site, or the wrong kind of site for the operation
    ├── IntervalError    a start time that is not a non-negative multiple of 1,800 s, or a bad interval count
    └── ReadingError     a meter amount that is not an integer, is negative or exceeds capacity × 0.5 h,
                         or an owner that is not a ledger address
"""

from __future__ import annotations


class Error(Exception):
    """Base of every error raised by ``field``."""

    code = "field_error"


class SiteError(Error):
    code = "bad_site"


class IntervalError(Error):
    code = "bad_interval"


class ReadingError(Error):
    code = "bad_reading"
