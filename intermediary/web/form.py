"""The ``/verify`` form's fields from a request body: ``multipart/form-data`` (a browser's form with a file) or
``application/x-www-form-urlencoded``.

A small parser of our own (the standard library has none since ``cgi`` was removed, and the intermediary has no
other form): the body is already limited by ``HttpGuard`` (``VERIFY_BODY``), so it is parsed in memory, and only
the first ``MAX_PARTS`` parts are looked at. Anything malformed is ``FormError`` with what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from urllib.parse import parse_qsl

MAX_PARTS = 8  # the form has three fields (lang, payload, file)
MAX_HEADER_BYTES = 4096  # a part's headers


class FormError(ValueError):
    """A request body that is not the form it claims to be."""


@dataclass(frozen=True)
class Field:
    value: bytes
    filename: str | None = None  # set for a file field (possibly empty when no file was chosen)
    content_type: str | None = None


def _param(header: str, value: str, param: str) -> str | None:
    """A parameter of a MIME header (``boundary`` of Content-Type, ``name`` of Content-Disposition), quoted or
    not, as the standard library's e-mail parser reads it."""
    message = Message()
    message[header] = value
    found = message.get_param(param, header=header)
    return found if isinstance(found, str) else None


def parse_form(body: bytes, content_type: str) -> dict[str, Field]:
    """Field name → its first value. ``FormError`` for a body that is neither form encoding or is malformed."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_PARTS)
        except (UnicodeDecodeError, ValueError) as exc:
            raise FormError(f"expected a URL-encoded UTF-8 form of at most {MAX_PARTS} fields: {str(exc)[:100]}") \
                from None
        found: dict[str, Field] = {}
        for name, value in pairs:
            found.setdefault(name, Field(value.encode()))
        return found
    if kind != "multipart/form-data":
        raise FormError(f"expected multipart/form-data or application/x-www-form-urlencoded, found "
                        f"{content_type[:60]!r}")
    boundary = _param("content-type", content_type, "boundary")
    if boundary is None or not 0 < len(boundary) <= 200:
        raise FormError("expected a multipart boundary of 1 to 200 characters in the Content-Type")
    return _multipart(body, boundary.encode("latin-1"))


def _multipart(body: bytes, boundary: bytes) -> dict[str, Field]:
    delimiter = b"\r\n--" + boundary
    sections = (b"\r\n" + body).split(delimiter, MAX_PARTS + 1)
    found: dict[str, Field] = {}
    closed = False
    for section in sections[1:]:
        if section.startswith(b"--"):
            closed = True
            break
        if not section.startswith(b"\r\n"):
            raise FormError("expected a line break after a multipart boundary")
        head, separator, value = section[2:].partition(b"\r\n\r\n")
        if not separator or len(head) > MAX_HEADER_BYTES:
            raise FormError("expected a multipart part's headers, a blank line and its content")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            header, colon, text = line.partition(":")
            if colon:
                headers[header.strip().lower()] = text.strip()
        disposition = headers.get("content-disposition", "")
        name = _param("content-disposition", disposition, "name")
        if name is None:
            raise FormError("expected a multipart part with Content-Disposition: form-data; name=...")
        found.setdefault(name, Field(value, _param("content-disposition", disposition, "filename"),
                                     headers.get("content-type")))
    if not closed:
        raise FormError(f"expected a multipart body of at most {MAX_PARTS} parts ending with its closing boundary")
    return found
