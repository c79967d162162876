"""When a sale's incentive is paid (S111–S112, modifications 1 and 4), exactly once per sale whatever the mode.

The deployment chooses in the storage server's registry entry (``ledger_lite.trading``: ``incentive``,
``incentive_modes``, ``incentive_period_s``); a sale may pick another allowed mode with its ``incentive`` field.

* ``sale``: credited by the recorded sale itself (the embodiment's S111).
* ``payment`` (mod 4, first sentence): credited after the buyers paid. Every ``storage.delivery`` settles its
  buyer's payment and then counts, per receipt, the Wh it took out of that receipt's origin lot (``drawn_wh``);
  what a report writes off is counted apart (``written_off_wh``). When the lot is empty, the delivery (or the
  sale, if the lot emptied before the sale was recorded) credits ``incentive_points(min(credited_wh,
  drawn_wh))``: the seller is paid for the energy buyers took, once.
* ``period`` (mod 4, second sentence): the sale records what it earns as owed to its home in the period holding
  its block time; ``trade.incentive`` (a validator's transaction, mod 1: the address paid, the incentive's
  content, the server's signature) pays every home its period's lump sum once the period is over
  (``future_time`` before), and closes the period, owed or not: a second payout is refused (``already_settled``),
  and a sale recorded in a closed period too (``stale_time``; block times only move forward, so honest nodes
  never see it). A sale asking for a mode its battery does not offer is ``bad_body``.

State: the sale's ``incentive`` ``{mode, status, points, by}``; ``trade/owed/<battery>/<period>`` ``{period_s,
homes, paid}`` and ``trade/owed/<battery>/<period>/<home>`` ``{points, sales}``.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import Rejected
from ledger.registry import Entry
from ledger.rules.context import Context, field
from ledger.rules.trading_records import (
    PREFIX,
    battery_id,
    exact_body,
    get_battery,
    get_points,
    held,
    put_points,
    receipt_key,
    sale_key,
    server_of,
)
from ledger_lite import Transaction
from ledger_lite.trading import (
    INCENTIVE_MODES,
    INCENTIVE_ON_PAYMENT,
    INCENTIVE_ON_SALE,
    INCENTIVE_PER_PERIOD,
    INCENTIVE_PERIOD_S,
    incentive_points,
    period_start,
)

MAX_PERIOD_S = 366 * 86_400


def owed_key(battery: str, period: int, home: str | None = None) -> str:
    return f"{PREFIX}owed/{battery}/{period}" + ("" if home is None else f"/{home}")


def terms(server: Entry) -> tuple[str, tuple[str, ...], int]:
    """The deployment's incentive terms from its storage entry: (default mode, modes a sale may pick, period)."""
    attrs = server.attrs
    mode = attrs.get("incentive", INCENTIVE_ON_SALE)
    modes = attrs.get("incentive_modes", [mode])
    period = attrs.get("incentive_period_s", INCENTIVE_PERIOD_S)
    if mode not in INCENTIVE_MODES or not isinstance(modes, list) or not modes or \
            any(m not in INCENTIVE_MODES for m in modes) or mode not in modes:
        raise Rejected("bad_registry", f"storage {server.address}: expected 'incentive' among {INCENTIVE_MODES} "
                                       f"and 'incentive_modes' a list of them holding it, found {mode!r:.40} and "
                                       f"{modes!r:.80}", 409)
    if isinstance(period, bool) or not isinstance(period, int) or not 0 < period <= MAX_PERIOD_S:
        raise Rejected("bad_registry", f"storage {server.address}: expected 'incentive_period_s' of 1 to "
                                       f"{MAX_PERIOD_S} s, found {period!r:.40}", 409)
    return mode, tuple(modes), period


def chosen_mode(ctx: Context, body: dict[str, Any], battery: str) -> tuple[str, int]:
    """The sale's mode (its ``incentive`` field, else the deployment's) and the deployment's period."""
    mode, allowed, period = terms(server_of(ctx, get_battery(ctx, battery)))
    if "incentive" in body:
        mode = field(body, "incentive", str)
        if mode not in allowed:
            raise Rejected("bad_body", f"expected an incentive mode battery {battery} offers, among "
                                       f"{list(allowed)}, found {mode[:20]!r}", 400)
    return mode, period


def _credit(ctx: Context, home: str, points: int) -> int:
    account = get_points(ctx, home)
    account = {**account, "balance": account["balance"] + points, "earned": account["earned"] + points}
    put_points(ctx, home, account)
    return int(account["balance"])


