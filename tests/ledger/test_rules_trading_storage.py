"""Seed 003, the storage server's records (mods 9, 11): storage.receipt, storage.report, storage.delivery; and
the registry's trading roles."""

from __future__ import annotations

import pytest

from ledger.errors import Rejected
from ledger.genesis import entry
from ledger.registry import validate_entry
from ledger.rules import Context
from ledger_lite import SigningKey
from ledger_lite.trading import draw_wh
from tests.helpers.trading_world import BATTERY, CAPACITY_WH, EFFICIENCY_PCT, TradingWorld, refused


@pytest.fixture
def t() -> TradingWorld:
    return TradingWorld()


# --- registry -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "attrs", "match"), [
    ("home", {"node": "F1/T1"}, "home .* needs attribute 'battery' \\(str\\), found nothing"),
    ("home", {"battery": "B1", "node": "F1//H1"}, "needs a non-empty 'node' .* no empty '/' part"),
    ("home", {"battery": "B/1", "node": "F1"}, "needs a battery id of 1 to 64 letters"),
    ("storage", {"battery": "B1", "capacity_wh": 0, "max_charge_w": 1, "max_discharge_w": 1, "efficiency_pct": 90,
                 "grid_node": "F1"}, "needs a positive 'capacity_wh', found 0"),
    ("storage", {"battery": "B1", "capacity_wh": 1, "max_charge_w": True, "max_discharge_w": 1, "efficiency_pct": 90,
                 "grid_node": "F1"}, "needs attribute 'max_charge_w' \\(int\\), found bool True"),
    ("storage", {"battery": "B1", "capacity_wh": 1, "max_charge_w": 1, "max_discharge_w": 1, "efficiency_pct": 101,
                 "grid_node": "F1"}, "needs efficiency_pct between 1 and 100, found 101"),
])
def test_trading_roles_need_their_attributes(role: str, attrs: dict[str, object], match: str) -> None:
    with pytest.raises(Rejected, match=match) as caught:
        validate_entry(entry(SigningKey.derive("test/x").public, role, "X", **attrs))
    assert caught.value.code == "bad_registry"


def test_the_trading_world_genesis_is_valid(t: TradingWorld) -> None:
    for e in t.genesis().entries:
        validate_entry(e)


# --- storage.receipt ----------------------------------------------------------------------------------------------
def test_receipt_adds_energy_with_its_origin(t: TradingWorld) -> None:
    ctx = t.context()
    tx = t.receipt(t.home_a, t.at(1), t.at(2), 3_000)
    result = t.run(ctx, tx)
    assert result == {"receipt": tx.tx_id, "battery": BATTERY, "stored_wh": 3_000, "price": 11}  # 10:00 JST, low SOC
    battery = t.battery(ctx)
    assert (battery["stored_wh"], battery["received_wh"], battery["reserved_wh"]) == (3_000, 3_000, 0)
    assert battery["server"] == t.storage.address
    assert t.lots(ctx) == [{"receipt": tx.tx_id, "home": t.home_a.address, "start": t.at(1), "end": t.at(2),
                            "wh": 3_000}]
    assert t.value(ctx, f"trade/receipt/{tx.tx_id}")["sale"] is None


def test_receipts_keep_their_lots_in_order(t: TradingWorld) -> None:
    ctx = t.context()
    first = t.receipt(t.home_a, t.at(1), t.at(2), 1_000)
    second = t.receipt(t.home_b, t.at(1), t.at(2), 2_000)
    t.run(ctx, first)
    t.run(ctx, second)
    assert [(lot["receipt"], lot["wh"]) for lot in t.lots(ctx)] == [(first.tx_id, 1_000), (second.tx_id, 2_000)]


def test_receipt_from_an_unknown_home_is_refused(t: TradingWorld) -> None:
    ctx = t.context()
    refused(ctx, t.receipt(t.outsider, t.at(1), t.at(2), 1_000), "unknown_home",
            f"expected a registered home, found an unregistered address {t.outsider.address}")
    refused(ctx, t.receipt(t.storage2, t.at(1), t.at(2), 1_000), "unknown_home",
            "expected a registered home, found a key with role storage")


