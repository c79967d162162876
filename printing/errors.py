"""Errors of the ``printing`` package.

Every message says what was expected and what was found::

    Error
    ├── FormatError          an institution format file is malformed (names the file and the field)
    ├── RenderError          a certificate cannot be drawn (bad document field, no CJK font, QR too big)
    ├── ReadError            a printed certificate cannot be read back (not a PDF, damaged, too large)
    ├── PrinterUnavailable   CUPS not reachable, pycups missing, no such printer
    └── PrintFailed          CUPS refused the job
"""

from __future__ import annotations


class Error(Exception):
    """Base of all errors raised by ``printing``.

    ``message_ja`` is the Japanese text shown to a kiosk user; it defaults to the English message.
    """

    def __init__(self, message: str, *, message_ja: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_ja = message_ja if message_ja is not None else message


class FormatError(Error):
    """An institution format (``resources/institutions/*.json``) is malformed."""


class RenderError(Error):
    """A certificate document cannot be rendered."""


class ReadError(Error):
    """A printed certificate (PDF or image) cannot be read."""


class PrinterUnavailable(Error):
    """The print system or the named printer cannot be used."""


class PrintFailed(Error):
    """The print system refused the job."""
