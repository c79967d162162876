"""A check made from an auditor's trust anchor alone, with no ledger node at hand (issue #13): the anchor names the
chain and its validators, not the issuers, whose keys are learnt from the ledger. So the issuer's signature cannot
be checked (the step says so, neither passed nor failed), and a certificate PDF's audit bundle proves the issuance,
its finality under the anchor's validators and its record. The kiosk's verify screen (``kiosk.core.auditor_anchor``)
and ``greencert verify --anchor`` offline both make it."""

from __future__ import annotations

from dataclasses import asdict

from ledger_lite.audit import AuditBundle, Report, audit
from ledger_lite.errors import Error
from ledger_lite.payload import peek_payload
from ledger_lite.verification import Trust, clip, shown, verify_issuance


def audit_anchor_offline(payload: str, anchor: Trust, report: Report, *, bundle: AuditBundle | None,
                         reason: str) -> None:
    """Check ``payload`` against the trust ``anchor`` alone (its validators), its PDF's ``bundle`` if any, into
    ``report``; ``reason``: why no ledger node was asked."""
    chain = clip(anchor.chain_id)
    report.add("trust", True, f"the auditor's trust anchor was used (chain {chain}, {len(anchor.validators)} "
                              f"validators), offline: no ledger node answered ({reason}), so the issuer keys, which "
                              f"are learnt from the ledger, are unknown",
               code="trust.anchor_offline", params={"chain": chain, "validators": len(anchor.validators),
                                                    "reason": reason})
    try:
        claims = peek_payload(payload).claims
    except Error:
        audit(payload, anchor, report)  # the payload's own failure, named as any check names it
        return
    report.claims = asdict(claims)
    if claims.chain != anchor.chain_id:
        report.add("payload", False, f"expected a certificate of chain {shown(anchor.chain_id)}, found "
                                     f"{shown(claims.chain)}",
                   code="payload.other_chain", params={"expected": chain, "found": clip(claims.chain)})
        return
    report.add("signature", None, "the issuer's signature could not be checked: offline, the auditor's trust "
                                  "anchor holds the validators' keys only, not the issuers'",
               code="signature.anchor_offline", params={})
    if bundle is None:
        return
    report.source = "bundle"
    if bundle.certificate_id != claims.cid:
        report.add("inclusion", False, f"the audit bundle in the PDF is of certificate {bundle.certificate_id}, "
                                       f"the payload of {claims.cid}",
                   code="inclusion.bundle_of_other", params={"bundle": bundle.certificate_id, "signed": claims.cid})
        return
    # The issuance itself (not the unsigned claims) against the record: final under the anchor's validators.
    checked = verify_issuance(bundle.reader(), claims.cid, anchor.validators, anchor.chain_id,
                              known_headers=anchor.headers)
    for step in checked.steps:
        report.add(step.name, step.ok, step.detail, step.code, step.params)
    header = bundle.head.get("header")
    head = header.get("height") if isinstance(header, dict) else None
    report.note(f"offline: inclusion, finality and the record were proven from the audit bundle in the PDF (the "
                f"ledger as of block {shown(head)}); a revocation after that needs the network (check online "
                f"to see it)", code="note.offline_bundle",
                params={"height": head if isinstance(head, int) and not isinstance(head, bool) else None})


__all__ = ["audit_anchor_offline"]