def test_receipt_from_a_home_of_another_battery_is_refused(t: TradingWorld) -> None:
    refused(t.context(), t.receipt(t.home_far, t.at(1), t.at(2), 1_000), "wrong_battery",
            "home .* trades with battery 'B2', found battery 'B1'")


def test_a_storage_key_cannot_record_for_another_battery(t: TradingWorld) -> None:
    ctx = t.context()
    refused(ctx, t.receipt(t.home_a, t.at(1), t.at(2), 1_000, key=t.storage2), "wrong_battery",
            f"storage key {t.storage2.address} serves battery 'B2', found a record for battery 'B1'")
    refused(ctx, t.report(0, key=t.storage2), "wrong_battery", "serves battery 'B2'")


def test_a_home_cannot_sign_a_receipt(t: TradingWorld) -> None:
    refused(t.context(), t.receipt(t.home_a, t.at(1), t.at(2), 1_000, key=t.home_a), "wrong_role",
            "expected a key with role storage, found home")


@pytest.mark.parametrize(("start_h", "end_h", "wh", "code", "match"), [
    (2, 1, 100, "bad_interval", "expected 0 <= start < end"),
    (1, 1, 100, "bad_interval", "expected 0 <= start < end"),
    (1, 2, 0, "bad_body", "expected a positive 'wh', found 0"),
    (1, 2, -5, "bad_body", "expected a positive 'wh', found -5"),
    (1, 2, 5_001, "over_charge_rate", "expected at most 5000 Wh charged at 5000 W over 3600 s, found 5001"),
    (23, 25, 100, "future_time", "expected a receipt ending by the block time"),
])
def test_bad_receipts_are_refused(t: TradingWorld, start_h: int, end_h: int, wh: int, code: str, match: str) -> None:
    refused(t.context(), t.receipt(t.home_a, t.at(start_h), t.at(end_h), wh), code, match)


def test_receipt_beyond_capacity_is_refused(t: TradingWorld) -> None:
    ctx = t.context()
    for hour in range(4):
        t.run(ctx, t.receipt(t.homes[hour % 3], t.at(hour), t.at(hour + 1), 5_000))
    assert t.battery(ctx)["stored_wh"] == CAPACITY_WH
    refused(ctx, t.receipt(t.home_a, t.at(5), t.at(6), 1), "battery_full",
            "expected at most 0 Wh more in battery B1 \\(20000 of 20000 Wh stored\\), found 1")


def test_overlapping_receipts_of_one_home_are_refused(t: TradingWorld) -> None:
    ctx = t.context()
    t.run(ctx, t.receipt(t.home_a, t.at(1), t.at(2), 1_000))
    refused(ctx, t.receipt(t.home_a, t.at(1.5), t.at(3), 1_000), "overlap",
            f"starting at or after its previous one's end {t.at(2)}")
    t.run(ctx, t.receipt(t.home_b, t.at(1.5), t.at(3), 1_000))  # another home: its own intervals


def test_unknown_body_fields_are_refused(t: TradingWorld) -> None:
    tx = t.sign(t.storage, "storage.receipt", {"battery": BATTERY, "home": t.home_a.address, "start": t.at(1),
                                               "end": t.at(2), "wh": 1, "bonus": 5})
    refused(t.context(), tx, "bad_body", "expected body fields .* found .*'bonus'")


# --- storage.report -----------------------------------------------------------------------------------------------
def test_first_report_brings_the_battery_onto_the_ledger(t: TradingWorld) -> None:
    ctx = t.context()
    assert t.battery(ctx) is None
    result = t.run(ctx, t.report(0))
    assert result["stored_wh"] == 0 and t.battery(ctx)["stored_wh"] == 0


