"""A certificate's life after issuance (issue 15, the I-REC/EECS lifecycle): ``cert.transfer`` and ``cert.retire``.

A certificate (``cert/<id>``, ``ledger.rules.certificates``) certifies ``wh`` Wh for its ``owner``. Its holder may
then move all or part of that energy to another registered consumer (a user or home address), or retire all or
part of it for a named beneficiary and a reporting year; retired Wh never move again.

How a split is represented: never as a new certificate. The original record keeps every field it was issued with
(so its QR code, whose claims name the original amount and owner, still verifies) and gains two fields at its
first transfer or retirement:

    held    {address: Wh}  who holds how much of it, not retired (holders with 0 Wh are dropped)
    moves   [move, ...]    each transfer and retirement in ledger order:
            {"kind": "transfer", "from", "to", "wh", "tx", "height", "time"}
            {"kind": "retire", "holder", "wh", "beneficiary", "purpose", "year", "tx", "height", "time"}

A record without them is held whole by its owner. The ledger keeps ``sum(held) + retired Wh == wh`` after every
transaction: a transfer moves Wh between holders, a retirement moves them out of ``held`` into ``moves``, so the
total never grows and a retired Wh is no longer held by anyone. A verifier reads both from the same proven record.

Bodies (signed by the holder: its own user or home key, or the intermediary that issued the certificate acting
for the certificate's owner, its consumer):

    cert.transfer  {"certificate", "holder", "to", "wh"}
    cert.retire    {"certificate", "holder", "wh", "beneficiary", "purpose", "year"}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger_lite.keys import SigningKey
from ledger_lite.tx import Transaction, sign_tx

CERT_TRANSFER = "cert.transfer"
CERT_RETIRE = "cert.retire"
MAX_BENEFICIARY_CHARS = 200
MAX_PURPOSE_CHARS = 200
MAX_MOVES = 64  # transfers and retirements of one certificate: bounds its record (and the proof a verifier reads)


def holdings(record: Mapping[str, Any]) -> dict[str, int]:
    """Who holds how much of the certificate's Wh, not retired (module docstring: absent → the owner, whole)."""
    held = record.get("held")
    if held is None:
        return {str(record["owner"]): int(record["wh"])}
    return {str(k): int(v) for k, v in dict(held).items()}


def moves(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The certificate's transfers and retirements, oldest first."""
    return [dict(m) for m in record.get("moves") or ()]


def retired_wh(record: Mapping[str, Any], holder: str | None = None) -> int:
    """Wh retired from the certificate (by ``holder`` only, when given)."""
    return sum(int(m["wh"]) for m in moves(record)
               if m.get("kind") == "retire" and (holder is None or m.get("holder") == holder))


def transfer_body(certificate: str, holder: str, to: str, wh: int) -> dict[str, Any]:
    return {"certificate": certificate, "holder": holder, "to": to, "wh": wh}


def retire_body(certificate: str, holder: str, wh: int, beneficiary: str, purpose: str,
                year: int) -> dict[str, Any]:
    return {"certificate": certificate, "holder": holder, "wh": wh, "beneficiary": beneficiary, "purpose": purpose,
            "year": year}


def sign_transfer(key: SigningKey, *, chain: str, certificate: str, holder: str, to: str, wh: int, nonce: int,
                  time: int) -> Transaction:
    """A ``cert.transfer`` of ``wh`` Wh of ``certificate`` from ``holder`` to ``to``, signed with ``key``."""
    return sign_tx(key, chain=chain, type=CERT_TRANSFER, body=transfer_body(certificate, holder, to, wh),
                   nonce=nonce, time=time)


def sign_retire(key: SigningKey, *, chain: str, certificate: str, holder: str, wh: int, beneficiary: str,
                purpose: str, year: int, nonce: int, time: int) -> Transaction:
    """A ``cert.retire`` of ``wh`` Wh of ``certificate`` held by ``holder``, signed with ``key``."""
    return sign_tx(key, chain=chain, type=CERT_RETIRE,
                   body=retire_body(certificate, holder, wh, beneficiary, purpose, year), nonce=nonce, time=time)


__all__ = ["CERT_RETIRE", "CERT_TRANSFER", "MAX_BENEFICIARY_CHARS", "MAX_MOVES", "MAX_PURPOSE_CHARS", "holdings",
           "moves", "retire_body", "retired_wh", "sign_retire", "sign_transfer", "transfer_body"]
