"""A trading neighbourhood for the seed-003 rule tests: homes, one storage battery, a genesis registering them.

    t = TradingWorld()
    ctx = t.context(time=t.at(10))                 # the rules over a fresh state from t.genesis(), block time
    t.run(ctx, t.report(0))                        # execute a transaction: its result, or Rejected is raised
    t.run(ctx, t.receipt(t.home_a, t.at(9), t.at(10), 2_000))
    t.run(ctx, t.sale(t.home_a, t.at(9), t.at(10), 2_000))
    refused(ctx, t.sale(t.home_a, t.at(9), t.at(10), 2_000), "already_sold", "one receipt backs one sale")

It builds on ``LedgerWorld`` (same validator, chain id and genesis time) and adds:

| attribute   | role     | notes                                                             |
|-------------|----------|-------------------------------------------------------------------|
| storage     | storage  | server of battery ``B1`` at grid node ``F1``: 20 kWh, 5 kW charge  |
|             |          | and discharge, 90 % round trip                                   |
| storage2    | storage  | server of battery ``B2`` (another battery)                        |
| home_a      | home     | "Home A", node ``F1/T1/H1`` (2 hops from the battery), battery B1 |
| home_b      | home     | "Home B", node ``F1/T1/H2`` (2 hops), battery B1                  |
| home_c      | home     | "Home C", node ``F1/T2/P1/H3`` (3 hops), battery B1               |
| home_far    | home     | "Home D", trades with battery B2                                  |

``at(h)`` is genesis + ``h`` hours (genesis is 2026-10-01 00:00 UTC = 09:00 JST).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from ledger.errors import Rejected
from ledger.genesis import Genesis, entry
from ledger.rules import Context, execute
from ledger.state import Overlay, State
from ledger_lite import SigningKey, Transaction, canonical
from ledger_lite import trading as tr
from tests.helpers.ledger_world import LedgerWorld

BATTERY, BATTERY2 = "B1", "B2"
CAPACITY_WH = 20_000
CHARGE_W = DISCHARGE_W = 5_000
EFFICIENCY_PCT = 90
HOUR = 3600


class TradingWorld:
    def __init__(self, **incentive: Any) -> None:
        """``incentive``: extra attributes of battery B1's storage entry (mod 4: ``incentive``, ``incentive_modes``,
        ``incentive_period_s``)."""
        self.incentive = incentive
        self.ledger = LedgerWorld()
        self.chain_id = self.ledger.chain_id
        self.genesis_time = self.ledger.genesis_time
        self.validator = self.ledger.validator
        self.outsider = self.ledger.outsider
        self.storage = SigningKey.derive("test/storage/B1")
        self.storage2 = SigningKey.derive("test/storage/B2")
        self.home_a = SigningKey.derive("test/home/A")
        self.home_b = SigningKey.derive("test/home/B")
        self.home_c = SigningKey.derive("test/home/C")
        self.home_far = SigningKey.derive("test/home/D")
        self.homes = [self.home_a, self.home_b, self.home_c]
        self._nonces = itertools.count(1)

    # --- genesis and execution ------------------------------------------------------------------------------
    def genesis(self) -> Genesis:
        base = self.ledger.genesis()
        extra = (
            entry(self.storage.public, "storage", "Storage server of B1", battery=BATTERY, capacity_wh=CAPACITY_WH,
                  max_charge_w=CHARGE_W, max_discharge_w=DISCHARGE_W, efficiency_pct=EFFICIENCY_PCT, grid_node="F1",
                  **self.incentive),
            entry(self.storage2.public, "storage", "Storage server of B2", battery=BATTERY2, capacity_wh=CAPACITY_WH,
                  max_charge_w=CHARGE_W, max_discharge_w=DISCHARGE_W, efficiency_pct=EFFICIENCY_PCT, grid_node="F2"),
            entry(self.home_a.public, "home", "Home A", battery=BATTERY, node="F1/T1/H1"),
            entry(self.home_b.public, "home", "Home B", battery=BATTERY, node="F1/T1/H2"),
            entry(self.home_c.public, "home", "Home C", battery=BATTERY, node="F1/T2/P1/H3"),
            entry(self.home_far.public, "home", "Home D", battery=BATTERY2, node="F2/T1/H1"),
        )
        return Genesis(chain_id=base.chain_id, time=base.time, entries=base.entries + extra)

    def state(self) -> State:
        """A state holding the genesis registry."""
        state = State()
        writes = {f"registry/{e.address}": e.to_state() for e in self.genesis().entries}
        state.apply(writes, {k: canonical(v) for k, v in writes.items()})
        return state

    def context(self, time: int | None = None, state: State | None = None) -> Context:
        return Context(state=Overlay(state or self.state()), time=self.at(24) if time is None else time, height=1)

    @staticmethod
    def run(ctx: Context, tx: Transaction) -> dict[str, Any]:
        """Execute ``tx`` in ``ctx`` (a refusal raises ``Rejected`` and writes nothing)."""
        return execute(tx, ctx)

    def at(self, hours: float) -> int:
        return self.genesis_time + int(hours * HOUR)

    # --- transactions ---------------------------------------------------------------------------------------
    def sign(self, key: SigningKey, kind: str, body: dict[str, Any]) -> Transaction:
        nonce = next(self._nonces)
        return tr.signed(key, self.chain_id, kind, body, nonce=nonce, time=self.genesis_time + nonce)

    def report(self, stored_wh: int, *, time: int | None = None, battery: str = BATTERY,
               key: SigningKey | None = None) -> Transaction:
        return self.sign(key or self.storage, tr.STORAGE_REPORT,
                         tr.report_body(battery, self.genesis_time if time is None else time, stored_wh))

    def receipt(self, home: SigningKey, start: int, end: int, wh: int, *, battery: str = BATTERY,
                key: SigningKey | None = None, home_address: str | None = None) -> Transaction:
        return self.sign(key or self.storage, tr.STORAGE_RECEIPT,
                         tr.receipt_body(battery, home_address or home.address, start, end, wh))

    def sale(self, home: SigningKey, start: int, end: int, wh: int, *, battery: str = BATTERY,
             incentive: str | None = None) -> Transaction:
        return self.sign(home, tr.TRADE_SALE, tr.sale_body(battery, start, end, wh, incentive=incentive))

    def payout(self, period: int, *, battery: str = BATTERY, key: SigningKey | None = None) -> Transaction:
        return self.sign(key or self.validator, tr.TRADE_INCENTIVE, tr.incentive_body(battery, period))

    def request(self, home: SigningKey, start: int, end: int, wh: int, max_price: int, *, pay: str = "yen",
                token: str | None = None, battery: str = BATTERY) -> Transaction:
        return self.sign(home, tr.TRADE_REQUEST, tr.request_body(battery, start, end, wh, max_price, pay=pay,
                                                                 token=token))

    def match(self, time: int, *, battery: str = BATTERY, key: SigningKey | None = None) -> Transaction:
        return self.sign(key or self.validator, tr.TRADE_MATCH, tr.match_body(battery, time))

    def delivery(self, request_id: str, start: int, end: int, wh: int, *, battery: str = BATTERY,
                 key: SigningKey | None = None) -> Transaction:
        return self.sign(key or self.storage, tr.STORAGE_DELIVERY,
                         tr.delivery_body(battery, request_id, start, end, wh))

    def token(self, home: SigningKey, wh: int, price: int, *, battery: str = BATTERY) -> Transaction:
        return self.sign(home, tr.TRADE_TOKEN, tr.token_body(battery, wh, price))

    # --- reading the state ----------------------------------------------------------------------------------
    @staticmethod
    def battery(ctx: Context, battery: str = BATTERY) -> dict[str, Any]:
        value: Any = ctx.state.get(f"trade/battery/{battery}")
        return value  # type: ignore[no-any-return]

    @staticmethod
    def points(ctx: Context, home: SigningKey) -> dict[str, Any]:
        value = ctx.state.get(f"trade/points/{home.address}")
        return {"balance": 0, "reserved": 0, "earned": 0, "spent": 0} if value is None else dict(value)

    @staticmethod
    def value(ctx: Context, key: str) -> Any:
        return ctx.state.get(key)

    def lots(self, ctx: Context, battery: str = BATTERY) -> list[dict[str, Any]]:
        """The battery's lots still holding energy, oldest first."""
        record = self.battery(ctx, battery)
        return [self.value(ctx, f"trade/lot/{battery}/{n}") for n in range(record["lot_head"], record["lot_tail"])]


def refused(ctx: Context, tx: Transaction, code: str, match: str) -> Rejected:
    """``tx`` is refused in ``ctx`` with ``code`` and a message matching ``match``, and leaves no trace."""
    before = dict(ctx.state.writes)
    with pytest.raises(Rejected, match=match) as caught:
        execute(tx, ctx)
    assert caught.value.code == code, caught.value.message
    assert ctx.state.writes == before
    return caught.value
