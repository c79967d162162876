"""The devices against a real ledger node running the seed-003 rules: a home sells and is credited points; a
purchase request is confirmed, matched, delivered and paid; failed requests show why; a neighbourhood's day
conserves energy on both the battery and the ledger."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from field.trading.neighbourhood import Neighbourhood, run_neighbourhood
from ledger_lite import trading as contract
from tests.field.trading.world import DAY0, TradingNode

H = 1800
NOON = DAY0 + 24 * H


@pytest.fixture
def hood(trading_node: TradingNode) -> Iterator[Neighbourhood]:
    w = trading_node
    w.clock.set(NOON)
    hood = Neighbourhood(w.client(), w.chain_id, home_keys=w.home_keys, storage_key=w.storage_key,
                         validator_key=w.validator, homes=w.homes, start=NOON)
    hood.storage.report(NOON)  # the battery exists on the ledger from its first report
    yield hood
    hood.close()
    hood.node.close()


def run_slot(w: TradingNode, hood: Neighbourhood, start: int) -> None:
    w.clock.set(start + H)
    hood.slot(start)


def test_a_home_sells_its_surplus_and_is_credited_points(trading_node: TradingNode, hood: Neighbourhood) -> None:
    seller = hood.controllers[0]
    run_slot(trading_node, hood, NOON)
    [sale] = seller.sales
    assert sale.state == "recorded", sale.reason
    assert sale.sent_wh >= seller.threshold_wh
    receipt = trading_node.value(f"trade/receipt/{sale.receipt_tx}")
    assert receipt["home"] == seller.address
    assert receipt["sale"] == sale.sale_tx  # the receipt backs this one sale
    assert abs(receipt["wh"] - sale.sent_wh) * 100 <= receipt["wh"] * contract.METERING_TOLERANCE_PCT
    assert sale.points == contract.incentive_points(receipt["wh"]) > 0
    assert seller.points == trading_node.value(f"trade/points/{seller.address}")["balance"] == sale.points
    view = seller.view()
    assert view["sold_wh"] == sale.sent_wh


def test_a_confirmed_request_is_matched_delivered_and_paid(trading_node: TradingNode, hood: Neighbourhood) -> None:
    for i in range(4):  # the sellers fill the battery at midday
        run_slot(trading_node, hood, NOON + i * H)
    buyer = hood.controllers[2]  # a house without panels
    assert buyer.home.pv_capacity_w == 0
    start = NOON + 4 * H
    draft = buyer.draft_request(start, 1_500, 40)
    assert buyer.purchases == []  # nothing is sent before the user says yes (Fig. 4)
    purchase = buyer.confirm(draft.number, True)
    assert purchase is not None
    buyer.wait_sent()
    assert purchase.state == "recorded", purchase.reason
    request = trading_node.value(f"trade/request/{purchase.tx_id}")
    assert (request["home"], request["wh"], request["status"]) == (buyer.address, 1_500, "open")
    run_slot(trading_node, hood, start)  # S209–S213: report, match, reservation
    assert trading_node.value(f"trade/reservation/{purchase.tx_id}")["status"] == "reserved"
    assert purchase.state == "recorded" and purchase.reserved_wh == 1_500
    run_slot(trading_node, hood, start + H)  # S214: the battery delivers, the ledger settles
    reservation = trading_node.value(f"trade/reservation/{purchase.tx_id}")
    assert reservation["status"] == "delivered"
    assert purchase.state == "paid", purchase.reason
    assert purchase.delivered_wh == 1_500
    assert purchase.paid == contract.cost(1_500, reservation["price"]) > 0
    assert hood.server.deliveries[purchase.tx_id].status == "recorded"


def test_answer_no_sends_nothing(hood: Neighbourhood) -> None:
    buyer = hood.controllers[2]
    draft = buyer.draft_request(NOON + 2 * H, 1_000, 30)
    assert buyer.confirm(draft.number, False) is None
    assert buyer.purchases == []


def test_a_request_the_rules_refuse_fails_with_the_reason(hood: Neighbourhood) -> None:
    buyer = hood.controllers[2]
    huge = buyer.request(NOON + 2 * H, 55_000, 30)  # the 60 kWh battery delivers 54 kWh when full
    buyer.wait_sent()
    assert huge.state == "failed"
    assert huge.reason.startswith("beyond_battery: expected at most 54000 Wh")
    points = buyer.request(NOON + 2 * H, 2_000, 30, pay="points")  # it has no points
    buyer.wait_sent()
    assert points.state == "failed"
    assert points.reason.startswith("insufficient_points:")


def test_a_request_nobody_serves_fails_with_why(trading_node: TradingNode, hood: Neighbourhood) -> None:
    run_slot(trading_node, hood, NOON)
    buyer = hood.controllers[2]
    cheap = buyer.request(NOON + H, 500, 1)  # below the contract's buy price all day
    buyer.wait_sent()
    run_slot(trading_node, hood, NOON + H)
    assert cheap.state == "recorded" and cheap.waiting == "price"
    for i in range(2, 6):
        run_slot(trading_node, hood, NOON + i * H)
    assert cheap.state == "failed"
    assert cheap.reason == "expired unserved: the contract's price stayed above your unit price"
    assert trading_node.value(f"trade/request/{cheap.tx_id}")["status"] == "expired"


def test_a_day_of_trading_conserves_energy(trading_node: TradingNode) -> None:
    w = trading_node
    hoods: list[Neighbourhood] = []
    report = run_neighbourhood("http://node.test", w.chain_id, home_keys=w.home_keys, storage_key=w.storage_key,
                               validator_key=w.validator, start=DAY0, days=1, homes=w.homes, before_slot=w.clock.set,
                               transport=w.transport, neighbourhood=hoods.append)
    assert report.sales_recorded > 0 and report.paid > 0
    assert report.sales_failed == 0
    assert report.balanced  # the battery: received = stored + delivered + losses
    account = w.value("trade/battery/battery-300")
    assert account["received_wh"] == account["stored_wh"] + account["delivered_wh"] + account["loss_wh"] + \
        account["self_discharge_wh"]
    assert account["reserved_wh"] <= account["stored_wh"]  # never oversold
    assert account["received_wh"] == report.battery["received_wh"]
    assert account["delivered_wh"] == report.battery["delivered_wh"] == report.delivered_wh
    # the ledger's stored energy follows the battery's own once its last report is in
    assert account["stored_wh"] == report.battery["stored_wh"]
    # every incentive paid is backed by one recorded sale (S111, mod 1: exactly once per sale)
    hood = hoods[0]
    sales = [s for c in hood.controllers for s in c.sales if s.state == "recorded"]
    assert len({s.receipt_tx for s in sales}) == len(sales)
    for controller in hood.controllers:
        mine = [w.value(f"trade/sale/{s.sale_tx}") for s in controller.sales if s.state == "recorded"]
        earned = w.points(controller.address)
        assert earned == sum(contract.incentive_points(m["credited_wh"]) for m in mine)
