"""Certificate issuance (S206-S210, S406-S409): all-or-nothing over the selected allocations."""

from __future__ import annotations

from typing import Any

from ledger.errors import AlreadyIssued, Rejected
from ledger.rules.asset_record import get_asset, put_asset
from ledger.rules.context import Context, field
from ledger_lite import Transaction, merkle_root
from ledger_lite.certificate import MAX_CERT_ASSETS


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
    assets = []
    for asset_id in asset_ids:
        asset = get_asset(ctx.state, asset_id)
        if asset is None:
            raise Rejected("unknown_asset", f"no asset {asset_id}", 404)
        # S208: issued → the whole request fails, naming the certificate (S209b).
        if asset["cert"] is not None:
            raise AlreadyIssued(asset_id, asset["cert"])
        if asset["owner"] != owner or asset["trade"] != "completed":
            raise Rejected("not_owner", f"asset {asset_id} is not allocated to {owner}", 403)
        assets.append(asset)
    methods = {a["method"] for a in assets}
    if len(methods) != 1:
        raise Rejected("mixed_methods", f"expected one production method per certificate, found {sorted(methods)}")
    # S209a/S210a: record the issuance and mark every asset issued.
    for asset in assets:
        put_asset(ctx.state, {**asset, "cert": tx.tx_id})
    record = {"id": tx.tx_id, "owner": owner, "method": assets[0]["method"], "category": assets[0]["category"],
              "wh": sum(a["wh"] for a in assets), "count": len(assets), "start": min(a["start"] for a in assets),
              "end": max(a["end"] for a in assets), "institution": institution, "issuer": signer.address,
              "time": ctx.time, "height": ctx.height, "assets": sorted(asset_ids),
              "assets_root": merkle_root([bytes.fromhex(a) for a in sorted(asset_ids)]), "revoked": None}
    # Seed 003: energy discharged from a storage battery names where it came from (ledger.rules.trading_origin).
    origins = [{"asset": a["id"], "battery": a["origin"]["battery"], "delivery": a["origin"]["delivery"],
                "homes": sorted({lot["home"] for lot in a["origin"]["lots"]}), "loss_wh": a["origin"]["loss_wh"]}
               for a in assets if a.get("origin")]
    if origins:
        record["origin"] = origins
    ctx.state.put(cert_key(tx.tx_id), record)
    return {"certificate_id": tx.tx_id, "wh": record["wh"]}
