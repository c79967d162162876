"""Seed 003, S203–S213 and mods 2, 3, 5, 7, 8, 10: trade.request, trade.match and trade.token."""

from __future__ import annotations

import pytest

from ledger.rules import Context
from ledger_lite.trading import MAX_WINDOW_S, buy_price, draw_wh
from tests.helpers.trading_world import CAPACITY_WH, EFFICIENCY_PCT, TradingWorld, refused


@pytest.fixture
def t() -> TradingWorld:
    return TradingWorld()


def stocked(t: TradingWorld, wh: int = 10_000) -> Context:
    """Block time 3 h after genesis; battery B1 holds ``wh`` (from homes A and B)."""
    ctx = t.context(time=t.at(3))
    t.run(ctx, t.report(0))
    half = wh // 2
    if wh:
        t.run(ctx, t.receipt(t.home_a, t.at(0), t.at(2), half))
        t.run(ctx, t.receipt(t.home_b, t.at(0), t.at(2), wh - half))
    return ctx


def earn(t: TradingWorld, ctx: Context, points_tenths_kwh: int, start_h: int = 0) -> None:
    """Home C sells ``points_tenths_kwh`` × 100 Wh (1 point each) in one receipt at hour ``start_h``."""
    wh = points_tenths_kwh * 100
    t.run(ctx, t.receipt(t.home_c, t.at(start_h), t.at(start_h + 2), wh))
    t.run(ctx, t.sale(t.home_c, t.at(start_h), t.at(start_h + 2), wh))


# --- trade.request ------------------------------------------------------------------------------------------------
def test_request_is_recorded_open_with_its_grid_distance(t: TradingWorld) -> None:
    ctx = stocked(t)
    tx = t.request(t.home_c, t.at(3), t.at(6), 1_000, 30)
    assert t.run(ctx, tx) == {"request": tx.tx_id, "status": "open", "pay": "yen", "points_reserved": 0,
                              "distance": 3}
    assert t.value(ctx, f"trade/request/{tx.tx_id}")["status"] == "open"
    assert t.value(ctx, "trade/open/B1")["requests"] == [tx.tx_id]


