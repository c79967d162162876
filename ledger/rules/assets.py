"""Asset generation from meter readings (S61-S67) and allocation to consumers (S90-S93)."""

from __future__ import annotations

from typing import Any

from ledger.errors import Rejected, shown
from ledger.rules import coverage
from ledger.rules.asset_record import asset_key, generated_record, get_asset, put_asset
from ledger.rules.context import Context, field
from ledger.rules.expiry import gone
from ledger.rules.periods import DAY, add_month
from ledger_lite import Transaction, canonical, sha256
from ledger_lite.certificate import INTERVAL_S as HALF_HOUR

# A meter may read up to 5 % above nameplate capacity × duration (meter class accuracy and short overloads).
CAPACITY_MARGIN_PERCENT = 5
MAX_PARTS = 256
# A reading whose asset would be born expired (a month after its end) is refused, so no accepted reading starts
# more than a month (≤ 31 days) and its length (≤ a day) before the block time: older reported intervals can
# never be overlapped again and are forgotten.
LATE_HORIZON = 32 * DAY
IMMUTABLE = ("id", "provider", "meter", "method", "start", "end", "generated_wh", "gen_tx")


def immutable_hash(asset: dict[str, Any]) -> bytes:
    """Hash of the fields an asset keeps for life; a split child records its parent's (lineage)."""
    return sha256(canonical({name: asset[name] for name in IMMUTABLE}))


def generate(tx: Transaction, ctx: Context) -> dict[str, Any]:
    """S63-S65: verify the provided information and create the asset, owned by the named intermediary."""
    meter = ctx.require_role(tx.signer_address, "meter")
    body = tx.body
    provider, method = field(body, "provider", str), field(body, "method", str)
    start, end, wh = field(body, "start", int), field(body, "end", int), field(body, "wh", int)
    owner = field(body, "owner", str)
    if provider != meter.attrs["provider"] or method != meter.attrs["method"]:
        raise Rejected("meter_mismatch", f"meter {meter.address} is bound to {meter.attrs['provider']}/"
                                         f"{meter.attrs['method']}, found {provider}/{method}")
    if start % HALF_HOUR or end <= start or (end - start) % HALF_HOUR or end - start > DAY:
        raise Rejected("misaligned", f"expected an interval of 30-minute steps aligned to :00/:30, up to a day, "
                                     f"found {start}..{end}")
    if start < 0:
        raise Rejected("misaligned", f"expected a reading after 1970, found start {start}")
    if end > ctx.time:
        raise Rejected("future_reading", f"reading ends at {end}, after the block time {ctx.time}")
    capacity_wh = meter.attrs["capacity_w"] * (end - start) // 3600
    limit = capacity_wh * (100 + CAPACITY_MARGIN_PERCENT) // 100
    if not 0 < wh <= limit:
        raise Rejected("over_capacity", f"expected 0 < Wh <= {limit} for {meter.attrs['capacity_w']} W over "
                                        f"{end - start} s, found {wh}")
    bound = meter.attrs.get("intermediary")
    if bound is not None and owner != bound:
        # S23-S24: the meter reports to the intermediary its producer registered, and to no other.
        raise Rejected("wrong_intermediary", f"meter {meter.address} is registered to report to intermediary "
                                             f"{bound}, found owner {shown(owner)}", 403)
    ctx.require_role(owner, "intermediary")
    expires = add_month(end)
    if expires <= ctx.time:
        raise Rejected("too_late", f"reading ends at {end}: its asset would have expired at {expires}, before the "
                                   f"block time {ctx.time}")
    meter_key = f"meter/{meter.address}"
    reported = coverage.covered(ctx.state.get(meter_key))
    clash = coverage.overlap(reported, start, end)
    if clash is not None:
        raise Rejected("overlap", f"reading {start}..{end} overlaps {clash[0]}..{clash[1]}, which the meter "
                                  f"already reported")
    ctx.state.put(meter_key, {"covered": coverage.add(reported, start, end, ctx.time - LATE_HORIZON)})
    # its id is the transaction's, which admission found new: no asset can be there yet
    ctx.state.create(asset_key(tx.tx_id), generated_record(provider, meter.address, method, start, end, wh, owner,
                                                           expires))
    return {"asset_id": tx.tx_id}


def allocate(tx: Transaction, ctx: Context) -> dict[str, Any]:
    """S91-S93: the owner moves (parts of) assets to a consumer; a part splits the asset with lineage."""
    ctx.require_role(tx.signer_address, "intermediary")
    body = tx.body
    to = field(body, "to", str)
    usage_start, usage_end = field(body, "usage_start", int), field(body, "usage_end", int)
    parts = field(body, "parts", list)
    ctx.require_role(to, "user")
    if not 0 < len(parts) <= MAX_PARTS:
        raise Rejected("bad_body", f"expected 1 to {MAX_PARTS} parts, found {len(parts)}", 400)
    if usage_end <= usage_start:
        raise Rejected("bad_body", f"expected usage_start < usage_end, found {usage_start}..{usage_end}", 400)
    ctx.state.prefetch([asset_key(part["asset"]) for part in parts  # one batch of reads, not one a part
                        if isinstance(part, dict) and isinstance(part.get("asset"), str)])
    created = []
    for index, part in enumerate(parts):
        if not isinstance(part, dict):
            raise Rejected("bad_body", f"expected part {index} as a map, found {type(part).__name__}", 400)
        asset_id, wh = field(part, "asset", str), field(part, "wh", int)
        asset = get_asset(ctx.state, asset_id)
        if asset is None:
            raise Rejected("unknown_asset", f"part {index}: {gone(asset_id)}", 404)
        if asset["trade"] != "open":
            raise Rejected("completed", f"part {index}: asset {asset_id} is already completed")
        if asset["owner"] != tx.signer_address:
            raise Rejected("not_owner", f"part {index}: asset {asset_id} is owned by {asset['owner']}, "
                                        f"not by the signer {tx.signer_address}", 403)
        if asset["expires"] <= ctx.time:
            raise Rejected("expired", f"part {index}: asset {asset_id} expired at {asset['expires']}")
        if not 0 < wh <= asset["wh"]:
            raise Rejected("insufficient", f"part {index}: expected 0 < Wh <= {asset['wh']} left in {asset_id}, "
                                           f"found {wh}")
        if wh == asset["wh"]:
            # S93: the whole tradable amount is used: the asset changes owner and is completed.
            moved = {**asset, "owner": to, "trade": "completed", "usage_start": usage_start, "usage_end": usage_end}
            put_asset(ctx.state, moved)
            created.append(asset_id)
            continue
        child_id = sha256(canonical(["split", asset_id, tx.tx_id, index])).hex()
        child = {**asset, "id": child_id, "wh": wh, "owner": to, "trade": "completed", "parent": asset_id,
                 "parent_hash": immutable_hash(asset), "usage_start": usage_start, "usage_end": usage_end}
        put_asset(ctx.state, child)
        put_asset(ctx.state, {**asset, "wh": asset["wh"] - wh})
        created.append(child_id)
    return {"assets": created}
