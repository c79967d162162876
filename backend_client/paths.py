"""Request paths built from caller-supplied ids (issue #9): every id is checked against the form the server
expects, every path segment is percent-encoded, so an id can never add a query, a fragment or another segment."""

from __future__ import annotations

import re
from urllib.parse import quote

from backend_client.errors import InvalidId

HEX_ID = re.compile(r"[0-9a-f]{64}")  # transaction and certificate ids: SHA-256, lowercase hex
SHOWN = 80  # characters of a rejected value quoted in a message


def shown(value: object) -> str:
    """``repr`` of ``value`` cut to ``SHOWN`` characters, so a huge input is never echoed whole."""
    text = value if isinstance(value, str) else repr(value)
    return repr(text[:SHOWN]) + ("…" if len(text) > SHOWN else "")


def hex_id(value: object, what: str) -> str:
    """``value`` if it is 64 lowercase hex characters; otherwise ``InvalidId`` (nothing is sent)."""
    if not isinstance(value, str) or not HEX_ID.fullmatch(value):
        raise InvalidId(f"expected {what} of 64 lowercase hex characters, found {shown(value)}")
    return value


def block_height(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidId(f"expected a block height (an integer >= 0), found {shown(value)}")
    return value


def state_key(key: object) -> str:
    """A state key such as ``cert/<id>``: non-empty ``/``-separated segments, each percent-encoded."""
    segments = key.split("/") if isinstance(key, str) else []
    if not segments or not all(segments):
        raise InvalidId(f"expected a state key of non-empty '/'-separated segments, found {shown(key)}")
    return "/".join(quote(s, safe="") for s in segments)


def path(*segments: str) -> str:
    """``/seg1/seg2/...`` with every segment percent-encoded (``/``, ``?``, ``#``, ``%`` and controls too)."""
    return "".join("/" + quote(s, safe="") for s in segments)