def test_report_records_a_surplus_but_never_creates_energy(t: TradingWorld) -> None:
    ctx = t.context()
    t.run(ctx, t.receipt(t.home_a, t.at(1), t.at(2), 2_000))
    result = t.run(ctx, t.report(9_000, time=t.at(3)))
    assert (result["difference_wh"], result["written_off_wh"], result["stored_wh"]) == (7_000, 0, 2_000)
    assert t.battery(ctx)["report"]["measured_wh"] == 9_000 and t.battery(ctx)["stored_wh"] == 2_000


def test_report_writes_off_self_discharge_oldest_lot_first_but_not_what_is_reserved(t: TradingWorld) -> None:
    ctx = t.context(time=t.at(3))
    t.run(ctx, t.receipt(t.home_a, t.at(1), t.at(2), 2_000))
    t.run(ctx, t.receipt(t.home_b, t.at(1), t.at(2), 3_000))
    result = t.run(ctx, t.report(4_500, time=t.at(3)))
    assert (result["difference_wh"], result["written_off_wh"], result["stored_wh"]) == (-500, 500, 4_500)
    assert [lot["wh"] for lot in t.lots(ctx)] == [1_500, 3_000]
    request = t.request(t.home_c, t.at(3), t.at(10), 3_600, 50)
    t.run(ctx, request)
    ctx.time = t.at(5)
    t.run(ctx, t.match(t.at(4)))
    assert t.battery(ctx)["reserved_wh"] == 4_000
    result = t.run(ctx, t.report(0, time=t.at(5)))  # the battery claims it is empty: the reservation stands
    assert (result["written_off_wh"], result["stored_wh"]) == (500, 4_000)
    battery = t.battery(ctx)
    assert battery["received_wh"] == battery["stored_wh"] + battery["self_discharge_wh"] == 5_000


def test_report_out_of_order_or_in_the_future_or_above_capacity_is_refused(t: TradingWorld) -> None:
    ctx = t.context()
    t.run(ctx, t.report(0, time=t.at(5)))
    refused(ctx, t.report(0, time=t.at(4)), "stale_time", f"at or after the previous one at {t.at(5)}")
    refused(ctx, t.report(0, time=t.at(25)), "future_time", "at or before the block time")
    refused(ctx, t.report(CAPACITY_WH + 1, time=t.at(6)), "over_capacity", "expected 0 <= stored_wh <= the capacity")


# --- storage.delivery ---------------------------------------------------------------------------------------------
def reserved(t: TradingWorld, wh: int = 2_000, *, pay: str = "yen") -> tuple[Context, str]:
    """A context with 6 kWh stored (two homes) and a matched request of ``wh`` by home C; its request id."""
    ctx = t.context(time=t.at(3))
    t.run(ctx, t.receipt(t.home_a, t.at(1), t.at(2), 2_000))
    t.run(ctx, t.receipt(t.home_b, t.at(1), t.at(2), 4_000))
    request = t.request(t.home_c, t.at(3), t.at(10), wh, 40, pay=pay)
    t.run(ctx, request)
    ctx.time = t.at(6)
    outcome = t.run(ctx, t.match(t.at(4)))
    assert [r["request"] for r in outcome["reserved"]] == [request.tx_id]
    return ctx, request.tx_id


def test_delivery_settles_with_losses_and_fifo_origin(t: TradingWorld) -> None:
    ctx, request_id = reserved(t, 3_000)
    draw = draw_wh(3_000, EFFICIENCY_PCT)  # 3,334 Wh leave the battery for 3,000 at the home
    assert t.battery(ctx)["reserved_wh"] == draw
    result = t.run(ctx, t.delivery(request_id, t.at(4), t.at(5), 3_000))
    assert (result["wh"], result["draw_wh"], result["loss_wh"], result["released_wh"]) == (3_000, draw, draw - 3_000, 0)
    assert [(lot["home"], lot["wh"]) for lot in result["lots"]] == [(t.home_a.address, 2_000),
                                                                    (t.home_b.address, draw - 2_000)]
    assert result["paid"] == {"pay": "yen", "amount": 3 * 20}  # matched 13:00 JST at 30 % charge: 20 yen/kWh
    battery = t.battery(ctx)
    assert (battery["stored_wh"], battery["reserved_wh"], battery["delivered_wh"], battery["loss_wh"]) == \
        (6_000 - draw, 0, 3_000, draw - 3_000)
    assert battery["received_wh"] == battery["stored_wh"] + battery["delivered_wh"] + battery["loss_wh"]
    assert t.value(ctx, f"trade/reservation/{request_id}")["status"] == "delivered"
    assert t.value(ctx, f"trade/request/{request_id}")["status"] == "delivered"


