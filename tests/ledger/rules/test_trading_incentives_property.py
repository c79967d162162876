"""Random days of trading with every incentive mode on offer (mod 4): the invariants of the seed-003 property test
(energy conserved, never oversold, points never overdrawn, every credited incentive backed by one sale,
determinism) and, besides, each sale's incentive credited exactly once:

* a sale's points are 0 until its incentive is paid, then what its ``incentive`` record says, and ``by`` names the
  one transaction that paid it (the sale, a delivery, or a period's payout);
* a sale paid after its buyers paid is paid only once its lot is empty, for the Wh deliveries took from it;
* every owed sale is listed in exactly one home's record of exactly one open period, whose sum is what it owes;
  a closed period has no sale still owed, and a second payout of it is refused;
* every delivery is an asset of its buyer holding exactly the Wh delivered, whose origin lots add up to that and
  to what the battery gave (losses deducted), each lot's share within what it gave.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from ledger_lite.trading import incentive_points
from tests.helpers.trading_world import TradingWorld
from tests.ledger.test_rules_trading_property import TradingDay

PERIOD_S = 4 * 3600


class IncentiveDay(TradingDay):
    def __init__(self) -> None:
        super().__init__()
        self.t = TradingWorld(incentive="payment", incentive_modes=["payment", "sale", "period"],
                              incentive_period_s=PERIOD_S)
        self.ctx = self.t.context(time=self.t.at(0))
        self.log.clear()
        self.run(self.t.report(0, time=self.ctx.time))

    @rule(data=st.data(), mode=st.sampled_from(["sale", "payment", "period", None]))
    def sale_choosing(self, data: st.DataObject, mode: str | None) -> None:
        if not self.receipts:
            return
        home, _, start, end, wh = data.draw(st.sampled_from(self.receipts))
        self.run(self.t.sale(self.t.homes[home], start, end, wh, incentive=mode))

    @rule(data=st.data(), twice=st.booleans())
    def payout(self, data: st.DataObject, twice: bool) -> None:
        periods = sorted({int(k.split("/")[3]) for k in self.values("trade/owed/") if k.count("/") == 3})
        if not periods:
            return
        period = data.draw(st.sampled_from(periods))
        first = self.run(self.t.payout(period))
        if twice:
            assert self.run(self.t.payout(period)) is None, "a period was paid twice"
        if first is not None:
            assert first["period_end"] <= self.now

    @invariant()
    def each_incentive_is_credited_once(self) -> None:
        sales = {k.rsplit("/", 1)[1]: v for k, v in self.values("trade/sale/").items()}
        listed = Counter[str]()
        for key, owed in self.values("trade/owed/").items():
            if key.count("/") == 4:
                battery, period, home = key.split("/")[2:]
                index = self.values(f"trade/owed/{battery}/{period}")[f"trade/owed/{battery}/{period}"]
                assert home in index["homes"]
                promised = 0
                for sale_id in owed["sales"]:
                    listed[sale_id] += 1
                    sale = sales[sale_id]
                    assert sale["home"] == home and sale["incentive"]["period"] == int(period)
                    assert sale["incentive"]["status"] == ("owed" if index["paid"] is None else "paid")
                    promised += sale["incentive"]["points"]
                assert owed["points"] == promised
        for sale_id, sale in sales.items():
            incentive: dict[str, Any] = sale["incentive"]
            if incentive["status"] == "paid":
                assert sale["points"] == incentive["points"] and incentive["by"] is not None
            else:
                assert sale["points"] == 0 and incentive["by"] is None
            if incentive["mode"] == "period":
                assert listed[sale_id] == 1
            if incentive["mode"] == "payment":
                receipt = self.values(f"trade/receipt/{sale['receipt']}")[f"trade/receipt/{sale['receipt']}"]
                out = receipt.get("drawn_wh", 0) + receipt.get("written_off_wh", 0)
                assert (incentive["status"] == "paid") == (out == receipt["wh"])
                if incentive["status"] == "paid":
                    assert incentive["points"] == incentive_points(min(sale["credited_wh"],
                                                                       receipt.get("drawn_wh", 0)))
        assert all(n == 1 for n in listed.values())


    @invariant()
    def every_delivery_keeps_its_origin(self) -> None:
        for reservation in self.values("trade/reservation/").values():
            delivery = reservation["delivery"]
            if delivery is None:
                continue
            asset = self.values(f"asset/{delivery['tx']}")[f"asset/{delivery['tx']}"]
            origin = asset["origin"]
            assert (asset["owner"], asset["wh"], asset["trade"]) == (reservation["home"], delivery["wh"], "completed")
            assert origin["drawn_wh"] == delivery["draw_wh"] == sum(lot["drawn_wh"] for lot in origin["lots"])
            assert sum(lot["wh"] for lot in origin["lots"]) == delivery["wh"]
            assert all(0 <= lot["wh"] <= lot["drawn_wh"] for lot in origin["lots"])


IncentiveDay.TestCase.settings = settings(max_examples=100, stateful_step_count=80, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
test_random_days_with_every_incentive_mode = IncentiveDay.TestCase
