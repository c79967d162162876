"""Seed 003 on the ledger: homes sell surplus into a storage battery and buy from it; every step is a signed
transaction the validators (the seed's authentication servers 200) check and agree on before it is recorded.

This module is the shared contract between the devices (``field/``: home controllers 101, the storage management
server 350) and the rules (``ledger/rules/trading*.py``): the transaction types, their bodies, who signs them and
the builders. Amounts are integer Wh, prices integer yen per kWh, times integer Unix seconds (no floats anywhere).

Roles (registry entries, changed by governance like every other key):

    home      a house's controller 101 (``attrs``: ``battery`` it trades with, ``node`` its grid node, for distances)
    storage   a storage management server 350 (``attrs``: ``battery`` id, ``capacity_wh``, ``max_charge_w``,
              ``max_discharge_w``, ``efficiency_pct`` round trip, ``grid_node``)

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
                               against what the battery holds: highest price first, then nearest home (mod 7),
                               then oldest; never more reserved than stored; writes reservations; a request it
                               cannot serve stays open until its ``end`` (mod 2: the home may request again)
    storage.delivery  storage  S214/mod 9 (3rd when matched): {battery, reservation, wh, start, end}: the battery
                               sent the reserved energy; settles payment (yen or points) and the origin
    trade.token       home     mod 8: {battery, wh, price}: buys the right to draw ``wh`` later; a request with
                               ``token`` draws on it

State keys (``trade/``): ``trade/battery/<battery>``, ``trade/receipt/<tx_id>``, ``trade/sale/<tx_id>``,
``trade/request/<tx_id>``, ``trade/reservation/<request tx_id>``, ``trade/points/<address>``,
``trade/token/<tx_id>``.
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
TYPES = (STORAGE_RECEIPT, STORAGE_REPORT, STORAGE_DELIVERY, TRADE_SALE, TRADE_REQUEST, TRADE_MATCH, TRADE_TOKEN)

METERING_TOLERANCE_PCT = 2   # a sale's Wh may differ from the receipt's by this much (meters disagree a little)
TIME_WINDOW_S = 15 * 60      # a sale's interval may be this far from the receipt's
PAYMENTS = ("yen", "points")
POINTS_PER_KWH = 10          # incentive per kWh sold (mod 1); a point pays one yen (mod 3)


def sale_body(battery: str, start: int, end: int, wh: int) -> dict[str, Any]:
    return {"battery": battery, "start": start, "end": end, "wh": wh}


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


__all__ = ["HOME", "METERING_TOLERANCE_PCT", "PAYMENTS", "POINTS_PER_KWH", "ROLES", "STORAGE", "STORAGE_DELIVERY",
           "STORAGE_RECEIPT", "STORAGE_REPORT", "TIME_WINDOW_S", "TRADE_MATCH", "TRADE_REQUEST", "TRADE_SALE",
           "TRADE_TOKEN", "TYPES", "delivery_body", "match_body", "receipt_body", "report_body", "request_body",
           "sale_body", "signed", "token_body"]
