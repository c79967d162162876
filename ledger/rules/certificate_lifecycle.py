"""``cert.transfer`` and ``cert.retire``: a certificate's energy moves to another consumer or is retired for a named
beneficiary (issue 15; how the record shows it: ``ledger_lite.lifecycle``).

Who may sign for a holder, as ``ledger.rules.certificates`` decides who may issue: the holder's own key (a ``user``
or ``home`` key), or the intermediary that issued the certificate acting for its consumer, the certificate's owner
(only for what the owner holds; a consumer it was transferred to signs with its own key). Refusals, each leaving the
state unchanged: ``not_holder`` (403), ``unknown_certificate`` (404), ``revoked`` (409), ``already_retired`` (409:
everything the holder had of it is retired), ``insufficient`` (more Wh than held), ``bad_recipient`` (not a
registered user or home, or the holder itself), ``too_many_moves`` (409) and ``bad_body`` (400).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ledger.errors import Rejected, shown
from ledger.registry import ROLES, Entry
from ledger.rules.certificates import cert_key
from ledger.rules.context import Context, field
from ledger.rules.revocation import CERTIFICATE_ID_HEX
from ledger_lite import Transaction
from ledger_lite.lifecycle import MAX_BENEFICIARY_CHARS, MAX_MOVES, MAX_PURPOSE_CHARS, holdings, moves, retired_wh

HOLDER_ROLES = ("user", "home")
# Characters a beneficiary or purpose may not hold: C0 and C1 controls and the bidirectional controls that can make
# printed text read other than it is. A fixed list, not Unicode categories: every validator must decide alike,
# whatever Unicode version its Python has.
FORBIDDEN_CHARS = frozenset([*map(chr, range(0x20)), *map(chr, range(0x7F, 0xA0)), "\u200e", "\u200f",
                             *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))])


def transfer(tx: Transaction, ctx: Context) -> dict[str, Any]:
    record, holder, wh = _holder_and_amount(tx, ctx)
    to = field(tx.body, "to", str)
    recipient = ctx.entry(to)
    if recipient is None or recipient.role not in HOLDER_ROLES:
        found = "an unregistered address" if recipient is None else f"a {recipient.role} key"
        raise Rejected("bad_recipient", f"expected a registered consumer (user or home key) to transfer to, found "
                                        f"{found}: {shown(to)}")
    if to == holder:
        raise Rejected("bad_recipient", f"expected a recipient other than the holder, found {to} for both")
    held = _take(record, holder, wh)
    held[to] = held.get(to, 0) + wh
    move = {"kind": "transfer", "from": holder, "to": to, "wh": wh, "tx": tx.tx_id, "height": ctx.height,
            "time": ctx.time}
    _store(ctx, record, held, move)
    return {"certificate_id": record["id"], "holder": holder, "to": to, "wh": wh, "held_wh": held.get(holder, 0)}


def retire(tx: Transaction, ctx: Context) -> dict[str, Any]:
    record, holder, wh = _holder_and_amount(tx, ctx)
    body = tx.body
    beneficiary = _text(body, "beneficiary", MAX_BENEFICIARY_CHARS)
    purpose = _text(body, "purpose", MAX_PURPOSE_CHARS)
    year = field(body, "year", int)
    # A reporting year from the year before the certificate's period (a period starting on 1 January in Japan
    # starts on 31 December UTC) to the year after the block's.
    first, last = _utc_year(record["start"]) - 1, _utc_year(ctx.time) + 1
    if not first <= year <= last:
        raise Rejected("bad_body", f"expected a reporting year from {first} to {last}, found {year}", 400)
    held = _take(record, holder, wh)
    move = {"kind": "retire", "holder": holder, "wh": wh, "beneficiary": beneficiary, "purpose": purpose,
            "year": year, "tx": tx.tx_id, "height": ctx.height, "time": ctx.time}
    _store(ctx, record, held, move)
    return {"certificate_id": record["id"], "holder": holder, "retired_wh": wh, "held_wh": held.get(holder, 0)}


def _holder_and_amount(tx: Transaction, ctx: Context) -> tuple[dict[str, Any], str, int]:
    """The certificate's record, the holder the signer may act for and the Wh asked for (checked positive)."""
    signer = ctx.require_role(tx.signer_address, *ROLES)
    body = tx.body
    certificate_id, holder = field(body, "certificate", str), field(body, "holder", str)
    wh = field(body, "wh", int)
    if len(certificate_id) != CERTIFICATE_ID_HEX or any(c not in "0123456789abcdef" for c in certificate_id):
        raise Rejected("bad_body", f"expected a certificate id of {CERTIFICATE_ID_HEX} lowercase hex digits, "
                                   f"found {shown(certificate_id)}", 400)
    if wh <= 0:
        raise Rejected("bad_body", f"expected a positive amount of Wh, found {wh}", 400)
    record = ctx.state.get(cert_key(certificate_id))
    if record is None:
        raise Rejected("unknown_certificate", f"expected an issued certificate, found no certificate "
                                              f"{certificate_id}", 404)
    _may_act(signer, holder, record)
    revoked = record["revoked"]
    if revoked is not None:
        raise Rejected("revoked", f"certificate {certificate_id} was revoked at height {revoked['height']}: its "
                                  f"energy can neither be transferred nor retired", 409)
    if len(moves(record)) >= MAX_MOVES:
        raise Rejected("too_many_moves", f"expected at most {MAX_MOVES} transfers and retirements of one "
                                         f"certificate, found {MAX_MOVES} already on {certificate_id}", 409)
    return record, holder, wh


