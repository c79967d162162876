"""Modification 4 with the real devices on a real node: a day of a neighbourhood whose deployment pays incentives
after the buyers paid, or in a lump sum per period (a validator pays each period as it ends); every sale's
incentive is credited at most once, the homes' points are exactly what their paid sales earned, and each home's
controller shows what the ledger says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from field.trading.neighbourhood import Neighbourhood, NeighbourhoodReport, run_neighbourhood
from ledger_lite import trading as contract
from tests.field.trading.world import DAY0, TradingNode, open_trading_node

PERIOD_S = 6 * 3600


def a_day(tmp_path: Path, **terms: Any) -> Iterator[tuple[TradingNode, Neighbourhood, NeighbourhoodReport]]:
    for w in open_trading_node(tmp_path, **terms):
        hoods: list[Neighbourhood] = []
        report = run_neighbourhood("http://node.test", w.chain_id, home_keys=w.home_keys, storage_key=w.storage_key,
                                   validator_key=w.validator, start=DAY0, days=1, homes=w.homes,
                                   before_slot=w.clock.set, transport=w.transport, neighbourhood=hoods.append)
        yield w, hoods[0], report


@pytest.fixture(scope="module")
def per_period(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TradingNode, Neighbourhood,
                                                                         NeighbourhoodReport]]:
    yield from a_day(tmp_path_factory.mktemp("period"), incentive="period", incentive_period_s=PERIOD_S)


@pytest.fixture(scope="module")
def after_payment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TradingNode, Neighbourhood,
                                                                            NeighbourhoodReport]]:
    yield from a_day(tmp_path_factory.mktemp("payment"), incentive="payment")


def ledger_sales(w: TradingNode, hood: Neighbourhood) -> dict[str, list[dict[str, Any]]]:
    """Each home's recorded sales as the ledger holds them."""
    return {c.address: [w.value(f"trade/sale/{s.sale_tx}") for s in c.sales if s.state == "recorded"]
            for c in hood.controllers}


def test_per_period_every_sale_is_paid_once_with_its_periods_lump_sum(
        per_period: tuple[TradingNode, Neighbourhood, NeighbourhoodReport]) -> None:
    w, hood, report = per_period
    assert report.sales_recorded > 0 and report.balanced
    paid_in_slots = [s for s in report.slots if s.incentives_paid]
    assert paid_in_slots and all(contract.period_start(s.start + 1800, PERIOD_S) == s.start + 1800
                                 for s in paid_in_slots)  # only as a period ends
    total = 0
    for address, sales in ledger_sales(w, hood).items():
        for sale in sales:  # the day's last half hour ends a period: everything owed is paid
            assert sale["incentive"]["status"] == "paid" and sale["incentive"]["mode"] == "period"
            assert sale["points"] == contract.incentive_points(sale["credited_wh"])
            payout = w.value(f"trade/owed/battery-300/{sale['incentive']['period']}")
            assert payout["paid"] == sale["incentive"]["by"]
        assert w.points(address) == sum(s["points"] for s in sales)
        total += w.points(address)
    assert total == sum(s.incentives_paid for s in report.slots)
    for controller in hood.controllers:  # the screen follows the ledger
        assert all(s.incentive == "paid" for s in controller.sales if s.state == "recorded")
        has_points = w.points(controller.address) > 0  # an account exists once points were credited
        assert controller.points == (w.value(f"trade/points/{controller.address}")["balance"] if has_points else 0)


def test_after_payment_a_sale_is_paid_once_its_energy_was_delivered_and_paid_for(
        after_payment: tuple[TradingNode, Neighbourhood, NeighbourhoodReport]) -> None:
    w, hood, report = after_payment
    assert report.sales_recorded > 0 and report.paid > 0 and report.balanced
    statuses = []
    for address, sales in ledger_sales(w, hood).items():
        for sale in sales:
            receipt = w.value(f"trade/receipt/{sale['receipt']}")
            drained = receipt.get("drawn_wh", 0) + receipt.get("written_off_wh", 0) == receipt["wh"]
            statuses.append(sale["incentive"]["status"])
            assert (sale["incentive"]["status"] == "paid") == drained
            if drained:
                assert sale["points"] == contract.incentive_points(min(sale["credited_wh"], receipt["drawn_wh"]))
            else:
                assert sale["points"] == 0
        assert w.points(address) - sum(s["points"] for s in sales) == 0
    assert "paid" in statuses and "pending" in statuses  # the battery still holds the newest sellers' energy
    for controller in hood.controllers:
        shown = {s.sale_tx: s.incentive for s in controller.sales if s.state == "recorded"}
        assert shown == {s.sale_tx: w.value(f"trade/sale/{s.sale_tx}")["incentive"]["status"]
                         for s in controller.sales if s.state == "recorded"}
