"""Random days of seed-003 trading against the rules, checked after every step against the ledger's invariants:

* energy conservation: received = stored + delivered + losses (round trip) + self-discharge written off;
* the battery is never negative nor over capacity, and never more is reserved than stored; the origin lots add up
  to what is stored, the open reservations to what is reserved;
* every incentive credited is backed by exactly one recorded sale, each receipt backs at most one sale;
* points are never negative, never more reserved than held, and held = earned − spent;
* a refused transaction writes nothing; every written value is canonical CBOR (no floats);
* determinism: the same transactions at the same block times, replayed on a fresh state (another validator),
  give the same outcomes and the same state.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ledger.errors import Rejected
from ledger.rules import execute
from ledger_lite import Transaction, canonical
from ledger_lite.trading import METERING_TOLERANCE_PCT, TIME_WINDOW_S
from tests.helpers.trading_world import CAPACITY_WH, CHARGE_W, DISCHARGE_W, TradingWorld

HALF_HOUR = 1800


class TradingDay(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.t = TradingWorld()
        self.ctx = self.t.context(time=self.t.at(0))
        self.log: list[tuple[int, Transaction, str]] = []  # (block time, tx, outcome code) for the replay
        self.receipts: list[tuple[int, str, int, int, int]] = []  # (home index, receipt id, start, end, wh)
        self.requests: list[str] = []
        self.tokens: list[tuple[int, str]] = []
        self.last_end = [0, 0, 0]
        self.run(self.t.report(0, time=self.ctx.time))

    # --- helpers ------------------------------------------------------------------------------------------------
    def run(self, tx: Transaction) -> dict[str, Any] | None:
        before = dict(self.ctx.state.writes)
        try:
            result = execute(tx, self.ctx)
        except Rejected as exc:
            assert self.ctx.state.writes == before, f"refused {tx.type} ({exc.code}) wrote to the state"
            assert exc.status != 500, exc.message
            event(f"{tx.type} → {exc.code}")
            self.log.append((self.ctx.time, tx, exc.code))
            return None
        event(f"{tx.type} → ok")
        self.log.append((self.ctx.time, tx, "ok"))
        return result

    @property
    def now(self) -> int:
        return self.ctx.time

    def values(self, prefix: str) -> dict[str, Any]:
        return {k: v for k, v in self.ctx.state.writes.items() if k.startswith(prefix)}

    # --- operations ---------------------------------------------------------------------------------------------
    @rule(minutes=st.sampled_from([5, 30, 60, 180]))
    def clock(self, minutes: int) -> None:
        self.ctx.time += minutes * 60

    @rule(home=st.integers(0, 2), slots=st.integers(1, 4), percent=st.integers(1, 110))
    def receipt(self, home: int, slots: int, percent: int) -> None:
        end = self.now
        start = max(self.last_end[home], end - slots * HALF_HOUR)
        if start >= end:
            return
        wh = max(1, CHARGE_W * (end - start) // 3600 * percent // 100)
        tx = self.t.receipt(self.t.homes[home], start, end, wh)
        if self.run(tx) is not None:
            self.last_end[home] = end
            self.receipts.append((home, tx.tx_id, start, end, wh))

    @rule(data=st.data(), tamper_pct=st.sampled_from([0, 0, 1, -2, 3, -5]),
          shift=st.sampled_from([0, 0, 60, -TIME_WINDOW_S, TIME_WINDOW_S + 1]), other_home=st.booleans())
    def sale(self, data: st.DataObject, tamper_pct: int, shift: int, other_home: bool) -> None:
        if not self.receipts:
            return
        home, receipt_id, start, end, wh = data.draw(st.sampled_from(self.receipts))
        seller = (home + 1) % 3 if other_home else home
        sold_wh = wh * (100 + tamper_pct) // 100
        used = self.t.value(self.ctx, f"trade/receipt/{receipt_id}")["sale"] is not None
        result = self.run(self.t.sale(self.t.homes[seller], start + shift, end + shift, sold_wh))
        if result is None:
            return
        # Accepted: an unused receipt of this very home, within the tolerances, backs it.
        backing = self.t.value(self.ctx, f"trade/receipt/{result['receipt']}")
        assert backing["home"] == self.t.homes[seller].address
        assert abs(backing["start"] - start - shift) <= TIME_WINDOW_S
        assert abs(sold_wh - backing["wh"]) * 100 <= backing["wh"] * METERING_TOLERANCE_PCT
        if result["receipt"] == receipt_id:
            # What was tampered is the Wh as sent (a small receipt's rounding can undo the percentage).
            assert not used and not other_home and abs(sold_wh - wh) * 100 <= wh * METERING_TOLERANCE_PCT

    @rule(home=st.integers(0, 2), wh=st.one_of(st.integers(1, 4_000), st.integers(1, 20_000)),
          max_price=st.one_of(st.integers(18, 40), st.integers(0, 40)),
          pay=st.sampled_from(["yen", "yen", "points"]), delay=st.sampled_from([0, 0, 3600]),
          hours=st.integers(1, 6), with_token=st.booleans())
    def request(self, home: int, wh: int, max_price: int, pay: str, delay: int, hours: int, with_token: bool) -> None:
        token = next((tid for h, tid in self.tokens if h == home), None) if with_token else None
        tx = self.t.request(self.t.homes[home], self.now + delay, self.now + delay + hours * 3600, wh, max_price,
                            pay=pay, token=token)
        if self.run(tx) is not None:
            self.requests.append(tx.tx_id)

    @rule(home=st.integers(0, 2), wh=st.integers(100, 5_000), extra=st.integers(0, 10))
    def token(self, home: int, wh: int, extra: int) -> None:
        tx = self.t.token(self.t.homes[home], wh, 20 + extra)
        if self.run(tx) is not None:
            self.tokens.append((home, tx.tx_id))

    @rule(back=st.sampled_from([0, 0, 600]))
    def match(self, back: int) -> None:
        self.run(self.t.match(self.now - back))

    @rule(data=st.data(), percent=st.integers(1, 110), minutes=st.sampled_from([15, 60]))
    def delivery(self, data: st.DataObject, percent: int, minutes: int) -> None:
        reserved = [r for r in self.requests
                    if (self.t.value(self.ctx, f"trade/reservation/{r}") or {}).get("status") == "reserved"]
        if not reserved:
            return
        request_id = data.draw(st.sampled_from(reserved))
        reservation = self.t.value(self.ctx, f"trade/reservation/{request_id}")
        wh = max(1, reservation["wh"] * percent // 100)
        start = max(reservation["time"], self.now - minutes * 60)
        if start >= self.now:
            return
        if wh > DISCHARGE_W * (self.now - start) // 3600:
            event("delivery over the discharge rate (expected refusal)")
        self.run(self.t.delivery(request_id, start, self.now, wh))

    @rule(home=st.integers(0, 2), wh=st.integers(1, 5_000), pay=st.sampled_from(["yen", "points"]),
          percent=st.integers(50, 100))
    def buy_now(self, home: int, wh: int, pay: str, percent: int) -> None:
        """The whole purchase path at once: request, match, a quarter hour later the delivery."""
        tx = self.t.request(self.t.homes[home], self.now, self.now + 3600, wh, 40, pay=pay)
        if self.run(tx) is None:
            return
        self.requests.append(tx.tx_id)
        self.run(self.t.match(self.now))
        reservation = self.t.value(self.ctx, f"trade/reservation/{tx.tx_id}")
        if reservation is None:
            return
        self.ctx.time += 900
        self.run(self.t.delivery(tx.tx_id, self.now - 900, self.now, max(1, reservation["wh"] * percent // 100)))

    @rule(percent=st.integers(90, 110))
    def report(self, percent: int) -> None:
        stored = self.t.battery(self.ctx)["stored_wh"]
        self.run(self.t.report(min(CAPACITY_WH, stored * percent // 100), time=self.now))

    # --- invariants ---------------------------------------------------------------------------------------------
    @invariant()
    def energy_is_conserved_and_never_oversold(self) -> None:
        b = self.t.battery(self.ctx)
        assert b["received_wh"] == b["stored_wh"] + b["delivered_wh"] + b["loss_wh"] + b["self_discharge_wh"]
        assert 0 <= b["reserved_wh"] <= b["stored_wh"] <= CAPACITY_WH
        assert min(b["delivered_wh"], b["loss_wh"], b["self_discharge_wh"]) >= 0
        lots = self.t.lots(self.ctx)
        assert all(lot["wh"] >= 0 for lot in lots) and sum(lot["wh"] for lot in lots) == b["stored_wh"]
        reservations = self.values("trade/reservation/").values()
        assert sum(r["draw_wh"] for r in reservations if r["status"] == "reserved") == b["reserved_wh"]
        assert all(r["wh"] <= r["draw_wh"] for r in reservations)

    @invariant()
    def every_incentive_is_backed_by_one_sale(self) -> None:
        sales = self.values("trade/sale/")
        receipts = self.values("trade/receipt/")
        backing = Counter(s["receipt"] for s in sales.values())
        assert all(n == 1 for n in backing.values())
        for sale_key, sale in sales.items():
            assert receipts[f"trade/receipt/{sale['receipt']}"]["sale"] == sale_key.rsplit("/", 1)[1]
            assert sale["home"] == receipts[f"trade/receipt/{sale['receipt']}"]["home"]
        assert sum(1 for r in receipts.values() if r["sale"] is not None) == len(sales)
        earned = Counter[str]()
        for sale in sales.values():
            earned[sale["home"]] += sale["points"]
        for home in self.t.homes:
            points = self.t.points(self.ctx, home)
            assert points["earned"] == earned[home.address]
            assert points["balance"] == points["earned"] - points["spent"]

    @invariant()
    def points_are_never_negative_or_overdrawn(self) -> None:
        requests = self.values("trade/request/").values()
        reservations = self.values("trade/reservation/").values()
        for home in self.t.homes:
            points = self.t.points(self.ctx, home)
            assert 0 <= points["reserved"] <= points["balance"]
            held = sum(r["points"] for r in requests if r["home"] == home.address and r["status"] == "open") + \
                sum(r["points"] for r in reservations if r["home"] == home.address and r["status"] == "reserved")
            assert points["reserved"] == held

    @invariant()
    def values_are_canonical(self) -> None:
        for value in self.ctx.state.writes.values():
            canonical(value)

    def teardown(self) -> None:
        # Another validator: the same transactions at the same block times, from the same genesis.
        other = self.t.context(time=self.t.at(0))
        for time, tx, code in self.log:
            other.time = time
            try:
                execute(tx, other)
                found = "ok"
            except Rejected as exc:
                found = exc.code
            assert found == code, f"{tx.type}: {code} on one validator, {found} on another"
        assert other.state.writes == self.ctx.state.writes


TradingDay.TestCase.settings = settings(max_examples=100, stateful_step_count=80, deadline=None,
                                        suppress_health_check=[HealthCheck.too_slow])
test_random_trading_days = TradingDay.TestCase
