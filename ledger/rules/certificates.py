"""Certificate issuance (S206-S210, S406-S409): all-or-nothing over the selected allocations."""

from __future__ import annotations

from typing import Any

from ledger.errors import AlreadyIssued, Rejected
from ledger.registry import category_of
from ledger.rules.asset_record import asset_key
from ledger.rules.context import Context, field
from ledger.rules.expiry import gone
from ledger_lite import Transaction
from ledger_lite.certificate import MAX_CERT_ASSETS, assets_root
from ledger_lite.time_matching import time_matched_wh


def cert_key(certificate_id: str) -> str:
    return f"cert/{certificate_id}"


def issue(tx: Transaction, ctx: Context) -> dict[str, Any]:
    # An intermediary certifies for its consumers; a user (direct mode) and a home (seed 003: the energy it bought
    # from the battery) certify only what they own.
    signer = ctx.require_role(tx.signer_address, "intermediary", "user", "home")
    body = tx.body
    owner, institution = field(body, "owner", str), field(body, "institution", str)
    asset_ids = field(body, "assets", list)
    if signer.role != "intermediary" and signer.address != owner:
        raise Rejected("not_owner", f"a {signer.role} key may only certify its own assets: signer {signer.address}, "
                                    f"owner {owner}", 403)
    if not 0 < len(asset_ids) <= MAX_CERT_ASSETS:
        raise Rejected("bad_body", f"expected 1 to {MAX_CERT_ASSETS} assets, found {len(asset_ids)}", 400)
    if not all(isinstance(a, str) for a in asset_ids) or len(set(asset_ids)) != len(asset_ids):
        raise Rejected("bad_body", "expected distinct asset ids (text)", 400)
    # The stored records are checked and marked as they are (ledger.rules.asset_record: ``pack`` of the full asset
    # with ``cert`` set is the stored record plus ``cert``), without unpacking and packing each of up to 900 assets.
    stored_assets: list[tuple[str, dict[str, Any]]] = []
    ctx.state.prefetch([asset_key(asset_id) for asset_id in asset_ids])  # one batch of reads, not one an asset
    for asset_id in asset_ids:
        stored = ctx.state.get(asset_key(asset_id))
        if stored is None:
            raise Rejected("unknown_asset", gone(asset_id), 404)
        # S208: issued → the whole request fails, naming the certificate (S209b).
        if stored.get("cert") is not None:
            raise AlreadyIssued(asset_id, stored["cert"])
        if stored["owner"] != owner or stored["trade"] != "completed":
            raise Rejected("not_owner", f"asset {asset_id} is not allocated to {owner}", 403)
        stored_assets.append((asset_id, stored))
    methods = {stored["method"] for _, stored in stored_assets}
    if len(methods) != 1:
        raise Rejected("mixed_methods", f"expected one production method per certificate, found {sorted(methods)}")
    # S209a/S210a: record the issuance and mark every asset issued.
    for asset_id, stored in stored_assets:
        ctx.state.put(asset_key(asset_id), {**stored, "cert": tx.tx_id})
    method = stored_assets[0][1]["method"]
    ids = sorted(asset_ids)
    record = {"id": tx.tx_id, "owner": owner, "method": method, "category": category_of(method),
              "wh": sum(stored["wh"] for _, stored in stored_assets), "count": len(stored_assets),
              "start": min(stored["start"] for _, stored in stored_assets),
              "end": max(stored["end"] for _, stored in stored_assets), "institution": institution,
              "issuer": signer.address, "time": ctx.time, "height": ctx.height, "assets": ids,
              "assets_root": assets_root(ids), "revoked": None,
              # Issue 15: the Wh generated inside the usage interval they were allocated to, proven with the record.
              "tm": time_matched_wh(stored for _, stored in stored_assets)}
    # Seed 003: energy discharged from a storage battery names where it came from (ledger.rules.trading_origin).
    origins = [{"asset": asset_id, "battery": stored["origin"]["battery"], "delivery": stored["origin"]["delivery"],
                "homes": sorted({lot["home"] for lot in stored["origin"]["lots"]}),
                "loss_wh": stored["origin"]["loss_wh"]}
               for asset_id, stored in stored_assets if stored.get("origin")]
    if origins:
        record["origin"] = origins
    ctx.state.put(cert_key(tx.tx_id), record)
    # The record but its list of assets (which ``assets_root`` proves) goes back to the issuer with the outcome, so
    # that it need not ask for the record again (intermediary.issuance).
    return {"certificate_id": tx.tx_id, "wh": record["wh"],
            "record": {name: value for name, value in record.items() if name != "assets"}}
