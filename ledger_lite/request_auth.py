"""Signed reads (issue #12): a registered participant asks a node for its data with a request signed by its
ledger key, so lists by owner (assets, certificates) are not open to anyone; what a verifier needs for one
certificate stays public. One rule for both sides: the client signs with ``sign_request``, the node checks with
``verify_request``.

Headers: ``X-GC-Key`` (hex Ed25519 public key), ``X-GC-Time`` (Unix seconds), ``X-GC-Signature`` (hex Ed25519
signature over ``canonical_request``). The canonical string is UTF-8, one field a line::

    greencert/read/v1
    GET
    /v1/assets                       the path, percent-encoded from its decoded form ("/" kept)
    method=solar&owner=gc1...        the query's (name, value) pairs sorted, each percent-encoded
    1790812800                       X-GC-Time
    greencert-demo                   the node's chain id

A node accepts a time within ``MAX_SKEW_S`` of its own clock; the chain id keeps a signature for one chain from
being replayed on another.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from ledger_lite.errors import Error, SignatureError
from ledger_lite.keys import PUBLIC_KEY_SIZE, SIGNATURE_SIZE, PublicKey, SigningKey

KEY_HEADER = "X-GC-Key"
TIME_HEADER = "X-GC-Time"
SIGNATURE_HEADER = "X-GC-Signature"
MAX_SKEW_S = 300
DOMAIN = "greencert/read/v1"
MAX_TIME_DIGITS = 12
SHOWN = 20  # characters of a rejected header quoted in a message


class RequestAuthError(Error):
    """A read request is unsigned (``unsigned_read``), its signature is malformed or does not verify
    (``bad_signature``), or its time is too far from the node's clock (``stale_request``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _encode(text: str) -> str:
    return quote(text, safe="")


def canonical_request(method: str, path: str, query: Iterable[tuple[str, str]], time: int, chain_id: str) -> bytes:
    """The bytes a read request's signature covers; ``path`` and ``query`` decoded (as a server sees them)."""
    pairs = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query))
    return "\n".join((DOMAIN, method.upper(), quote(path, safe="/"), pairs, str(time), chain_id)).encode("utf-8")


def sign_request(key: SigningKey, *, method: str, path: str, query: Iterable[tuple[str, str]], chain_id: str,
                 now: int) -> dict[str, str]:
    """The three headers that sign a request to ``path`` (decoded) with ``query`` at Unix time ``now``."""
    message = canonical_request(method, path, query, now, chain_id)
    return {KEY_HEADER: key.public.hex(), TIME_HEADER: str(now), SIGNATURE_HEADER: key.sign(message).hex()}


def _shown(text: str) -> str:
    return repr(text[:SHOWN]) + ("…" if len(text) > SHOWN else "")


def _hex(text: str, size: int, header: str) -> bytes:
    if len(text) != 2 * size or not all(c in "0123456789abcdefABCDEF" for c in text):
        raise RequestAuthError("bad_signature", f"expected {header} of {2 * size} hex digits, found {_shown(text)}")
    return bytes.fromhex(text)


def verify_request(key: str | None, time: str | None, signature: str | None, *, method: str, path: str,
                   query: Iterable[tuple[str, str]], chain_id: str, now: int) -> PublicKey:
    """The public key that signed this request (header values ``key``, ``time``, ``signature``), or
    ``RequestAuthError``. Whether that key may read what it asks is the caller's decision."""
    missing = [name for name, value in ((KEY_HEADER, key), (TIME_HEADER, time), (SIGNATURE_HEADER, signature))
               if value is None]
    if key is None or time is None or signature is None:
        raise RequestAuthError("unsigned_read", f"this read names a participant: sign it with a registered key "
                                                f"(headers {KEY_HEADER}, {TIME_HEADER}, {SIGNATURE_HEADER}); "
                                                f"missing {', '.join(missing)}")
    public = PublicKey(_hex(key, PUBLIC_KEY_SIZE, KEY_HEADER))
    raw_signature = _hex(signature, SIGNATURE_SIZE, SIGNATURE_HEADER)
    if not (time.isascii() and time.isdigit() and len(time) <= MAX_TIME_DIGITS):
        raise RequestAuthError("bad_signature", f"expected {TIME_HEADER} as Unix seconds, found {_shown(time)}")
    signed_at = int(time)
    if abs(now - signed_at) > MAX_SKEW_S:
        raise RequestAuthError("stale_request", f"expected {TIME_HEADER} within {MAX_SKEW_S} s of the node's "
                                                f"clock ({now}), found {signed_at}")
    try:
        public.verify(raw_signature, canonical_request(method, path, query, signed_at, chain_id))
    except SignatureError as exc:
        raise RequestAuthError("bad_signature", f"the signature does not verify for key {public.address} over "
                                                f"{method.upper()} {path} at {signed_at} on chain "
                                                f"{chain_id[:SHOWN]!r}") from exc
    return public
