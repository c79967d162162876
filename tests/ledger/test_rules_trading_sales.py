"""Seed 003, S103–S112: trade.sale is recorded only against the battery's receipt, once, with its incentive."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.rules import Context
from ledger_lite.trading import METERING_TOLERANCE_PCT, POINTS_PER_KWH, TIME_WINDOW_S, sell_price
from tests.helpers.ledger_world import ManualClock
from tests.helpers.trading_world import BATTERY, CAPACITY_WH, TradingWorld, refused
from tests.ledger.support import assert_rejected, fingerprint


@pytest.fixture
def t() -> TradingWorld:
    return TradingWorld()


def received(t: TradingWorld, wh: int = 4_000) -> tuple[Context, str]:
    """A context where battery B1 received ``wh`` from home A over hour 1..2; the receipt id."""
    ctx = t.context()
    tx = t.receipt(t.home_a, t.at(1), t.at(2), wh)
    t.run(ctx, tx)
    return ctx, tx.tx_id


def test_sale_matching_its_receipt_is_recorded_with_its_incentive(t: TradingWorld) -> None:
    ctx, receipt_id = received(t)
    tx = t.sale(t.home_a, t.at(1), t.at(2), 4_000)
    result = t.run(ctx, tx)
    price = sell_price(t.at(1), 0, CAPACITY_WH)
    assert result == {"sale": tx.tx_id, "receipt": receipt_id, "wh": 4_000, "credited_wh": 4_000, "price": price,
                      "yen": 4 * price, "points": 4 * POINTS_PER_KWH, "balance": 4 * POINTS_PER_KWH}
    sale = t.value(ctx, f"trade/sale/{tx.tx_id}")
    assert (sale["home"], sale["receipt"], sale["points"], sale["price"]) == (t.home_a.address, receipt_id, 40, price)
    assert t.value(ctx, f"trade/receipt/{receipt_id}")["sale"] == tx.tx_id
    assert t.points(ctx, t.home_a) == {"balance": 40, "reserved": 0, "earned": 40, "spent": 0}


def test_metering_tolerance_and_time_window_are_accepted(t: TradingWorld) -> None:
    ctx, _ = received(t, 5_000)
    wh = 5_000 * (100 + METERING_TOLERANCE_PCT) // 100  # 5,100: the home's meter read 2 % more
    result = t.run(ctx, t.sale(t.home_a, t.at(1) + TIME_WINDOW_S, t.at(2) - TIME_WINDOW_S, wh))
    assert (result["credited_wh"], result["points"]) == (5_000, 50)  # paid for what the battery received


def test_tampered_amount_is_refused(t: TradingWorld) -> None:
    ctx, _ = received(t, 4_000)
    refused(ctx, t.sale(t.home_a, t.at(1), t.at(2), 4_081), "amount_mismatch",
            f"expected 4000 Wh ± {METERING_TOLERANCE_PCT} % as the battery received over "
            f"{t.at(1)}..{t.at(2)}, found 4081 Wh")
    refused(ctx, t.sale(t.home_a, t.at(1), t.at(2), 3_919), "amount_mismatch", "found 3919 Wh")
    assert t.points(ctx, t.home_a)["balance"] == 0


def test_shifted_timestamp_is_refused(t: TradingWorld) -> None:
    ctx, _ = received(t)
    shift = TIME_WINDOW_S + 1
    refused(ctx, t.sale(t.home_a, t.at(1) + shift, t.at(2) + shift, 4_000), "time_mismatch",
            f"expected a sale interval within {TIME_WINDOW_S} s of an unused receipt of home {t.home_a.address}, "
            f"the nearest is {t.at(1)}..{t.at(2)}")


def test_replayed_or_second_sale_of_one_receipt_is_refused_and_pays_no_second_incentive(t: TradingWorld) -> None:
    ctx, receipt_id = received(t)
    first = t.sale(t.home_a, t.at(1), t.at(2), 4_000)
    t.run(ctx, first)
    refused(ctx, t.sale(t.home_a, t.at(1), t.at(2), 4_000), "already_sold",
            f"already backs sale {first.tx_id} \\(receipt {receipt_id}\\): one receipt backs one sale")
    refused(ctx, t.sale(t.home_a, t.at(1) + 60, t.at(2) + 60, 3_990), "already_sold", "one receipt backs one sale")
    assert t.points(ctx, t.home_a)["balance"] == 40


def test_two_receipts_back_two_sales(t: TradingWorld) -> None:
    ctx, _ = received(t)
    t.run(ctx, t.receipt(t.home_a, t.at(2), t.at(3), 1_000))
    t.run(ctx, t.sale(t.home_a, t.at(2), t.at(3), 1_000))
    t.run(ctx, t.sale(t.home_a, t.at(1), t.at(2), 4_000))
    assert t.points(ctx, t.home_a)["earned"] == 50


def test_sale_without_a_receipt_is_refused(t: TradingWorld) -> None:
    ctx, _ = received(t)
    refused(ctx, t.sale(t.home_b, t.at(1), t.at(2), 4_000), "no_receipt",
            f"expected an unused receipt of battery B1 for home {t.home_b.address}, found none")


def test_sale_by_an_unknown_key_or_another_role_is_refused(t: TradingWorld) -> None:
    ctx, _ = received(t)
    refused(ctx, t.sale(t.outsider, t.at(1), t.at(2), 4_000), "unknown_signer",
            f"expected a registered key, found unregistered {t.outsider.address}")
    refused(ctx, t.sale(t.storage, t.at(1), t.at(2), 4_000), "wrong_role", "expected a key with role home")


def test_sale_to_another_battery_is_refused(t: TradingWorld) -> None:
    ctx, _ = received(t)
    refused(ctx, t.sale(t.home_a, t.at(1), t.at(2), 4_000, battery="B2"), "wrong_battery",
            "home .* trades with battery 'B1', found battery 'B2'")
    refused(ctx, t.sale(t.home_far, t.at(1), t.at(2), 4_000, battery="B2"), "unknown_battery",
            "found no battery 'B2'")


def test_sale_price_follows_the_state_of_charge(t: TradingWorld) -> None:
    ctx = t.context()
    prices = []
    for hour in range(4):
        prices.append(t.run(ctx, t.receipt(t.home_a, t.at(hour), t.at(hour + 1), 5_000))["price"])
    # 09:00 JST at 0 %, 10:00 at 25 % (low: +4, midday glut: −1), 11:00 at 50 %, 12:00 at 75 %
    assert prices == [12, 11, 7, 7]


def test_a_sale_on_a_real_node_is_final_and_its_refusal_leaves_no_trace(tmp_path: Path, t: TradingWorld) -> None:
    clock = ManualClock(t.at(3))
    node = t.ledger.open_node_with(t.genesis(), tmp_path / "node", clock)
    try:
        w = t.ledger
        w.commit(node, t.receipt(t.home_a, t.at(1), t.at(2), 4_000))
        sale = w.commit(node, t.sale(t.home_a, t.at(1), t.at(2), 4_000))
        assert sale["result"]["points"] == 40
        assert node.value(f"trade/points/{t.home_a.address}")["balance"] == 40
        before = fingerprint(node)
        again = w.submit_wait(node, t.sale(t.home_a, t.at(1), t.at(2), 4_000))
        assert_rejected(again, "already_sold", 409, "one receipt backs one sale")
        assert fingerprint(node) == before
    finally:
        node.close()
    reopened = t.ledger.open_node_with(t.genesis(), tmp_path / "node", clock)  # the stored state checks out
    try:
        assert reopened.value(f"trade/battery/{BATTERY}")["stored_wh"] == 4_000
    finally:
        reopened.close()