def _may_act(signer: Entry, holder: str, record: dict[str, Any]) -> None:
    if signer.role in HOLDER_ROLES and signer.address == holder:
        return
    if signer.role == "intermediary" and signer.address == record["issuer"] and holder == record["owner"]:
        return
    raise Rejected("not_holder", f"expected the holder {shown(holder)}'s own key, or the issuer {record['issuer']} "
                                 f"for the owner {record['owner']}, found {signer.role} {signer.address}", 403)


def _take(record: dict[str, Any], holder: str, wh: int) -> dict[str, int]:
    """What the certificate's holders hold less ``wh`` of ``holder``'s (a new map, holders left with nothing
    dropped)."""
    held = holdings(record)
    have = held.get(holder, 0)
    retired = retired_wh(record, holder)
    if have == 0 and retired:
        raise Rejected("already_retired", f"expected Wh of certificate {record['id']} held by {holder}, found all "
                                          f"{retired} Wh it had retired: retired Wh never move again", 409)
    if have == 0:
        raise Rejected("not_holder", f"expected a holder of the certificate, found {shown(holder)} holding none of "
                                     f"it", 403)
    if wh > have:
        raise Rejected("insufficient", f"expected at most the {have} Wh {holder} holds, found {wh}")
    out = dict(held)
    out[holder] = have - wh
    return {k: v for k, v in out.items() if v > 0}


def _store(ctx: Context, record: dict[str, Any], held: dict[str, int], move: dict[str, Any]) -> None:
    updated = {**record, "held": held, "moves": [*moves(record), move]}
    if sum(held.values()) + retired_wh(updated) != record["wh"]:  # cannot happen: the ledger's own invariant
        raise AssertionError(f"certificate {record['id']} would hold {sum(held.values())} Wh and have retired "
                             f"{retired_wh(updated)} Wh, expected {record['wh']} in all")
    ctx.state.put(cert_key(record["id"]), updated)


def _text(body: dict[str, Any], name: str, limit: int) -> str:
    value: str = field(body, name, str)
    if not value.strip() or len(value) > limit:
        raise Rejected("bad_body", f"expected a {name} of 1 to {limit} characters (not only blanks), found "
                                   f"{len(value)} characters", 400)
    if any(c in FORBIDDEN_CHARS for c in value):
        raise Rejected("bad_body", f"expected a {name} of printable characters, found control characters in "
                                   f"{shown(value)}", 400)
    return value


def _utc_year(ts: int) -> int:
    return datetime.fromtimestamp(ts, UTC).year
