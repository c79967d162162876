"""Modification 1 (S311a/S312a): the node side writes the certificate from the ledger's records.

Where "the node side" runs: the ledger node (``ledger/``) stays free of the renderer (reportlab, fonts, formats: the
node is the dependency-light part every consortium company runs), so the node's generation unit 96 runs here, in
the intermediary's process acting for its own node, with ``Settings.render_at = "node"``. It writes the document
from what the node answers alone — the certificate record (amount, period, method, category, issue time,
institution), the issuance's block height, and the certified asset records (half-hourly profile, time-matched Wh)
— never from our database's copy; the signed payload (what the intermediary sent with the request, S305) and the
owner's name in it are the only inputs from this side. For the same certificate it gives the same bytes as the
intermediary's own path (``intermediary.documents``), which tests check.
"""

from __future__ import annotations

from backend_client import ClientError, NodeClient
from intermediary.errors import LedgerUnavailable
from intermediary.time_match import certificate_assets, time_matched_wh
from ledger_lite.certificate import half_hour_profile
from ledger_lite.payload import peek_payload
from printing import CertificateDocument

RENDER_AT = ("intermediary", "node")  # Settings.render_at: who writes the certificate (S212a or S311a)


def document_from_ledger(node: NodeClient, certificate_id: str, payload: str, *,
                         reprint: bool) -> CertificateDocument:
    """S311a: the certificate's document from the node's records and the signed payload."""
    claims = peek_payload(payload).claims
    try:
        record = node.value(f"cert/{certificate_id}")["value"]
        height = int(node.tx(certificate_id)["height"])
        listed = node.assets(str(record["owner"]), method=str(record["method"]), start=int(record["start"]),
                             end=int(record["end"]), trade="completed")
    except ClientError as exc:
        raise LedgerUnavailable(f"the node cannot give certificate {certificate_id}'s records: {exc}") from exc
    certified = certificate_assets(listed, certificate_id)
    start, end = int(record["start"]), int(record["end"])
    profile = half_hour_profile(((int(a["start"]), int(a["wh"])) for a in certified), start, end)
    complete = bool(certified) and len(certified) == int(record.get("count", 0))
    return CertificateDocument(certificate_id=certificate_id, owner=claims.own, amount_wh=int(record["wh"]),
                               period_start=start, period_end=end, production_method=str(record["method"]),
                               category=str(record["category"]), issued_at=int(record["time"]),
                               institution_id=str(record["institution"]), chain_id=claims.chain,
                               block_height=height, payload=payload, profile_wh=profile if complete else (),
                               reprint=reprint, time_matched_wh=time_matched_wh(certified) if complete else None)