def test_partial_delivery_releases_the_rest(t: TradingWorld) -> None:
    ctx, request_id = reserved(t, 3_000)
    result = t.run(ctx, t.delivery(request_id, t.at(4), t.at(5), 1_800))
    assert result["released_wh"] == draw_wh(3_000, EFFICIENCY_PCT) - draw_wh(1_800, EFFICIENCY_PCT)
    assert t.battery(ctx)["reserved_wh"] == 0


def test_delivery_beyond_the_reservation_or_twice_is_refused(t: TradingWorld) -> None:
    ctx, request_id = reserved(t, 2_000)
    refused(ctx, t.delivery(request_id, t.at(4), t.at(5), 2_001), "over_reservation",
            "expected at most the 2000 Wh reserved, found 2001")
    delivery = t.delivery(request_id, t.at(4), t.at(5), 2_000)
    t.run(ctx, delivery)
    refused(ctx, t.delivery(request_id, t.at(5), t.at(6), 1), "already_settled",
            f"found request {request_id} delivered by delivery {delivery.tx_id}")


def test_delivery_of_an_unknown_reservation_or_by_another_battery_is_refused(t: TradingWorld) -> None:
    ctx, request_id = reserved(t)
    refused(ctx, t.delivery("ab" * 32, t.at(4), t.at(5), 1), "unknown_reservation", "found none for request abab")
    refused(ctx, t.delivery(request_id, t.at(4), t.at(5), 1, key=t.storage2), "wrong_battery", "serves battery 'B2'")
    t.run(ctx, t.report(0, battery="B2", key=t.storage2))
    refused(ctx, t.delivery(request_id, t.at(4), t.at(5), 1, battery="B2", key=t.storage2), "unknown_reservation",
            "expected a reservation of battery B2")


def test_delivery_faster_than_the_battery_or_before_the_match_is_refused(t: TradingWorld) -> None:
    ctx, request_id = reserved(t)
    refused(ctx, t.delivery(request_id, t.at(4), t.at(4.25), 1_300), "over_discharge_rate",
            "expected at most 1250 Wh discharged at 5000 W over 900 s, found 1300")
    refused(ctx, t.delivery(request_id, t.at(2), t.at(3), 1_000), "bad_interval",
            f"expected a delivery starting after the match at {t.at(4)}")


def test_delivery_paid_with_points_deducts_them(t: TradingWorld) -> None:
    ctx = t.context(time=t.at(4.5))
    for hour in range(4):  # home C earns 4 x 50 points
        receipt = t.receipt(t.home_c, t.at(hour), t.at(hour + 1), 5_000)
        t.run(ctx, receipt)
        t.run(ctx, t.sale(t.home_c, t.at(hour), t.at(hour + 1), 5_000))
    assert t.points(ctx, t.home_c)["balance"] == 200
    request = t.request(t.home_c, t.at(5), t.at(10), 2_000, 40, pay="points")
    assert t.run(ctx, request)["points_reserved"] == 80
    ctx.time = t.at(6)
    match = t.run(ctx, t.match(t.at(5)))
    price = match["reserved"][0]["price"]
    assert t.points(ctx, t.home_c)["reserved"] == 2 * price
    result = t.run(ctx, t.delivery(request.tx_id, t.at(5), t.at(6), 1_000))
    assert result["paid"] == {"pay": "points", "amount": price}
    assert t.points(ctx, t.home_c) == {"balance": 200 - price, "reserved": 0, "earned": 200, "spent": price}
