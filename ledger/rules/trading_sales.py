"""``trade.sale`` (S103–S112, 1st transaction): a home sold what it sent into the battery.

S105–S107: the validators compare the sale with the battery's own record of what it received. The sale is
recorded only if an unused receipt of this home and battery matches it: both ends of the interval within
``TIME_WINDOW_S`` and the amount within ``METERING_TOLERANCE_PCT`` of the receipt's. S108: otherwise it is refused
with the reason (``no_receipt``, ``time_mismatch``, ``amount_mismatch``, ``already_sold``). The receipt is then
used: it never backs a second sale. S111 and mod 1: the incentive — ``POINTS_PER_KWH`` points per kWh of the
smaller of the two amounts — is credited to the seller in this same recorded transaction, so exactly once per
sale, or (mod 4, ``ledger.rules.trading_incentives``) after its buyers paid or in a lump sum per period; the
sale records the sell price the contract set when the energy arrived (mods 6, 12) and the yen owed.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import Rejected
from ledger.rules.context import Context
from ledger.rules.trading_incentives import chosen_mode, on_sale
from ledger.rules.trading_records import (
    battery_id,
    exact_body,
    held,
    home_of,
    interval,
    positive,
    receipt_key,
    unsold_key,
)
from ledger_lite import Transaction
from ledger_lite.trading import HOME, METERING_TOLERANCE_PCT, SALE_HORIZON_S, TIME_WINDOW_S, cost


def _near(receipt: list[int], start: int, end: int) -> bool:
    return abs(receipt[1] - start) <= TIME_WINDOW_S and abs(receipt[2] - end) <= TIME_WINDOW_S


def _amount_ok(receipt_wh: int, wh: int) -> bool:
    return abs(wh - receipt_wh) * 100 <= receipt_wh * METERING_TOLERANCE_PCT


def sale(tx: Transaction, ctx: Context) -> dict[str, Any]:
    body = tx.body
    exact_body(body, ("battery", "start", "end", "wh"), ("incentive",))
    battery = battery_id(body)
    ctx.require_role(tx.signer_address, HOME)
    home = home_of(ctx, tx.signer_address, battery).address
    start, end = interval(body)
    wh = positive(body, "wh")
    mode, period_s = chosen_mode(ctx, body, battery)
    index = ctx.state.get(unsold_key(battery, home)) or {"last_end": 0, "receipts": [], "sold": []}
    # S106–S107: the battery's receipts of this home that a sale may still use.
    live = [r for r in index["receipts"] if r[2] + SALE_HORIZON_S > ctx.time]
    near = [r for r in live if _near(r, start, end)]
    if not near:
        sold = _sold_near(ctx, battery, home, start, end)
        if sold is not None:
            raise Rejected("already_sold", f"the receipt for {start}..{end} already backs sale {sold[1]} "
                                           f"(receipt {sold[0]}): one receipt backs one sale", 409)
        if live:
            closest = min(live, key=lambda r: (abs(r[1] - start) + abs(r[2] - end), r[0]))
            raise Rejected("time_mismatch", f"expected a sale interval within {TIME_WINDOW_S} s of an unused receipt "
                                            f"of home {home}, the nearest is {closest[1]}..{closest[2]}, found "
                                            f"{start}..{end}")
        raise Rejected("no_receipt", f"expected an unused receipt of battery {battery} for home {home}, found none "
                                     f"(the battery records what it receives first)", 404)
    fitting = [r for r in near if _amount_ok(r[3], wh)]
    if not fitting:
        closest = min(near, key=lambda r: (abs(r[3] - wh), r[0]))
        raise Rejected("amount_mismatch", f"expected {closest[3]} Wh ± {METERING_TOLERANCE_PCT} % as the battery "
                                          f"received over {closest[1]}..{closest[2]}, found {wh} Wh")
    chosen = min(fitting, key=lambda r: (abs(r[1] - start) + abs(r[2] - end), r[0]))
    receipt_id = chosen[0]
    receipt = held(ctx, receipt_key(receipt_id))
    credited = min(wh, receipt["wh"])
    price = receipt["price"]
    record = {"home": home, "battery": battery, "receipt": receipt_id, "start": start, "end": end, "wh": wh,
              "receipt_wh": receipt["wh"], "credited_wh": credited, "price": price, "yen": cost(credited, price),
              "points": 0, "time": ctx.time, "height": ctx.height}
    ctx.state.put(receipt_key(receipt_id), {**receipt, "sale": tx.tx_id})
    ctx.state.put(unsold_key(battery, home), {
        **index, "receipts": [r for r in index["receipts"] if r[0] != receipt_id],
        "sold": [*[s for s in index["sold"] if s[3] + SALE_HORIZON_S > ctx.time],
                 [receipt_id, tx.tx_id, chosen[1], chosen[2]]]})
    # S111, mods 1 and 4: the incentive, credited once: with this sale, after its buyers paid, or per period.
    paid = on_sale(ctx, tx, record, mode, period_s)
    return {"sale": tx.tx_id, "receipt": receipt_id, "wh": wh, "credited_wh": credited, "price": price,
            "yen": record["yen"], **paid}


def _sold_near(ctx: Context, battery: str, home: str, start: int, end: int) -> tuple[str, str] | None:
    """(receipt, sale) of a receipt already sold whose interval matches: a second sale of the same energy."""
    index = ctx.state.get(unsold_key(battery, home)) or {"sold": []}
    for receipt_id, sale_id, r_start, r_end in index["sold"]:
        if abs(r_start - start) <= TIME_WINDOW_S and abs(r_end - end) <= TIME_WINDOW_S:
            return receipt_id, sale_id
    return None
