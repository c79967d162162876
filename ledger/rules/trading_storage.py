"""The storage management server's own records (mods 9, 11): energy received, state of charge, energy delivered.

* ``storage.receipt`` (S106): energy a registered home sent over [start, end); within the battery's charge
  power and capacity; adds a lot with its origin (the home) to the battery, and waits to back one sale.
* ``storage.report`` (S210, mod 11): the state of charge measured. Compared with the ledger's account, the
  difference is recorded; a shortfall (self-discharge, metering) is written off, oldest lots first, but never
  below what is reserved; a surplus is recorded only — a report never creates energy.
* ``storage.delivery`` (S214, 3rd transaction): the battery sent a reservation's energy (at most what was
  reserved); the round-trip losses come off the stored energy, the origin lots are consumed first in first out
  and listed, the buyer pays (yen recorded, points deducted, or a token's prepayment) and any energy reserved but
  not delivered is released. One delivery settles a reservation; a reservation not delivered by its request's
  end (± ``TIME_WINDOW_S``) lapses at the next match (``ledger.rules.trading_match``). Each receipt counts what
  deliveries and write-offs took from its lot: a seller paid after its buyers (mod 4) is paid when its lot empties
  (``ledger.rules.trading_incentives``). The energy delivered becomes the buyer's asset with its origin
  (``ledger.rules.trading_origin``), certifiable once like any seed-000 asset.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import Rejected
from ledger.rules.context import Context, field
from ledger.rules.trading_incentives import lots_taken
from ledger.rules.trading_origin import discharged_asset
from ledger.rules.trading_records import (
    account,
    add_lot,
    battery_id,
    battery_key,
    exact_body,
    get_battery,
    get_points,
    held,
    home_of,
    interval,
    open_key,
    own_storage,
    positive,
    put_points,
    receipt_key,
    request_key,
    reservation_key,
    take_lots,
    unsold_key,
)
from ledger_lite import Transaction
from ledger_lite.trading import SALE_HORIZON_S, TIME_WINDOW_S, cost, draw_wh, sell_price


def _not_future(end: int, ctx: Context, what: str) -> None:
    if end > ctx.time:
        raise Rejected("future_time", f"expected a {what} ending by the block time {ctx.time}, found end {end}")


def receipt(tx: Transaction, ctx: Context) -> dict[str, Any]:
    body = tx.body
    exact_body(body, ("battery", "home", "start", "end", "wh"))
    battery = battery_id(body)
    server = own_storage(ctx, tx.signer_address, battery)
    home = field(body, "home", str)
    home_of(ctx, home, battery)
    start, end = interval(body)
    wh = positive(body, "wh")
    _not_future(end, ctx, "receipt")
    limit = server.attrs["max_charge_w"] * (end - start) // 3600
    if wh > limit:
        raise Rejected("over_charge_rate", f"expected at most {limit} Wh charged at {server.attrs['max_charge_w']} W "
                                           f"over {end - start} s, found {wh}")
    record = account(ctx, battery, server)
    capacity = server.attrs["capacity_wh"]
    if record["stored_wh"] + wh > capacity:
        raise Rejected("battery_full", f"expected at most {capacity - record['stored_wh']} Wh more in battery "
                                       f"{battery} ({record['stored_wh']} of {capacity} Wh stored), found {wh}")
    unsold = ctx.state.get(unsold_key(battery, home)) or {"last_end": 0, "receipts": [], "sold": []}
    if start < unsold["last_end"]:
        raise Rejected("overlap", f"expected a receipt of home {home} starting at or after its previous one's end "
                                  f"{unsold['last_end']}, found {start}..{end}")
    # The seller's price: the time the energy was sent, the state of charge before it arrived (mods 6, 12).
    price = sell_price(start, record["stored_wh"], capacity)
    record = add_lot(ctx, record, {"receipt": tx.tx_id, "home": home, "start": start, "end": end, "wh": wh})
    record = {**record, "stored_wh": record["stored_wh"] + wh, "received_wh": record["received_wh"] + wh}
    ctx.state.put(battery_key(battery), record)
    ctx.state.put(receipt_key(tx.tx_id), {"battery": battery, "home": home, "start": start, "end": end, "wh": wh,
                                          "price": price, "time": ctx.time, "height": ctx.height, "sale": None})
    # Receipts a sale may still use; older ones can no longer back a sale and leave the index.
    kept = [r for r in unsold["receipts"] if r[2] + SALE_HORIZON_S > ctx.time]
    ctx.state.put(unsold_key(battery, home), {**unsold, "last_end": end,
                                              "receipts": [*kept, [tx.tx_id, start, end, wh]]})
    return {"receipt": tx.tx_id, "battery": battery, "stored_wh": record["stored_wh"], "price": price}


def report(tx: Transaction, ctx: Context) -> dict[str, Any]:
    body = tx.body
    exact_body(body, ("battery", "time", "stored_wh"))
    battery = battery_id(body)
    server = own_storage(ctx, tx.signer_address, battery)
    time, measured = field(body, "time", int), field(body, "stored_wh", int)
    if time > ctx.time:
        raise Rejected("future_time", f"expected a report at or before the block time {ctx.time}, found {time}")
    capacity = server.attrs["capacity_wh"]
    if not 0 <= measured <= capacity:
        raise Rejected("over_capacity", f"expected 0 <= stored_wh <= the capacity {capacity}, found {measured}")
    record = account(ctx, battery, server)
    last = record["report"]
    if last is not None and time < last["time"]:
        raise Rejected("stale_time", f"expected a report at or after the previous one at {last['time']}, found "
                                     f"{time}")
    ledger_wh = record["stored_wh"]
    difference = measured - ledger_wh
    written_off = min(-difference, ledger_wh - record["reserved_wh"]) if difference < 0 else 0
    lots: list[dict[str, Any]] = []
    if written_off:
        record, lots = take_lots(ctx, record, written_off)
        lots_taken(ctx, tx, lots, delivered=False)
        record = {**record, "stored_wh": ledger_wh - written_off,
                  "self_discharge_wh": record["self_discharge_wh"] + written_off}
    record = {**record, "report": {"tx": tx.tx_id, "time": time, "measured_wh": measured, "ledger_wh": ledger_wh,
                                   "difference_wh": difference, "written_off_wh": written_off}}
    ctx.state.put(battery_key(battery), record)
    return {"battery": battery, "measured_wh": measured, "ledger_wh": ledger_wh, "difference_wh": difference,
            "written_off_wh": written_off, "stored_wh": record["stored_wh"], "lots": len(lots)}


def delivery(tx: Transaction, ctx: Context) -> dict[str, Any]:
    body = tx.body
    exact_body(body, ("battery", "reservation", "start", "end", "wh"))
    battery = battery_id(body)
    server = own_storage(ctx, tx.signer_address, battery)
    request_id = field(body, "reservation", str)
    start, end = interval(body)
    wh = positive(body, "wh")
    _not_future(end, ctx, "delivery")
    reservation = ctx.state.get(reservation_key(request_id))
    if reservation is None or reservation["battery"] != battery:
        raise Rejected("unknown_reservation", f"expected a reservation of battery {battery}, found none for request "
                                              f"{request_id[:80]}", 404)
    if reservation["status"] != "reserved":
        by = f" by delivery {reservation['delivery']['tx']}" if reservation["delivery"] else ""
        raise Rejected("already_settled", f"expected a reservation still to deliver, found request {request_id} "
                                          f"{reservation['status']}{by}", 409)
    if wh > reservation["wh"]:
        raise Rejected("over_reservation", f"expected at most the {reservation['wh']} Wh reserved, found {wh}")
    if start + TIME_WINDOW_S < reservation["time"]:
        raise Rejected("bad_interval", f"expected a delivery starting after the match at {reservation['time']} "
                                        f"(± {TIME_WINDOW_S} s), found {start}", 400)
    limit = server.attrs["max_discharge_w"] * (end - start) // 3600
    if wh > limit:
        raise Rejected("over_discharge_rate", f"expected at most {limit} Wh discharged at "
                                              f"{server.attrs['max_discharge_w']} W over {end - start} s, found {wh}")
    record = {**get_battery(ctx, battery), "server": server.address}
    # Losses on the way out (round trip), at the efficiency the reservation was made with: draw <= reserved draw.
    draw = draw_wh(wh, reservation["efficiency_pct"])
    record, lots = take_lots(ctx, record, draw)
    record = {**record, "stored_wh": record["stored_wh"] - draw,
              "reserved_wh": record["reserved_wh"] - reservation["draw_wh"],
              "delivered_wh": record["delivered_wh"] + wh, "loss_wh": record["loss_wh"] + draw - wh}
    ctx.state.put(battery_key(battery), record)
    pay, home = reservation["pay"], reservation["home"]
    amount = 0 if pay == "token" else cost(wh, reservation["price"])
    if reservation["points"] or pay == "points":
        points = get_points(ctx, home)
        put_points(ctx, home, {**points, "balance": points["balance"] - amount, "spent": points["spent"] + amount,
                               "reserved": points["reserved"] - reservation["points"]})
    settled = {"tx": tx.tx_id, "wh": wh, "draw_wh": draw, "start": start, "end": end, "time": ctx.time,
               "height": ctx.height, "paid": {"pay": pay, "amount": amount}, "lots": lots}
    ctx.state.put(reservation_key(request_id), {**reservation, "status": "delivered", "delivery": settled})
    request = held(ctx, request_key(request_id))
    ctx.state.put(request_key(request_id), {**request, "status": "delivered"})
    waiting = held(ctx, open_key(battery))
    ctx.state.put(open_key(battery), {**waiting, "reserved": [r for r in waiting["reserved"] if r != request_id]})
    # Mod 4: the buyer has paid; sellers whose energy this emptied out of the battery are paid their incentive.
    incentives = lots_taken(ctx, tx, lots, delivered=True)
    # The energy keeps its renewable origin: an asset of the buyer that a seed-000 certificate can certify once.
    asset = discharged_asset(ctx, delivery=tx.tx_id, reservation=reservation, server=server.address, lots=lots,
                             wh=wh, start=start, end=end)
    result = {"reservation": request_id, "home": home, "wh": wh, "draw_wh": draw, "loss_wh": draw - wh,
              "released_wh": reservation["draw_wh"] - draw, "paid": {"pay": pay, "amount": amount}, "lots": lots,
              "stored_wh": record["stored_wh"], "asset": asset}
    return {**result, "incentives": incentives} if incentives else result
