"""Seed 003 on the ledger: homes sell surplus into a storage battery and buy from it; every step is a signed
transaction the validators (the seed's authentication servers 200) check and agree on before it is recorded.

This module is the shared contract between the devices (``field/``: home controllers 101, the storage management
server 350) and the rules (``ledger/rules/trading*.py``): the transaction types, their bodies, who signs them and
the builders. Amounts are integer Wh, prices integer yen per kWh, times integer Unix seconds (no floats anywhere).

Roles (registry entries, changed by governance like every other key):

    home      a house's controller 101 (``attrs``: ``battery`` it trades with, ``node`` its grid node, for distances)
    storage   a storage management server 350 (``attrs``: ``battery`` id, ``capacity_wh``, ``max_charge_w``,
              ``max_discharge_w``, ``efficiency_pct`` round trip, ``grid_node``)

Grid nodes (``node``, ``grid_node``) are paths down the radial distribution grid, ``"/"``-separated from the
substation feeder to the house, e.g. ``"F1/T3/H07"`` (feeder 1, pole transformer 3, house 7); the distance between
two nodes is the number of hops between them through their nearest common node (``grid_distance``): a proxy for
line loss (mod 7). A battery exists on the ledger from its server's first ``storage.report`` (or receipt): the
server reports its state of charge when it starts and then periodically (mod 11).

Types (step numbers of the seed; "1st" … "4th" transaction data of the seed):

    storage.receipt   storage  S106/mod 9: {battery, home (address), start, end, wh}: energy received from a home
                               over [start, end); one receipt backs at most one sale
    storage.report    storage  S210/mod 11: {battery, time, stored_wh}: the state of charge it measured
    trade.sale        home     S103 (1st): {battery, start, end, wh}: the home sold ``wh`` sent over [start, end);
                               recorded only with an unused receipt of that home and battery whose amount is within
                               ``METERING_TOLERANCE_PCT`` and whose interval is within ``TIME_WINDOW_S`` (S107);
                               credits the incentive (S111, mod 1) exactly once, and the energy's origin
    trade.request     home     S203 (2nd): {battery, start, end, wh, max_price}: buy ``wh`` delivered within
                               [start, end) at most ``max_price`` yen/kWh; ``pay`` "yen" or "points" (mod 3); with a
                               confirmation on the home's screen first (Fig. 4)
    trade.match       validator S211/S213 (4th, mod 5): {battery, time}: the contract matches the open requests
                               against what the battery holds: token holders first, then highest price, then
                               nearest home (mod 7), then oldest; never more reserved than stored; writes
                               reservations; a request it cannot serve stays open until its ``end`` (mod 2: the
                               home may request again) and the result says why (``price`` or ``short``, with
                               ``short_wh`` so sellers can be asked, mod 10); a reservation not delivered by its
                               request's end (± ``TIME_WINDOW_S``) lapses and its energy and points are released
    storage.delivery  storage  S214/mod 9 (3rd when matched): {battery, reservation, wh, start, end}: the battery
                               sent ``wh`` (at most the reservation's) of the reserved energy; ``reservation`` is
                               the request's tx id; settles payment (yen recorded, points deducted, a token's
                               prepayment) and lists the origin lots the energy came from, first in first out;
                               writes the delivered energy as a seed-000 asset of the buyer (``asset/<tx id>``,
                               losses deducted, its ``origin``), which a certificate can certify once
    trade.token       home     mod 8: {battery, wh, price}: buys the right to draw ``wh`` later at ``price`` yen/kWh
                               (at least ``buy_price`` at the block time; the yen owed is recorded); a request
                               with ``token`` (and ``wh`` at most the token's) draws on it and pays nothing more
    trade.incentive   validator S111/mods 1, 4: {battery, period}: the lump sum of every incentive owed for sales
                               recorded in the period starting at ``period`` (``INCENTIVE_PERIOD``), paid once the
                               period is over, each home credited once, the period closed

When the incentive is paid (S111, mod 4) is the deployment's choice, in the storage server's registry entry:
``incentive`` (one of ``INCENTIVE_MODES``, default ``"sale"``), ``incentive_modes`` (the modes a sale may choose
with its optional ``incentive`` field; default only the deployment's) and ``incentive_period_s`` (a period's
length, default a day; periods start at 00:00 JST)::

    sale      (S111 as in the embodiment) credited with the recorded sale itself
    payment   (mod 4) after buyers paid for the sale's energy: credited in the ``storage.delivery`` that takes the
              last of the sale's origin lot out of the battery (the buyer's payment settled in the same
              transaction), for the Wh deliveries took from that lot; a lot the battery had already emptied is
              paid with the sale; energy a report wrote off (self-discharge) earns nothing
    period    (mod 4) owed with the sale and paid in one lump sum per home and period by ``trade.incentive``

Whatever the mode, a sale's incentive is credited exactly once; the sale's record ``incentive`` says ``{mode,
status: "paid" | "pending" | "owed", points, by}`` (``by``: the transaction that credited it).

Results (``outcome["result"]``) the devices show: a receipt ``{receipt, stored_wh, price}``; a sale ``{sale,
receipt, wh, credited_wh, price, yen, points, balance}`` (S112: the incentive credited; in the other modes also
``incentive``: "pending" or "owed", with ``owed``, ``period`` and ``period_end`` for a lump sum); a request
``{request, status, pay, points_reserved, distance}``; a match ``{price, sell_price, reserved: [{request, home, wh,
draw_wh, price}], waiting: [{request, reason, wh}], expired, lapsed, available_wh, short_wh}``; a delivery
``{reservation, home, wh, draw_wh, loss_wh, released_wh, paid: {pay, amount}, lots, stored_wh, asset}`` (and
``incentives: [{sale, home, points}]`` when it paid sellers, mod 4); a report ``{measured_wh, ledger_wh,
difference_wh, written_off_wh, stored_wh}`` (a shortfall is written off, never below what is reserved; a surplus
is only recorded); a payout ``{period, period_end, paid: [{home, points, sales, balance}], points}``. Refusal
codes are listed in ``ledger/api.py`` (OUTCOMES).

State keys (``trade/``): ``trade/battery/<battery>``, ``trade/receipt/<tx_id>``, ``trade/sale/<tx_id>``,
``trade/request/<tx_id>``, ``trade/reservation/<request tx_id>``, ``trade/points/<address>``,
``trade/token/<tx_id>``, ``trade/owed/<battery>/<period>[/<home>]`` (mod 4); ``asset/<delivery tx_id>`` (the
delivered energy with its origin, ``ledger.rules.trading_origin``); and the indexes the rules keep:
``trade/lot/<battery>/<n>`` (the battery's origin lots, first in first out), ``trade/open/<battery>`` (its open
requests), ``trade/unsold/<battery>/<home>`` (a home's receipts not yet backing a sale).

Money: the contract sets both prices from the time of day (JST) and the battery's state of charge (mods 6, 10,
12): ``sell_price`` (yen/kWh paid to a seller, recorded with the sale; higher when the battery runs low, so homes
are asked to sell) and ``buy_price`` (yen/kWh a buyer pays, at most its ``max_price``). Amounts in yen and points
round up for the payer (``cost``). Energy leaves the battery with its round-trip losses: delivering ``wh`` to a
home draws ``draw_wh(wh, efficiency_pct)`` from the stored energy.
"""