@pytest.mark.parametrize(("change", "code", "match"), [
    ({"wh": 0}, "bad_body", "expected a positive 'wh', found 0"),
    ({"max_price": -1}, "bad_body", "expected a 'max_price' of 0 or more yen/kWh, found -1"),
    ({"pay": "bitcoin"}, "bad_body", "expected 'pay' among \\('yen', 'points'\\), found 'bitcoin'"),
    ({"start": 5, "end": 4}, "bad_interval", "expected 0 <= start < end"),
    ({"end": 3 + MAX_WINDOW_S // 3600 + 1}, "bad_interval", f"expected a window of at most {MAX_WINDOW_S} s"),
    ({"start": 1, "end": 2}, "expired", "expected a window ending after the block time"),
    ({"wh": CAPACITY_WH * EFFICIENCY_PCT // 100 + 1}, "beyond_battery",
     "expected at most 18000 Wh, what battery B1 delivers when full \\(20000 Wh at 90 % round trip\\), found 18001"),
])
def test_bad_requests_are_refused(t: TradingWorld, change: dict[str, int | str], code: str, match: str) -> None:
    ctx = stocked(t)
    fields: dict[str, int | str] = {"start": 3, "end": 6, "wh": 1_000, "max_price": 30, "pay": "yen", **change}
    start, end = int(fields["start"]), int(fields["end"])
    tx = t.request(t.home_c, t.at(start), t.at(end), int(fields["wh"]),
                   int(fields["max_price"]), pay=str(fields["pay"]))
    refused(ctx, tx, code, match)


def test_request_to_an_unknown_battery_or_by_an_unknown_home_is_refused(t: TradingWorld) -> None:
    ctx = stocked(t)
    refused(ctx, t.request(t.home_far, t.at(3), t.at(6), 1_000, 30, battery="B2"), "unknown_battery",
            "found no battery 'B2'")
    refused(ctx, t.request(t.outsider, t.at(3), t.at(6), 1_000, 30), "unknown_signer", "found unregistered")
    refused(ctx, t.request(t.home_far, t.at(3), t.at(6), 1_000, 30), "wrong_battery", "trades with battery 'B2'")


def test_paying_with_points_reserves_them_and_refuses_an_overdraft(t: TradingWorld) -> None:
    ctx = stocked(t)
    earn(t, ctx, 50)  # 5 kWh sold: 50 points
    refused(ctx, t.request(t.home_c, t.at(3), t.at(6), 2_000, 26, pay="points"), "insufficient_points",
            "expected 52 points for 2000 Wh at up to 26 yen/kWh, found 50 available \\(50 held, 0 reserved\\)")
    ok = t.request(t.home_c, t.at(3), t.at(6), 2_000, 20, pay="points")
    assert t.run(ctx, ok)["points_reserved"] == 40
    refused(ctx, t.request(t.home_c, t.at(3), t.at(6), 1_000, 11, pay="points"), "insufficient_points",
            "found 10 available \\(50 held, 40 reserved\\)")
    refused(ctx, t.request(t.home_a, t.at(3), t.at(6), 100, 20, pay="points"), "insufficient_points",
            "found 0 available")


# --- trade.match --------------------------------------------------------------------------------------------------
def test_match_serves_highest_price_then_nearest_then_oldest_never_beyond_what_is_stored(t: TradingWorld) -> None:
    ctx = stocked(t, 12_000)
    cheap = t.request(t.home_a, t.at(3), t.at(6), 3_000, 25)    # distance 2
    far = t.request(t.home_c, t.at(3), t.at(6), 3_000, 30)      # distance 3
    near = t.request(t.home_b, t.at(3), t.at(6), 3_000, 30)     # distance 2
    big = t.request(t.home_b, t.at(3), t.at(6), 4_000, 30)      # distance 2, too big once two are served
    for tx in (cheap, far, near, big):
        t.run(ctx, tx)
    price = buy_price(t.at(3), 12_000, CAPACITY_WH)
    assert price == 20
    result = t.run(ctx, t.match(t.at(3)))
    # 30 yen before 25; at 30, distance 2 before 3; near and big tie: the smaller request id first.
    assert [r["request"] for r in result["reserved"]] == [*sorted([near.tx_id, big.tx_id]), far.tx_id]
    draw = draw_wh(3_000, EFFICIENCY_PCT)
    assert draw == 3_334
    reserved = 2 * draw + draw_wh(4_000, EFFICIENCY_PCT)
    assert result["waiting"] == [{"request": cheap.tx_id, "reason": "short", "wh": 3_000, "draw_wh": draw}]
    assert (result["available_wh"], result["short_wh"]) == (12_000 - reserved, draw - (12_000 - reserved))
    battery = t.battery(ctx)
    assert (battery["reserved_wh"], battery["stored_wh"]) == (reserved, 12_000)


def test_match_skips_requests_below_the_price_and_outside_their_window(t: TradingWorld) -> None:
    ctx = stocked(t)
    low = t.request(t.home_a, t.at(3), t.at(6), 1_000, 19)
    later = t.request(t.home_b, t.at(5), t.at(8), 1_000, 40)
    t.run(ctx, low)
    t.run(ctx, later)
    result = t.run(ctx, t.match(t.at(3)))
    assert result["reserved"] == [] and result["waiting"] == [{"request": low.tx_id, "reason": "price", "wh": 1_000,
                                                                "max_price": 19}]
    assert t.value(ctx, "trade/open/B1")["requests"] == [low.tx_id, later.tx_id]


def test_purchase_beyond_the_battery_waits_and_the_result_says_it_is_short(t: TradingWorld) -> None:
    ctx = stocked(t, 2_000)
    tx = t.request(t.home_c, t.at(3), t.at(6), 5_000, 40)
    t.run(ctx, tx)
    result = t.run(ctx, t.match(t.at(3)))
    assert result["reserved"] == [] and result["waiting"][0]["reason"] == "short"
    assert result["short_wh"] == draw_wh(5_000, EFFICIENCY_PCT) - 2_000
    assert result["sell_price"] == 11  # 12:00 JST (glut −1), 10 % charged (+4): sellers are wanted (mod 10)
    assert t.value(ctx, f"trade/request/{tx.tx_id}")["status"] == "open"
    assert t.battery(ctx)["reserved_wh"] == 0


def test_expired_request_releases_its_points_and_the_home_may_request_again(t: TradingWorld) -> None:
    ctx = stocked(t, 1_000)
    earn(t, ctx, 50)
    tx = t.request(t.home_c, t.at(3), t.at(4), 10_000, 5, pay="points")
    t.run(ctx, tx)
    assert t.points(ctx, t.home_c)["reserved"] == 50
    ctx.time = t.at(5)
    result = t.run(ctx, t.match(t.at(4)))
    assert result["expired"] == [tx.tx_id]
    assert t.value(ctx, f"trade/request/{tx.tx_id}")["status"] == "expired"
    assert t.points(ctx, t.home_c) == {"balance": 50, "reserved": 0, "earned": 50, "spent": 0}
    again = t.request(t.home_c, t.at(5), t.at(8), 1_000, 40, pay="points")  # mod 2: a new time and price
    t.run(ctx, again)
    ctx.time = t.at(6)
    assert [r["request"] for r in t.run(ctx, t.match(t.at(6)))["reserved"]] == [again.tx_id]


def test_undelivered_reservation_lapses_and_its_energy_is_released(t: TradingWorld) -> None:
    ctx = stocked(t)
    tx = t.request(t.home_c, t.at(3), t.at(4), 1_000, 40)
    t.run(ctx, tx)
    t.run(ctx, t.match(t.at(3)))
    assert t.battery(ctx)["reserved_wh"] == draw_wh(1_000, EFFICIENCY_PCT)
    ctx.time = t.at(6)
    result = t.run(ctx, t.match(t.at(5)))
    assert result["lapsed"] == [tx.tx_id]
    assert t.battery(ctx)["reserved_wh"] == 0
    assert t.value(ctx, f"trade/reservation/{tx.tx_id}")["status"] == "lapsed"
    refused(ctx, t.delivery(tx.tx_id, t.at(4), t.at(5), 1_000), "already_settled", "lapsed")


def test_match_by_a_non_validator_or_out_of_time_is_refused(t: TradingWorld) -> None:
    ctx = stocked(t)
    refused(ctx, t.match(t.at(3), key=t.storage), "wrong_role", "expected a key with role validator, found storage")
    refused(ctx, t.match(t.at(4)), "future_time", "at or before the block time")
    t.run(ctx, t.match(t.at(3)))
    refused(ctx, t.match(t.at(2)), "stale_time", f"at or after the previous match at {t.at(3)}")
    refused(ctx, t.match(t.at(3), battery="B2"), "unknown_battery", "found no battery 'B2'")


# --- trade.token (mod 8) ------------------------------------------------------------------------------------------
def test_token_is_bought_at_the_contract_price_and_backs_one_request_served_first(t: TradingWorld) -> None:
    ctx = stocked(t, 5_000)
    price = buy_price(t.at(3), 5_000, CAPACITY_WH)
    refused(ctx, t.token(t.home_c, 3_000, price - 1), "price_too_low",
            f"expected a price of at least {price} yen/kWh, the contract's buy price now, found {price - 1}")
    token = t.token(t.home_c, 3_000, price)
    assert t.run(ctx, token) == {"token": token.tx_id, "wh": 3_000, "price": price, "yen": 3 * price}
    rich = t.request(t.home_a, t.at(3), t.at(6), 3_000, 99)
    t.run(ctx, rich)
    with_token = t.request(t.home_c, t.at(3), t.at(6), 3_000, 0, token=token.tx_id)
    t.run(ctx, with_token)
    refused(ctx, t.request(t.home_c, t.at(3), t.at(6), 1_000, 0, token=token.tx_id), "token_used",
            f"backing request {with_token.tx_id}")
    result = t.run(ctx, t.match(t.at(3)))
    assert [r["request"] for r in result["reserved"]] == [with_token.tx_id]  # before the higher bid
    assert result["waiting"][0]["request"] == rich.tx_id
    ctx.time = t.at(4)
    delivered = t.run(ctx, t.delivery(with_token.tx_id, t.at(3), t.at(4), 3_000))
    assert delivered["paid"] == {"pay": "token", "amount": 0}


def test_token_checks(t: TradingWorld) -> None:
    ctx = stocked(t)
    token = t.token(t.home_c, 1_000, 50)
    t.run(ctx, token)
    refused(ctx, t.request(t.home_a, t.at(3), t.at(6), 500, 0, token=token.tx_id), "not_owner",
            f"token {token.tx_id} belongs to {t.home_c.address}")
    refused(ctx, t.request(t.home_c, t.at(3), t.at(6), 1_001, 0, token=token.tx_id), "over_token",
            "expected at most the token's 1000 Wh, found 1001")
    refused(ctx, t.request(t.home_c, t.at(3), t.at(6), 500, 0, token="cd" * 32), "unknown_token", "found no token")
    refused(ctx, t.token(t.home_c, 18_001, 50), "beyond_battery", "found 18001")


def test_token_of_an_expired_request_can_be_used_again(t: TradingWorld) -> None:
    ctx = stocked(t, 0)
    token = t.token(t.home_c, 1_000, 50)
    t.run(ctx, token)
    first = t.request(t.home_c, t.at(3), t.at(4), 1_000, 0, token=token.tx_id)
    t.run(ctx, first)
    ctx.time = t.at(5)
    assert t.run(ctx, t.match(t.at(5)))["expired"] == [first.tx_id]
    t.run(ctx, t.request(t.home_c, t.at(5), t.at(6), 1_000, 0, token=token.tx_id))
