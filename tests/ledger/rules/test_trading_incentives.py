"""Seed 003, modification 4: the incentive paid after the buyer pays, or in a lump sum per period — chosen per
deployment (the storage entry) or per sale — and still credited exactly once per sale."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.rules import Context
from ledger_lite.trading import draw_wh, period_start
from tests.helpers.trading_world import EFFICIENCY_PCT, TradingWorld, refused

ALL = ["sale", "payment", "period"]


def sold(t: TradingWorld, ctx: Context, incentive: str | None = None) -> dict[str, Any]:
    """Home A sold 2,000 Wh (hour 1..2) and home B 4,000 Wh (the same hour); home A's sale's result."""
    t.run(ctx, t.receipt(t.home_a, t.at(1), t.at(2), 2_000))
    t.run(ctx, t.receipt(t.home_b, t.at(1), t.at(2), 4_000))
    return t.run(ctx, t.sale(t.home_a, t.at(1), t.at(2), 2_000, incentive=incentive))


def bought(t: TradingWorld, ctx: Context, wh: int) -> str:
    """Home C asked for ``wh`` and was matched at hour 4 (block time hour 6); the request id."""
    request = t.request(t.home_c, t.at(3), t.at(10), wh, 40)
    t.run(ctx, request)
    ctx.time = t.at(6)
    assert [r["request"] for r in t.run(ctx, t.match(t.at(4)))["reserved"]] == [request.tx_id]
    return request.tx_id


def sale_record(t: TradingWorld, ctx: Context, sale_id: str) -> dict[str, Any]:
    value: dict[str, Any] = t.value(ctx, f"trade/sale/{sale_id}")
    return value


# --- after the buyer pays -----------------------------------------------------------------------------------------
def test_after_payment_the_sale_waits_and_the_delivery_that_empties_its_lot_pays_it_once() -> None:
    t = TradingWorld(incentive="payment")
    ctx = t.context(time=t.at(3))
    result = sold(t, ctx)
    assert (result["points"], result["incentive"], result["balance"]) == (0, "pending", 0)
    assert sale_record(t, ctx, result["sale"])["incentive"] == {"mode": "payment", "status": "pending", "points": 0,
                                                                "by": None}
    request_id = bought(t, ctx, 1_800)  # draws exactly home A's 2,000 Wh lot (90 % round trip)
    assert draw_wh(1_800, EFFICIENCY_PCT) == 2_000
    assert t.points(ctx, t.home_a)["balance"] == 0  # matched, not paid yet: nothing for the seller
    delivery = t.delivery(request_id, t.at(4), t.at(5), 1_800)
    settled = t.run(ctx, delivery)
    assert settled["paid"] == {"pay": "yen", "amount": 36}  # the buyer's payment, then the seller's incentive
    assert settled["incentives"] == [{"sale": result["sale"], "home": t.home_a.address, "points": 20}]
    assert sale_record(t, ctx, result["sale"])["incentive"] == {"mode": "payment", "status": "paid", "points": 20,
                                                                "by": delivery.tx_id}
    assert t.points(ctx, t.home_a) == {"balance": 20, "reserved": 0, "earned": 20, "spent": 0}
    # Home B's lot is next; a later delivery from it pays home A nothing more.
    second = t.request(t.home_c, t.at(6), t.at(10), 900, 40)
    t.run(ctx, second)
    t.run(ctx, t.match(t.at(6)))
    ctx.time = t.at(7)
    assert "incentives" not in t.run(ctx, t.delivery(second.tx_id, t.at(6), t.at(7), 900))
    assert t.points(ctx, t.home_a)["earned"] == 20


def test_after_payment_a_partly_delivered_lot_pays_nothing_yet() -> None:
    t = TradingWorld(incentive="payment")
    ctx = t.context(time=t.at(3))
    result = sold(t, ctx)
    request_id = bought(t, ctx, 900)  # 1,000 Wh of home A's 2,000 Wh
    assert "incentives" not in t.run(ctx, t.delivery(request_id, t.at(4), t.at(5), 900))
    assert sale_record(t, ctx, result["sale"])["incentive"]["status"] == "pending"
    assert t.points(ctx, t.home_a)["balance"] == 0


def test_after_payment_a_lot_emptied_before_the_sale_is_paid_with_the_sale() -> None:
    t = TradingWorld(incentive="payment")
    ctx = t.context(time=t.at(3))
    t.run(ctx, t.receipt(t.home_a, t.at(1), t.at(2), 2_000))
    t.run(ctx, t.receipt(t.home_b, t.at(1), t.at(2), 4_000))
    request_id = bought(t, ctx, 1_800)
    t.run(ctx, t.delivery(request_id, t.at(4), t.at(5), 1_800))
    result = t.run(ctx, t.sale(t.home_a, t.at(1), t.at(2), 2_000))
    assert (result["points"], result["incentive"], result["balance"]) == (20, "paid", 20)
    assert sale_record(t, ctx, result["sale"])["incentive"]["by"] == result["sale"]


def test_after_payment_energy_written_off_earns_nothing() -> None:
    t = TradingWorld(incentive="payment")
    ctx = t.context(time=t.at(3))
    result = sold(t, ctx)
    t.run(ctx, t.report(5_000, time=t.at(3)))  # 1,000 Wh of home A's lot lost to self-discharge (oldest first)
    request_id = bought(t, ctx, 900)  # the other 1,000 Wh of home A's lot
    settled = t.run(ctx, t.delivery(request_id, t.at(4), t.at(5), 900))
    assert settled["incentives"] == [{"sale": result["sale"], "home": t.home_a.address, "points": 10}]
    assert t.value(ctx, f"trade/receipt/{result['receipt']}")["written_off_wh"] == 1_000


# --- a lump sum per period ----------------------------------------------------------------------------------------
def test_per_period_sales_are_owed_and_paid_once_as_one_lump_sum_per_home() -> None:
    t = TradingWorld(incentive="period", incentive_period_s=6 * 3600)
    ctx = t.context(time=t.at(3))
    first = sold(t, ctx)
    period = period_start(t.at(3), 6 * 3600)
    assert (first["points"], first["incentive"], first["owed"], first["period"]) == (0, "owed", 20, period)
    t.run(ctx, t.receipt(t.home_a, t.at(2), t.at(3), 1_000))
    second = t.run(ctx, t.sale(t.home_a, t.at(2), t.at(3), 1_000))
    t.run(ctx, t.sale(t.home_b, t.at(1), t.at(2), 4_000))
    assert t.points(ctx, t.home_a)["balance"] == 0
    refused(ctx, t.payout(period), "future_time", f"expected a period over by the block time {ctx.time}, found one "
                                                  f"ending at {period + 6 * 3600}")
    refused(ctx, t.payout(period, key=t.home_a), "wrong_role", "expected a key with role validator")
    ctx.time = period + 6 * 3600
    payout = t.payout(period)
    paid = t.run(ctx, payout)
    assert paid["paid"] == [{"home": t.home_a.address, "points": 30, "sales": 2, "balance": 30},
                            {"home": t.home_b.address, "points": 40, "sales": 1, "balance": 40}]
    assert paid["points"] == 70
    for sale_id, points in ((first["sale"], 20), (second["sale"], 10)):
        record = sale_record(t, ctx, sale_id)
        assert (record["points"], record["incentive"]["status"], record["incentive"]["by"]) == \
            (points, "paid", payout.tx_id)
    refused(ctx, t.payout(period), "already_settled", f"already paid by {payout.tx_id}: each period is paid once")
    refused(ctx, t.payout(period + 1), "bad_interval", f"expected a period start \\(every {6 * 3600} s from 00:00 "
                                                       f"JST\\), found {period + 1}")
    earlier = t.payout(period - 6 * 3600)  # nothing was owed then: paid as an empty lump sum, and closed
    assert t.run(ctx, earlier)["paid"] == []
    refused(ctx, t.payout(period - 6 * 3600), "already_settled", f"already paid by {earlier.tx_id}")
    assert t.points(ctx, t.home_a) == {"balance": 30, "reserved": 0, "earned": 30, "spent": 0}


def test_a_sale_in_a_period_already_paid_is_refused() -> None:
    t = TradingWorld(incentive="period", incentive_period_s=6 * 3600)
    ctx = t.context(time=t.at(3))
    sold(t, ctx)
    period = period_start(t.at(3), 6 * 3600)
    ctx.time = period + 6 * 3600
    t.run(ctx, t.payout(period))
    ctx.time = t.at(3)  # a block time going back: honest nodes never build one, the rule still holds
    refused(ctx, t.sale(t.home_b, t.at(1), t.at(2), 4_000), "stale_time", "still open, found it paid by")


# --- chosen per deployment or per sale ----------------------------------------------------------------------------
@pytest.mark.parametrize(("choice", "status", "points"), [("sale", "paid", 20), ("payment", "pending", 0),
                                                          ("period", "owed", 0), (None, "pending", 0)])
def test_a_sale_picks_a_mode_its_deployment_offers(choice: str | None, status: str, points: int) -> None:
    t = TradingWorld(incentive="payment", incentive_modes=ALL)
    ctx = t.context(time=t.at(3))
    result = sold(t, ctx, incentive=choice)
    assert result["points"] == points
    assert sale_record(t, ctx, result["sale"])["incentive"]["status"] == status


def test_a_mode_the_deployment_does_not_offer_is_refused() -> None:
    t = TradingWorld()  # the default: credited with the sale, nothing else offered
    ctx = t.context(time=t.at(3))
    t.run(ctx, t.receipt(t.home_a, t.at(1), t.at(2), 2_000))
    refused(ctx, t.sale(t.home_a, t.at(1), t.at(2), 2_000, incentive="period"), "bad_body",
            "expected an incentive mode battery B1 offers, among \\['sale'\\], found 'period'")
    assert t.run(ctx, t.sale(t.home_a, t.at(1), t.at(2), 2_000, incentive="sale"))["points"] == 20


@pytest.mark.parametrize("attrs", [{"incentive": "weekly"}, {"incentive": "sale", "incentive_modes": ["period"]},
                                   {"incentive": "period", "incentive_period_s": 0}])
def test_a_storage_entry_with_bad_incentive_terms_refuses_sales(attrs: dict[str, Any]) -> None:
    t = TradingWorld(**attrs)
    ctx = t.context(time=t.at(3))
    t.run(ctx, t.receipt(t.home_a, t.at(1), t.at(2), 2_000))
    refused(ctx, t.sale(t.home_a, t.at(1), t.at(2), 2_000), "bad_registry", "storage .*: expected")