from __future__ import annotations

from typing import Any

from ledger_lite.keys import SigningKey
from ledger_lite.tx import Transaction, sign_tx

HOME, STORAGE = "home", "storage"
ROLES = (HOME, STORAGE)

STORAGE_RECEIPT = "storage.receipt"
STORAGE_REPORT = "storage.report"
STORAGE_DELIVERY = "storage.delivery"
TRADE_SALE = "trade.sale"
TRADE_REQUEST = "trade.request"
TRADE_MATCH = "trade.match"
TRADE_TOKEN = "trade.token"
TRADE_INCENTIVE = "trade.incentive"
TYPES = (STORAGE_RECEIPT, STORAGE_REPORT, STORAGE_DELIVERY, TRADE_SALE, TRADE_REQUEST, TRADE_MATCH, TRADE_TOKEN,
         TRADE_INCENTIVE)
INCENTIVE_ON_SALE, INCENTIVE_ON_PAYMENT, INCENTIVE_PER_PERIOD = "sale", "payment", "period"
INCENTIVE_MODES = (INCENTIVE_ON_SALE, INCENTIVE_ON_PAYMENT, INCENTIVE_PER_PERIOD)
INCENTIVE_PERIOD_S = 86_400  # default length of a lump-sum period (mod 4), from 00:00 JST
ORIGIN_METHOD = "solar"  # what homes sell is the surplus of their PV 102: the production method it keeps

