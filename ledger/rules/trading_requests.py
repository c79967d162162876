"""``trade.request`` (S203–S208, 2nd transaction) and ``trade.token`` (mod 8): what a home wants to buy.

S205: a request names a battery on the ledger, a window [start, end) not yet over and at most
``MAX_WINDOW_S`` long, a positive amount the battery could hold at all (``beyond_battery``), a price
``max_price`` >= 0 yen/kWh and ``pay`` among ``PAYMENTS``. Paying with points (mod 3) reserves
``cost(wh, max_price)`` of the home's points now, so points never run negative; the match lowers the reservation
to the price it found. With ``token`` (mod 8) the request draws on the home's own unused token for this battery
(``wh`` at most the token's): it was paid for when bought, and it is matched before other requests at the
token's price. The request stays ``open`` until a match reserves energy for it or its window ends.

``trade.token``: the right to draw ``wh`` from the battery later, bought at ``price`` yen/kWh, at least the
contract's buy price at the block time; the yen owed is recorded. A token backs one request; if that request
expires unserved, or its reservation lapses undelivered, the token can back another.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import Rejected
from ledger.rules.context import Context, field
from ledger.rules.trading_records import (
    battery_id,
    exact_body,
    get_battery,
    get_points,
    home_of,
    interval,
    open_key,
    positive,
    put_points,
    request_key,
    server_of,
    token_key,
)
from ledger_lite import Transaction
from ledger_lite.trading import (
    HOME,
    MAX_OPEN_REQUESTS,
    MAX_WINDOW_S,
    PAYMENTS,
    buy_price,
    cost,
    draw_wh,
    grid_distance,
)


def _price(body: dict[str, Any], name: str) -> int:
    value: int = field(body, name, int)
    if value < 0:
        raise Rejected("bad_body", f"expected a {name!r} of 0 or more yen/kWh, found {value}", 400)
    return value


def _within_battery(wh: int, server_attrs: dict[str, Any], battery: str) -> None:
    capacity, efficiency = server_attrs["capacity_wh"], server_attrs["efficiency_pct"]
    if draw_wh(wh, efficiency) > capacity:
        most = capacity * efficiency // 100
        raise Rejected("beyond_battery", f"expected at most {most} Wh, what battery {battery} delivers when full "
                                         f"({capacity} Wh at {efficiency} % round trip), found {wh}")


def request(tx: Transaction, ctx: Context) -> dict[str, Any]:
    body = tx.body
    exact_body(body, ("battery", "start", "end", "wh", "max_price", "pay"), ("token",))
    battery = battery_id(body)
    ctx.require_role(tx.signer_address, HOME)
    home = home_of(ctx, tx.signer_address, battery)
    start, end = interval(body)
    if end - start > MAX_WINDOW_S:
        raise Rejected("bad_interval", f"expected a window of at most {MAX_WINDOW_S} s, found {end - start} s", 400)
    if end <= ctx.time:
        raise Rejected("expired", f"expected a window ending after the block time {ctx.time}, found end {end}")
    wh, max_price = positive(body, "wh"), _price(body, "max_price")
    pay = field(body, "pay", str)
    if pay not in PAYMENTS:
        raise Rejected("bad_body", f"expected 'pay' among {PAYMENTS}, found {pay[:40]!r}", 400)
    server = server_of(ctx, get_battery(ctx, battery))
    _within_battery(wh, server.attrs, battery)
    waiting = ctx.state.get(open_key(battery)) or {"requests": [], "reserved": []}
    if len(waiting["requests"]) >= MAX_OPEN_REQUESTS:
        raise Rejected("too_many_requests", f"expected fewer than {MAX_OPEN_REQUESTS} open requests on battery "
                                            f"{battery}, found {len(waiting['requests'])}: try again after a match",
                       409)
    token_id, token_price, points = None, None, 0
    if "token" in body:
        token_id = field(body, "token", str)
        token = ctx.state.get(token_key(token_id))
        if token is None:
            raise Rejected("unknown_token", f"expected a token bought by trade.token, found no token "
                                            f"{token_id[:80]!r}", 404)
        if token["home"] != home.address:
            raise Rejected("not_owner", f"token {token_id} belongs to {token['home']}, not to the signer "
                                        f"{home.address}", 403)
        if token["battery"] != battery:
            raise Rejected("wrong_battery", f"token {token_id} draws on battery {token['battery']!r}, found "
                                            f"battery {battery!r}", 403)
        if token["request"] is not None:
            raise Rejected("token_used", f"expected an unused token, found token {token_id} backing request "
                                         f"{token['request']}", 409)
        if wh > token["wh"]:
            raise Rejected("over_token", f"expected at most the token's {token['wh']} Wh, found {wh}")
        ctx.state.put(token_key(token_id), {**token, "request": tx.tx_id})
        pay, token_price = "token", token["price"]
    elif pay == "points":
        points = cost(wh, max_price)
        account = get_points(ctx, home.address)
        available = account["balance"] - account["reserved"]
        if points > available:
            raise Rejected("insufficient_points", f"expected {points} points for {wh} Wh at up to {max_price} "
                                                  f"yen/kWh, found {available} available ({account['balance']} "
                                                  f"held, {account['reserved']} reserved)", 409)
        put_points(ctx, home.address, {**account, "reserved": account["reserved"] + points})
    distance = grid_distance(home.attrs["node"], server.attrs["grid_node"])
    ctx.state.put(request_key(tx.tx_id), {
        "home": home.address, "battery": battery, "start": start, "end": end, "wh": wh, "max_price": max_price,
        "pay": pay, "token": token_id, "token_price": token_price, "points": points, "distance": distance,
        "status": "open", "time": ctx.time, "height": ctx.height})
    ctx.state.put(open_key(battery), {**waiting, "requests": [*waiting["requests"], tx.tx_id]})
    return {"request": tx.tx_id, "status": "open", "pay": pay, "points_reserved": points, "distance": distance}


def token(tx: Transaction, ctx: Context) -> dict[str, Any]:
    body = tx.body
    exact_body(body, ("battery", "wh", "price"))
    battery = battery_id(body)
    ctx.require_role(tx.signer_address, HOME)
    home = home_of(ctx, tx.signer_address, battery)
    wh, price = positive(body, "wh"), _price(body, "price")
    record = get_battery(ctx, battery)
    server = server_of(ctx, record)
    _within_battery(wh, server.attrs, battery)
    current = buy_price(ctx.time, record["stored_wh"], server.attrs["capacity_wh"])
    if price < current:
        raise Rejected("price_too_low", f"expected a price of at least {current} yen/kWh, the contract's buy price "
                                        f"now, found {price}")
    yen = cost(wh, price)
    ctx.state.put(token_key(tx.tx_id), {"home": home.address, "battery": battery, "wh": wh, "price": price,
                                        "yen": yen, "time": ctx.time, "height": ctx.height, "request": None})
    return {"token": tx.tx_id, "wh": wh, "price": price, "yen": yen}
