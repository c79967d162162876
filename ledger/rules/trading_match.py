"""``trade.match`` (S209–S213, 4th transaction; mod 5: the smart contract decides, every validator alike).

A validator asks for the battery to be matched at ``time`` (not before the previous match, not after the block
time). In this order:

1. Reservations whose request window ended more than ``TIME_WINDOW_S`` ago without a delivery *lapse*: their
   energy and points are released, a token can back another request (the battery did not deliver: on record).
2. Open requests whose window has ended *expire* (mod 2: the home may request again at a new time or price);
   their points and token are released.
3. Open requests whose window contains ``time`` are served in order: token holders first (mod 8), then highest
   ``max_price``, then the nearest home on the grid (mod 7: ``distance``, hops from the home's grid node to the
   battery's), then the oldest request id. The contract's buy price at ``time`` (mods 6, 12) must not exceed the
   request's ``max_price`` (a token's price was fixed when bought); the energy drawn for it (losses included)
   must fit in what is stored and not yet reserved. A request served gets a reservation (S213: the battery is
   asked to send); one not served stays open and is reported with why (``price`` or ``short``, S212).

The result lists what was reserved, what waits and why, what expired and lapsed, and ``short_wh``, how much more
stored energy would have served the requests waiting for energy (mod 10: sellers can be asked, at the sell price
the result gives, which rises as the battery runs low).
"""

from __future__ import annotations

from typing import Any

from ledger.errors import Rejected
from ledger.rules.context import Context, field
from ledger.rules.trading_records import (
    battery_id,
    battery_key,
    exact_body,
    get_battery,
    get_points,
    held,
    open_key,
    put_points,
    request_key,
    reservation_key,
    server_of,
    token_key,
)
from ledger_lite import Transaction
from ledger_lite.trading import TIME_WINDOW_S, buy_price, cost, draw_wh, sell_price


def _release(ctx: Context, home: str, points: int, token: str | None) -> None:
    if points:
        account = get_points(ctx, home)
        put_points(ctx, home, {**account, "reserved": account["reserved"] - points})
    if token is not None:
        ctx.state.put(token_key(token), {**held(ctx, token_key(token)), "request": None})


def match(tx: Transaction, ctx: Context) -> dict[str, Any]:
    body = tx.body
    exact_body(body, ("battery", "time"))
    ctx.require_role(tx.signer_address, "validator")
    battery = battery_id(body)
    time = field(body, "time", int)
    if time > ctx.time:
        raise Rejected("future_time", f"expected a match time at or before the block time {ctx.time}, found {time}")
    record = get_battery(ctx, battery)
    server = server_of(ctx, record)
    if record["match_time"] is not None and time < record["match_time"]:
        raise Rejected("stale_time", f"expected a match time at or after the previous match at "
                                     f"{record['match_time']}, found {time}")
    capacity, efficiency = server.attrs["capacity_wh"], server.attrs["efficiency_pct"]
    stored, reserved = record["stored_wh"], record["reserved_wh"]
    waiting = ctx.state.get(open_key(battery)) or {"requests": [], "reserved": []}

    # 1. Reservations never delivered lapse.
    lapsed, still_reserved = [], []
    for request_id in waiting["reserved"]:
        reservation = held(ctx, reservation_key(request_id))
        if reservation["end"] + TIME_WINDOW_S >= time:
            still_reserved.append(request_id)
            continue
        reserved -= reservation["draw_wh"]
        request = held(ctx, request_key(request_id))
        _release(ctx, reservation["home"], reservation["points"], request["token"])
        ctx.state.put(reservation_key(request_id), {**reservation, "status": "lapsed", "lapsed_at": time})
        ctx.state.put(request_key(request_id), {**request, "status": "lapsed"})
        lapsed.append(request_id)

    # 2. Requests past their window expire; those whose window holds ``time`` are candidates.
    expired, still_open, candidates = [], [], []
    for request_id in waiting["requests"]:
        request = held(ctx, request_key(request_id))
        if request["end"] <= time:
            _release(ctx, request["home"], request["points"], request["token"])
            ctx.state.put(request_key(request_id), {**request, "status": "expired"})
            expired.append(request_id)
        else:
            still_open.append(request_id)
            if request["start"] <= time:
                candidates.append((request_id, request))
    candidates.sort(key=lambda c: (c[1]["token"] is None, -c[1]["max_price"], c[1]["distance"], c[0]))

    # 3. Serve in order while the energy lasts; never more reserved than stored.
    price = buy_price(time, stored, capacity)
    served, waits, short_draw = [], [], 0
    for request_id, request in candidates:
        wh, home = request["wh"], request["home"]
        unit = price if request["token"] is None else request["token_price"]
        if request["token"] is None and price > request["max_price"]:
            waits.append({"request": request_id, "reason": "price", "wh": wh, "max_price": request["max_price"]})
            continue
        need = draw_wh(wh, efficiency)
        if stored - reserved < need:
            waits.append({"request": request_id, "reason": "short", "wh": wh, "draw_wh": need})
            short_draw += need
            continue
        reserved += need
        points = 0
        if request["pay"] == "points":
            points = cost(wh, unit)
            _release(ctx, home, request["points"] - points, None)
        ctx.state.put(reservation_key(request_id), {
            "request": request_id, "battery": battery, "home": home, "wh": wh, "draw_wh": need,
            "efficiency_pct": efficiency, "price": unit, "pay": request["pay"], "points": points, "end": request["end"],
            "time": time, "match": tx.tx_id, "height": ctx.height, "status": "reserved", "delivery": None})
        ctx.state.put(request_key(request_id), {**request, "status": "reserved"})
        still_open.remove(request_id)
        still_reserved.append(request_id)
        served.append({"request": request_id, "home": home, "wh": wh, "draw_wh": need, "price": unit})

    if reserved > stored:  # guarded above; the invariant the seed asks for (never oversold)
        raise Rejected("battery_inconsistent", f"battery {battery}: {reserved} Wh reserved of {stored} Wh", 500)
    ctx.state.put(battery_key(battery), {**record, "reserved_wh": reserved, "match_time": time})
    ctx.state.put(open_key(battery), {"requests": still_open, "reserved": still_reserved})
    available = stored - reserved
    return {"battery": battery, "time": time, "price": price, "sell_price": sell_price(time, stored, capacity),
            "reserved": served, "waiting": waits, "expired": expired, "lapsed": lapsed, "available_wh": available,
            "short_wh": max(0, short_draw - available)}