METERING_TOLERANCE_PCT = 2   # a sale's Wh may differ from the receipt's by this much (meters disagree a little)
TIME_WINDOW_S = 15 * 60      # a sale's interval may be this far from the receipt's
PAYMENTS = ("yen", "points")
POINTS_PER_KWH = 10          # incentive per kWh sold (mod 1); a point pays one yen (mod 3)
SALE_HORIZON_S = 7 * 86_400  # a receipt backs a sale recorded within this long after the receipt's end
MAX_WINDOW_S = 7 * 86_400    # a purchase request's window [start, end) is at most this long
MAX_OPEN_REQUESTS = 10_000   # open purchase requests one battery holds at a time
JST_OFFSET_S = 9 * 3600      # prices follow the time of day in Japan
SELL_BASE_YEN, BUY_BASE_YEN = 8, 20  # yen per kWh before the time-of-day and state-of-charge terms
LOW_SOC_PCT, HIGH_SOC_PCT = 30, 80   # state of charge below / at or above which prices move


def hour_of_day(time: int) -> int:
    """The hour (0–23) in JST of Unix time ``time``."""
    return (time + JST_OFFSET_S) % 86_400 // 3600


def soc_pct(stored_wh: int, capacity_wh: int) -> int:
    """State of charge in whole percent (rounded down)."""
    return stored_wh * 100 // capacity_wh if capacity_wh > 0 else 0


def sell_price(time: int, stored_wh: int, capacity_wh: int) -> int:
    """Yen per kWh a home is paid for energy sent at ``time`` (mods 6, 10, 12): the base, 1 less over the midday
    solar glut (10:00–15:00), 4 more when the battery is below ``LOW_SOC_PCT`` (sellers are wanted), 2 less at
    or above ``HIGH_SOC_PCT``; at least 1."""
    price = SELL_BASE_YEN
    if 10 <= hour_of_day(time) < 15:
        price -= 1
    soc = soc_pct(stored_wh, capacity_wh)
    if soc < LOW_SOC_PCT:
        price += 4
    elif soc >= HIGH_SOC_PCT:
        price -= 2
    return max(price, 1)


def buy_price(time: int, stored_wh: int, capacity_wh: int) -> int:
    """Yen per kWh a home pays for energy matched at ``time`` (mods 6, 12): the base, 6 more in the evening peak
    (17:00–21:00), 4 less at night (23:00–07:00), 4 more when the battery is below ``LOW_SOC_PCT``, 3 less at or
    above ``HIGH_SOC_PCT``."""
    price = BUY_BASE_YEN
    hour = hour_of_day(time)
    if 17 <= hour < 21:
        price += 6
    elif hour >= 23 or hour < 7:
        price -= 4
    soc = soc_pct(stored_wh, capacity_wh)
    if soc < LOW_SOC_PCT:
        price += 4
    elif soc >= HIGH_SOC_PCT:
        price -= 3
    return price