def on_sale(ctx: Context, tx: Transaction, record: dict[str, Any], mode: str, period_s: int) -> dict[str, Any]:
    """Write the sale ``record`` with its incentive per ``mode``; returns what the sale's result adds."""
    home, battery, points = record["home"], record["battery"], incentive_points(record["credited_wh"])
    if mode == INCENTIVE_ON_SALE:
        ctx.state.put(sale_key(tx.tx_id), {**record, "points": points, "incentive": {
            "mode": mode, "status": "paid", "points": points, "by": tx.tx_id}})
        return {"points": points, "balance": _credit(ctx, home, points)}
    if mode == INCENTIVE_ON_PAYMENT:
        receipt = held(ctx, receipt_key(record["receipt"]))
        if _drained(receipt):  # buyers already took all of this energy: pay now
            paid = incentive_points(min(record["credited_wh"], receipt.get("drawn_wh", 0)))
            ctx.state.put(sale_key(tx.tx_id), {**record, "points": paid, "incentive": {
                "mode": mode, "status": "paid", "points": paid, "by": tx.tx_id}})
            return {"points": paid, "balance": _credit(ctx, home, paid), "incentive": "paid"}
        ctx.state.put(sale_key(tx.tx_id), {**record, "points": 0, "incentive": {
            "mode": mode, "status": "pending", "points": 0, "by": None}})
        return {"points": 0, "balance": get_points(ctx, home)["balance"], "incentive": "pending"}
    if mode != INCENTIVE_PER_PERIOD:  # chosen_mode() admits only INCENTIVE_MODES
        raise Rejected("bad_body", f"expected an incentive mode among {INCENTIVE_MODES}, found {mode[:20]!r}", 400)
    period = period_start(ctx.time, period_s)
    index = ctx.state.get(owed_key(battery, period)) or {"period_s": period_s, "homes": [], "paid": None}
    if index["paid"] is not None:
        raise Rejected("stale_time", f"expected the incentive period from {period} still open, found it paid by "
                                     f"{index['paid']}", 409)
    owed = ctx.state.get(owed_key(battery, period, home)) or {"points": 0, "sales": []}
    if not owed["sales"]:
        ctx.state.put(owed_key(battery, period), {**index, "homes": [*index["homes"], home]})
    ctx.state.put(owed_key(battery, period, home), {"points": owed["points"] + points,
                                                    "sales": [*owed["sales"], tx.tx_id]})
    ctx.state.put(sale_key(tx.tx_id), {**record, "points": 0, "incentive": {
        "mode": mode, "status": "owed", "points": points, "by": None, "period": period}})
    return {"points": 0, "balance": get_points(ctx, home)["balance"], "incentive": "owed", "owed": points,
            "period": period, "period_end": period + index["period_s"]}


def _drained(receipt: dict[str, Any]) -> bool:
    return bool(receipt.get("drawn_wh", 0) + receipt.get("written_off_wh", 0) >= receipt["wh"])


def lots_taken(ctx: Context, tx: Transaction, lots: list[dict[str, Any]], *, delivered: bool) -> list[dict[str, Any]]:
    """Count what a delivery (``delivered``) or a write-off took from each receipt's lot; a lot now empty whose
    sale waits for its buyers' payment (mod 4) is credited here. Returns the incentives paid."""
    paid = []
    for part in lots:
        key = receipt_key(part["receipt"])
        receipt = held(ctx, key)
        name = "drawn_wh" if delivered else "written_off_wh"
        receipt = {**receipt, name: receipt.get(name, 0) + part["wh"]}
        ctx.state.put(key, receipt)
        if receipt["sale"] is None or not _drained(receipt):
            continue
        sale = held(ctx, sale_key(receipt["sale"]))
        incentive = sale.get("incentive") or {}
        if incentive.get("mode") != INCENTIVE_ON_PAYMENT or incentive.get("status") != "pending":
            continue
        points = incentive_points(min(sale["credited_wh"], receipt.get("drawn_wh", 0)))
        ctx.state.put(sale_key(receipt["sale"]), {**sale, "points": points, "incentive": {
            **incentive, "status": "paid", "points": points, "by": tx.tx_id}})
        _credit(ctx, sale["home"], points)
        paid.append({"sale": receipt["sale"], "home": sale["home"], "points": points})
    return paid


def payout(tx: Transaction, ctx: Context) -> dict[str, Any]:
    """``trade.incentive``: pay a closed period's lump sums (mod 4), each home once, each sale once."""
    body = tx.body
    exact_body(body, ("battery", "period"))
    ctx.require_role(tx.signer_address, "validator")
    battery = battery_id(body)
    period = field(body, "period", int)
    index = ctx.state.get(owed_key(battery, period))
    if index is None:  # nothing owed: the payout closes the period all the same
        _, _, period_s = terms(server_of(ctx, get_battery(ctx, battery)))
        if period < 0 or period_start(period, period_s) != period:
            raise Rejected("bad_interval", f"expected a period start (every {period_s} s from 00:00 JST), found "
                                           f"{period}", 400)
        index = {"period_s": period_s, "homes": [], "paid": None}
    if index["paid"] is not None:
        raise Rejected("already_settled", f"the period from {period} was already paid by {index['paid']}: each "
                                          f"period is paid once", 409)
    end = period + index["period_s"]
    if end > ctx.time:
        raise Rejected("future_time", f"expected a period over by the block time {ctx.time}, found one ending at "
                                      f"{end}")
    homes = []
    for home in index["homes"]:
        owed = held(ctx, owed_key(battery, period, home))
        for sale_id in owed["sales"]:
            sale = held(ctx, sale_key(sale_id))
            incentive = sale["incentive"]
            if incentive["status"] != "owed":  # each sale once: the period's index is closed below
                raise Rejected("battery_inconsistent", f"sale {sale_id} owed in period {period} is "
                                                       f"{incentive['status']}", 500)
            ctx.state.put(sale_key(sale_id), {**sale, "points": incentive["points"], "incentive": {
                **incentive, "status": "paid", "by": tx.tx_id}})
        balance = _credit(ctx, home, owed["points"])
        homes.append({"home": home, "points": owed["points"], "sales": len(owed["sales"]), "balance": balance})
    ctx.state.put(owed_key(battery, period), {**index, "paid": tx.tx_id, "paid_at": ctx.time})
    return {"battery": battery, "period": period, "period_end": end, "paid": homes,
            "points": sum(h["points"] for h in homes)}
