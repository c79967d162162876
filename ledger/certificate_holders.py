"""Which certificates an address holds: an index for ``Queries.certificates`` (issue 15).

After ``cert.transfer`` a certificate's record (``ledger_lite.lifecycle``) names its holders in ``held``, not in
``owner``; an address's certificates are those it holds Wh of, or retired Wh of, whoever it was issued to. The
state keeps no index of certificates by holder, so this one follows the chain instead of scanning every ``cert/``
value on each question:

* built once, at the first question, from the ``cert/`` values at the head (their number, not the state's);
* then brought to the head, at each question, from the blocks committed since: only the certificates their
  ``cert.issue``, ``cert.transfer`` and ``cert.retire`` transactions name are read again, at the head;
* when more than ``MAX_CATCH_UP_BLOCKS`` blocks were committed since, built again from the values (the cheaper of
  the two when nobody asked for a long time).

The caller holds the node's state lock, so the values and the head belong together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from ledger_lite import decode_tx
from ledger_lite.lifecycle import CERT_RETIRE, CERT_TRANSFER, holdings, moves

PREFIX = "cert/"
CERT_ISSUE = "cert.issue"
CERT_MARK = b"cert."  # in the canonical CBOR of every type above (a text string is stored as its UTF-8 bytes)
MAX_CATCH_UP_BLOCKS = 256


class Values(Protocol):
    def get(self, key: str) -> Any | None: ...

    def items(self, prefix: str = "") -> Iterable[tuple[str, Any]]: ...


def parties(record: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """Every address that holds Wh of the certificate or retired Wh of it: ``(held_wh, retired_wh)``."""
    out = {address: (wh, 0) for address, wh in holdings(record).items() if wh > 0}
    for move in moves(record):
        if move.get("kind") == "retire":
            held, retired = out.get(str(move["holder"]), (0, 0))
            out[str(move["holder"])] = (held, retired + int(move["wh"]))
    return out


def touched(raw: bytes) -> str | None:
    """The certificate id a committed transaction wrote, if it is one of those that change who holds what. Only a
    transaction whose bytes hold ``cert.`` (its type, in canonical CBOR) is decoded: most of a block is readings."""
    if CERT_MARK not in raw:
        return None
    tx = decode_tx(raw)
    if tx.type == CERT_ISSUE:
        return tx.tx_id
    if tx.type in (CERT_TRANSFER, CERT_RETIRE):
        certificate = tx.body.get("certificate")
        return certificate if isinstance(certificate, str) else None
    return None


class CertificateHolders:
    """address → ids of the certificates it holds or retired from (module docstring)."""

    def __init__(self) -> None:
        self._height: int | None = None  # the head the index was last brought to
        self._by_address: dict[str, set[str]] = {}
        self._of: dict[str, frozenset[str]] = {}  # certificate id → the addresses indexed for it

    def held_by(self, address: str, values: Values, head: int,
                block_txs: Callable[[int], list[bytes]]) -> list[str]:
        """Ids of the certificates ``address`` holds or retired from, at the head ``head``, in no order."""
        self._bring_to(values, head, block_txs)
        return list(self._by_address.get(address, ()))

    def _bring_to(self, values: Values, head: int, block_txs: Callable[[int], list[bytes]]) -> None:
        if self._height is not None and self._height == head:
            return
        if self._height is None or not 0 <= head - self._height <= MAX_CATCH_UP_BLOCKS:
            self._by_address.clear()
            self._of.clear()
            for key, record in values.items(PREFIX):
                self._index(key.removeprefix(PREFIX), record)
        else:
            ids = {cid for height in range(self._height + 1, head + 1) for raw in block_txs(height)
                   if (cid := touched(raw)) is not None}
            for cid in ids:
                self._index(cid, values.get(PREFIX + cid))
        self._height = head

    def _index(self, certificate_id: str, record: Any) -> None:
        now = frozenset(parties(record)) if isinstance(record, Mapping) else frozenset()
        before = self._of.get(certificate_id, frozenset())
        for address in before - now:
            held = self._by_address.get(address)
            if held is not None:
                held.discard(certificate_id)
                if not held:
                    del self._by_address[address]
        for address in now - before:
            self._by_address.setdefault(address, set()).add(certificate_id)
        if now:
            self._of[certificate_id] = now
        else:
            self._of.pop(certificate_id, None)