def cost(wh: int, price: int) -> int:
    """Yen (or points) for ``wh`` at ``price`` yen/kWh, rounded up."""
    return -(-wh * price // 1000)


def incentive_points(wh: int) -> int:
    """Points credited for selling ``wh`` (mod 1), rounded down."""
    return wh * POINTS_PER_KWH // 1000


def draw_wh(wh: int, efficiency_pct: int) -> int:
    """Stored energy drawn to deliver ``wh`` to a home with round-trip efficiency ``efficiency_pct``, rounded up."""
    return -(-wh * 100 // efficiency_pct)


def grid_distance(a: str, b: str) -> int:
    """Hops between grid nodes ``a`` and ``b`` (``"/"``-separated paths) through their nearest common node."""
    left, right = a.split("/"), b.split("/")
    common = 0
    for x, y in zip(left, right, strict=False):
        if x != y:
            break
        common += 1
    return len(left) + len(right) - 2 * common


def period_start(time: int, period_s: int) -> int:
    """The start of the lump-sum period holding ``time``: periods of ``period_s`` seconds from 00:00 JST."""
    return time - (time + JST_OFFSET_S) % period_s


def sale_body(battery: str, start: int, end: int, wh: int, *, incentive: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"battery": battery, "start": start, "end": end, "wh": wh}
    if incentive is not None:
        body["incentive"] = incentive
    return body


def incentive_body(battery: str, period: int) -> dict[str, Any]:
    return {"battery": battery, "period": period}


def receipt_body(battery: str, home: str, start: int, end: int, wh: int) -> dict[str, Any]:
    return {"battery": battery, "home": home, "start": start, "end": end, "wh": wh}


def report_body(battery: str, time: int, stored_wh: int) -> dict[str, Any]:
    return {"battery": battery, "time": time, "stored_wh": stored_wh}


def request_body(battery: str, start: int, end: int, wh: int, max_price: int, *, pay: str = "yen",
                 token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"battery": battery, "start": start, "end": end, "wh": wh, "max_price": max_price,
                            "pay": pay}
    if token is not None:
        body["token"] = token
    return body


def match_body(battery: str, time: int) -> dict[str, Any]:
    return {"battery": battery, "time": time}


def delivery_body(battery: str, reservation: str, start: int, end: int, wh: int) -> dict[str, Any]:
    return {"battery": battery, "reservation": reservation, "start": start, "end": end, "wh": wh}


def token_body(battery: str, wh: int, price: int) -> dict[str, Any]:
    return {"battery": battery, "wh": wh, "price": price}


def signed(key: SigningKey, chain: str, kind: str, body: dict[str, Any], *, nonce: int, time: int) -> Transaction:
    """A trading transaction of ``kind`` (one of ``TYPES``) signed by ``key``."""
    if kind not in TYPES:
        raise ValueError(f"expected a trading type among {TYPES}, found {kind!r}")
    return sign_tx(key, chain=chain, type=kind, body=body, nonce=nonce, time=time)


__all__ = ["BUY_BASE_YEN", "HIGH_SOC_PCT", "HOME", "INCENTIVE_MODES", "INCENTIVE_ON_PAYMENT", "INCENTIVE_ON_SALE",
           "INCENTIVE_PERIOD_S", "INCENTIVE_PER_PERIOD", "JST_OFFSET_S", "LOW_SOC_PCT", "MAX_OPEN_REQUESTS",
           "MAX_WINDOW_S", "METERING_TOLERANCE_PCT", "ORIGIN_METHOD", "PAYMENTS", "POINTS_PER_KWH", "ROLES",
           "SALE_HORIZON_S", "SELL_BASE_YEN", "STORAGE", "STORAGE_DELIVERY", "STORAGE_RECEIPT", "STORAGE_REPORT",
           "TIME_WINDOW_S", "TRADE_INCENTIVE", "TRADE_MATCH", "TRADE_REQUEST", "TRADE_SALE", "TRADE_TOKEN", "TYPES",
           "buy_price", "cost", "delivery_body", "draw_wh", "grid_distance", "hour_of_day", "incentive_body",
           "incentive_points", "match_body", "period_start", "receipt_body", "report_body", "request_body",
           "sale_body", "sell_price", "signed", "soc_pct", "token_body"]
