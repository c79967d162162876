"""Certificate revocation: "revocation by the issuer with a reason" (DESIGN.md "The ledger", seed 000 types).

Body ``{"certificate": <certificate id, hex>, "reason": <text, 1..500 characters>}``. Only the certificate's
issuer may revoke it: the ``issuer`` address in its record, i.e. the intermediary that issued it (S206-S210) or
the applicant's user key for a certificate the kiosk issued with it (Modification 2, S401-S412).

A revoked certificate stays on the ledger and reads as revoked (DESIGN.md "The certificate": the light node checks
"that the certificate is not revoked"): its record ``cert/<id>`` keeps every field and gets
``revoked = {"reason", "time", "height", "tx"}``. Its assets stay certified (``asset.cert`` still names it).
Revocation never makes the same energy certifiable again: the ledger never lets the same asset be certified twice
(seed 000, S208), and a revoked certificate does not give its energy back — a re-issue is refused with
``already_issued`` naming the revoked certificate.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import Rejected
from ledger.registry import ROLES
from ledger.rules.certificates import cert_key
from ledger.rules.context import Context, field
from ledger_lite import Transaction

MAX_REASON_CHARS = 500
CERTIFICATE_ID_HEX = 64  # a certificate id is its issuance tx id, SHA-256 in hex


def revoke(tx: Transaction, ctx: Context) -> dict[str, Any]:
    # The signer must still be registered (a key removed by governance can no longer act); which role it has
    # is decided by the certificate's record below.
    ctx.require_role(tx.signer_address, *ROLES)
    body = tx.body
    certificate_id, reason = field(body, "certificate", str), field(body, "reason", str)
    if len(certificate_id) != CERTIFICATE_ID_HEX or any(c not in "0123456789abcdef" for c in certificate_id):
        raise Rejected("bad_body", f"expected a certificate id of {CERTIFICATE_ID_HEX} lowercase hex digits, "
                                   f"found {certificate_id[:80]!r}", 400)
    if not reason.strip() or len(reason) > MAX_REASON_CHARS:
        raise Rejected("bad_body", f"expected a reason of 1 to {MAX_REASON_CHARS} characters (not only blanks), "
                                   f"found {len(reason)} characters", 400)
    record = ctx.state.get(cert_key(certificate_id))
    if record is None:
        raise Rejected("unknown_certificate", f"expected an issued certificate, found no certificate "
                                              f"{certificate_id}", 404)
    if record["issuer"] != tx.signer_address:
        raise Rejected("not_issuer", f"only the issuer {record['issuer']} may revoke certificate {certificate_id}, "
                                     f"found signer {tx.signer_address}", 403)
    revoked = record["revoked"]
    if revoked is not None:
        raise Rejected("already_revoked", f"certificate {certificate_id} was already revoked at height "
                                          f"{revoked['height']} by transaction {revoked['tx']}", 409)
    ctx.state.put(cert_key(certificate_id), {**record, "revoked": {"reason": reason, "time": ctx.time,
                                                                    "height": ctx.height, "tx": tx.tx_id}})
    return {"certificate_id": certificate_id, "revoked_at": ctx.time}
