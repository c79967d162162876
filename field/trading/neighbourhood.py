"""A neighbourhood trading through one battery: N home controllers, the storage management server and the
validators' half-hourly matching, on a ledger node (one URL, or several validators' URLs: ``NodeClient`` fails
over).

Each half hour ``[s, s + 1800)``, once it is over (``before_slot(s + 1800)`` lets an embedded demo move the
ledger's clock first):

1. S213–S214: reservations made at ``s`` are executed over ``[s, s + 1800)`` (storage.delivery);
2. S101–S106: each home exports its surplus; the storage server records and signs the receipts;
3. S103–S110: each home signs its sale once its receipt is recorded (all homes' sales in one batch);
4. S201–S208: homes short of energy in the evening ask to buy (Fig. 4, confirmed by their simulated user);
5. S209–S213: the storage server reports its state, a validator signs ``trade.match`` and the contract reserves;
6. mod 4: where the deployment pays incentives in a lump sum per period, a validator signs ``trade.incentive``
   for each period that has just ended;
7. homes read their requests' states and their points.

    entries = genesis_entries(homes, home_keys, storage_key)        # add to the genesis registry
    report = run_neighbourhood(urls, chain_id, home_keys=..., storage_key=..., validator_key=..., start=..., days=1)
"""

from __future__ import annotations

import random
import time as wall
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import httpx

from backend_client import ApiError, ClientError, NodeClient
from field.trading.battery import Battery, BatterySpec
from field.trading.controller import HomeController
from field.trading.errors import BadInput, TradingError
from field.trading.grid import Grid, Storage
from field.trading.homes import HomeSite, demo_homes
from field.trading.storage_client import StorageClient
from field.trading.storage_server import StorageServer
from ledger_lite import SigningKey
from ledger_lite import trading as contract
from ledger_lite.certificate import INTERVAL_S
from ledger_lite.certificate import JST_ZONE as JST
from ledger_lite.governance import registry_entry

DAY_S = 86_400
BATTERY_ID = "battery-300"
GRID_NODE = "F1"  # the battery hangs on feeder 1 next to the substation
DEFAULT_SPEC = BatterySpec(capacity_wh=60_000, max_charge_w=30_000, max_discharge_w=30_000, efficiency_pct=90,
                           self_discharge_ppm_day=500)
EVENING_HOURS = range(17, 23)  # JST hours in which short homes ask to buy
REQUEST_CHANCE_PCT = 35


def home_keys_for(homes: Sequence[HomeSite], prefix: str) -> dict[str, SigningKey]:
    """Deterministic keys (``SigningKey.derive``) for tests and benchmarks; installations generate their own."""
    return {h.id: SigningKey.derive(f"{prefix}/home/{h.id}") for h in homes}


def genesis_entries(homes: Sequence[HomeSite], home_keys: Mapping[str, SigningKey], storage_key: SigningKey, *,
                    battery: str = BATTERY_ID, spec: BatterySpec = DEFAULT_SPEC, grid_node: str = GRID_NODE,
                    incentive: str | None = None, incentive_modes: Sequence[str] = (),
                    incentive_period_s: int | None = None) -> list[dict[str, Any]]:
    """The registry entries of the storage server (role ``storage``) and the homes (role ``home``), in the wire
    form of ``ledger_lite.governance.registry_entry``: ``{public_key: bytes, role, name, attrs}``. ``incentive``,
    ``incentive_modes`` and ``incentive_period_s``: when incentives are paid (mod 4, ``ledger_lite.trading``);
    by default with each sale."""
    missing = [h.id for h in homes if h.id not in home_keys]
    if missing:
        raise BadInput(f"expected a key for every home, found none for {', '.join(missing)}")
    terms: dict[str, Any] = {}
    if incentive is not None:
        terms["incentive"] = incentive
    if incentive_modes:
        terms["incentive_modes"] = list(incentive_modes)
    if incentive_period_s is not None:
        terms["incentive_period_s"] = incentive_period_s
    entries = [registry_entry(storage_key.public.raw, contract.STORAGE, "Storage management server 350",
                              battery=battery, capacity_wh=spec.capacity_wh, max_charge_w=spec.max_charge_w,
                              max_discharge_w=spec.max_discharge_w, efficiency_pct=spec.efficiency_pct,
                              grid_node=grid_node, **terms)]
    entries += [registry_entry(home_keys[h.id].public.raw, contract.HOME, h.name_en, battery=battery,
                               node=h.grid_node, distance_m=h.distance_m) for h in homes]
    return entries


class _InProcess:
    """The storage server called directly, answering as its API does (dicts; refusals as ``TradingError``)."""

    def __init__(self, server: StorageServer) -> None:
        self.server = server

    def receive(self, home: str, start: int, end: int, wh: int) -> dict[str, Any]:
        return asdict(self.server.receive(home, start, end, wh))

    def report(self, time: int | None = None) -> dict[str, Any]:
        return self.server.report(time)

    def transmit(self, reservation: str, start: int | None = None) -> dict[str, Any]:
        return asdict(self.server.transmit(reservation, start))

    def state(self) -> dict[str, Any]:
        return self.server.state()


@dataclass
class SlotReport:
    start: int
    exported_wh: int = 0
    sales_recorded: int = 0
    sales_failed: int = 0
    requests: int = 0
    reserved: int = 0
    delivered_wh: int = 0
    stored_wh: int = 0
    match_ms: float = 0.0
    incentives_paid: int = 0  # points a period's lump sum paid in this half hour (mod 4)
    problems: list[str] = field(default_factory=list)


@dataclass
class NeighbourhoodReport:
    slots: list[SlotReport]
    sold_wh: int
    sales_recorded: int
    sales_failed: int
    requests: int
    paid: int
    failed: int
    delivered_wh: int
    points: dict[str, int]
    battery: dict[str, Any]
    balanced: bool


class Neighbourhood:
    """Everything but the ledger: the homes' controllers, the grid and the storage server."""

    def __init__(self, node: NodeClient, chain_id: str, *, home_keys: Mapping[str, SigningKey],
                 storage_key: SigningKey, validator_key: SigningKey, homes: Sequence[HomeSite] | None = None,
                 spec: BatterySpec = DEFAULT_SPEC, battery: str = BATTERY_ID, seed: int = 0, start: int = 0,
                 storage_url: str | None = None, storage_transport: httpx.BaseTransport | None = None,
                 threshold_wh: int = 200, flush: Callable[[], None] | None = None) -> None:
        self.node = node
        self.flush = flush or (lambda: None)  # a batching node sends what it gathered at the end of each phase
        self.chain_id = chain_id
        self.homes = tuple(homes) if homes is not None else demo_homes(seed=seed)
        self.validator_key = validator_key
        self.battery_id = battery
        self.seed = seed
        self.now = start
        self.server = StorageServer(battery, storage_key, Battery(spec, time=start), node, chain_id,
                                    clock=lambda: self.now)
        self.storage: Any = (StorageClient(storage_url, transport=storage_transport) if storage_url
                             else _InProcess(self.server))
        storage: Storage = self.storage
        self.grid = Grid(storage, {home_keys[h.id].address: h.line_loss_ppm for h in self.homes})
        self.controllers = [HomeController(h, home_keys[h.id], chain_id, battery, node, self.grid,
                                           clock=lambda: self.now, seed=seed, threshold_wh=threshold_wh)
                            for h in self.homes]
        self._reservations: dict[str, dict[str, Any]] = {}  # request tx id → reservation, not yet delivered
        self._delivered: set[str] = set()
        self._storage_address = storage_key.address
        self._period_s: int | None = None  # mod 4: the lump-sum period, once read from the registry (0: none)

    def close(self) -> None:
        for controller in self.controllers:
            controller.close()

    # --- one half hour -------------------------------------------------------------------------------------
    def slot(self, start: int) -> SlotReport:
        end = start + INTERVAL_S
        self.now = end
        report = SlotReport(start)
        self._deliver(start, report)
        self.flush()
        for controller in self.controllers:
            try:
                sale = controller.tick(start)
            except TradingError as exc:
                report.problems.append(f"{controller.home.id}: export refused: {exc.code}: {exc.message}")
                continue
            if sale is not None:
                report.exported_wh += sale.sent_wh
        self.flush()
        self._settle_sales(report)
        self._ask_to_buy(start, report)
        self.flush()
        self._match(end, report)
        self._pay_periods(end, report)
        for controller in self.controllers:
            try:
                controller.refresh()
            except TradingError as exc:
                report.problems.append(f"{controller.home.id}: {exc.message}")
        report.stored_wh = self.server.battery.stored_wh
        return report

    def _deliver(self, start: int, report: SlotReport) -> None:
        """S213–S214: execute every reservation whose window has begun."""
        for request, held in list(self._reservations.items()):
            begin, until = held.get("start", start), held.get("end", start + INTERVAL_S)
            if isinstance(begin, int) and begin > start:
                continue  # its window has not begun
            del self._reservations[request]
            if isinstance(until, int) and start >= until:
                report.problems.append(f"reservation {request[:12]}… ended before it could be delivered")
                continue
            try:
                done = self.storage.transmit(request, start)
            except TradingError as exc:
                report.problems.append(f"delivery of {request[:12]}… refused: {exc.code}: {exc.message}")
                continue
            self._delivered.add(request)
            if done.get("status") == "recorded":
                report.delivered_wh += int(done.get("wh", 0))
            else:
                report.problems.append(f"delivery of {request[:12]}… {done.get('status')}: {done.get('reason')}")

    def _settle_sales(self, report: SlotReport) -> None:
        ready = [(c, sale, tx) for c in self.controllers for sale, tx in c.ready_sales()]
        if not ready:
            return
        try:
            outcomes = self.node.submit_batch([tx for _, _, tx in ready], wait=True)
        except ClientError as exc:
            outcomes = [{"code": "unreachable", "message": str(exc)} for _ in ready]
        for (controller, sale, _), outcome in zip(ready, outcomes, strict=True):
            controller.sale_outcome(sale, outcome)
            if sale.state == "recorded":
                report.sales_recorded += 1
            else:
                report.sales_failed += 1

    def _ask_to_buy(self, start: int, report: SlotReport) -> None:
        """S201–S204: in the evening a home that used more than it made may ask for the next hour."""
        hour = datetime.fromtimestamp(start + INTERVAL_S, JST).hour
        if hour not in EVENING_HOURS:
            return
        for controller in self.controllers:
            rng = random.Random(f"greencert/field/neighbourhood/{self.seed}/{controller.home.id}/{start}")
            pv, load = controller.measure(start)
            if load - pv < 300 or rng.randint(1, 100) > REQUEST_CHANCE_PCT:
                continue
            wh = (load - pv) // 100 * 100
            price = rng.randint(20, 34)
            try:
                # pay with points now and then, when they cover it twice over (others may be reserved)
                points = controller.points >= 2 * contract.cost(wh, price) and rng.random() < 0.5
                controller.request(start + INTERVAL_S, wh, price, pay="points" if points else "yen")
                report.requests += 1
            except TradingError as exc:
                report.problems.append(f"{controller.home.id}: request not made: {exc.message}")
        for controller in self.controllers:
            controller.wait_sent()

    def _match(self, time: int, report: SlotReport) -> None:
        """S209–S213: the battery answers the inquiry, a validator matches, reservations are collected."""
        try:
            self.storage.report(time)
        except TradingError as exc:
            report.problems.append(f"storage report refused: {exc.code}: {exc.message}")
        self.flush()
        tx = contract.signed(self.validator_key, self.chain_id, contract.TRADE_MATCH,
                             contract.match_body(self.battery_id, time), nonce=time // INTERVAL_S, time=time)
        began = wall.perf_counter()
        try:
            outcome = self.node.submit(tx, wait=True)
        except ApiError as exc:
            report.problems.append(f"match refused: {exc.code}: {exc.message}")
            return
        except ClientError as exc:
            report.problems.append(f"match not sent: {exc}")
            return
        finally:
            report.match_ms = (wall.perf_counter() - began) * 1000
        found = outcome.get("result")
        result: dict[str, Any] = found if isinstance(found, dict) else {}
        waits = result.get("waiting")
        for waiting in waits if isinstance(waits, list) else []:
            if isinstance(waiting, dict) and isinstance(waiting.get("request"), str):
                for controller in self.controllers:
                    controller.note_waiting(waiting["request"], str(waiting.get("reason", "")))
        known = set(_reserved_ids(result))
        known |= {p.tx_id for c in self.controllers for p in c.purchases if p.state == "recorded"}
        for request in known - self._delivered - set(self._reservations):
            try:
                held = self.node.value(f"trade/reservation/{request}").get("value")
            except ClientError:
                continue
            if isinstance(held, dict):
                self._reservations[request] = held
                report.reserved += 1

    def _pay_periods(self, time: int, report: SlotReport) -> None:
        """Mod 4: a period just ended at ``time`` → a validator pays its lump sums (``trade.incentive``)."""
        if self._period_s is None:
            try:
                entry = self.node.value(f"registry/{self._storage_address}").get("value")
            except ClientError as exc:
                report.problems.append(f"cannot read the storage entry: {exc}")
                return
            attrs = entry.get("attrs", {}) if isinstance(entry, dict) else {}
            periodic = contract.INCENTIVE_PER_PERIOD in (attrs.get("incentive"), *attrs.get("incentive_modes", ()))
            self._period_s = int(attrs.get("incentive_period_s", contract.INCENTIVE_PERIOD_S)) if periodic else 0
        if not self._period_s or contract.period_start(time, self._period_s) != time:
            return
        tx = contract.signed(self.validator_key, self.chain_id, contract.TRADE_INCENTIVE,
                             contract.incentive_body(self.battery_id, time - self._period_s),
                             nonce=time // INTERVAL_S, time=time)
        try:
            outcome = self.node.submit(tx, wait=True)
        except ClientError as exc:
            report.problems.append(f"incentive payout not recorded: {exc}")
            return
        result = outcome.get("result")
        report.incentives_paid = int(result.get("points", 0)) if isinstance(result, dict) else 0

    # --- totals --------------------------------------------------------------------------------------------
    def report(self, slots: list[SlotReport]) -> NeighbourhoodReport:
        sales = [s for c in self.controllers for s in c.sales]
        purchases = [p for c in self.controllers for p in c.purchases]
        return NeighbourhoodReport(
            slots=slots, sold_wh=sum(s.sent_wh for s in sales if s.state == "recorded"),
            sales_recorded=sum(1 for s in sales if s.state == "recorded"),
            sales_failed=sum(1 for s in sales if s.state == "failed"), requests=len(purchases),
            paid=sum(1 for p in purchases if p.state == "paid"),
            failed=sum(1 for p in purchases if p.state == "failed"),
            delivered_wh=self.server.battery.delivered_wh,
            points={c.home.id: c.points for c in self.controllers},
            battery={k: v for k, v in self.server.state(limit=0).items() if k not in ("receptions", "deliveries")},
            balanced=self.server.battery.balanced())


def _reserved_ids(result: Any) -> list[str]:
    """Request ids a match's result names as reserved (``reserved``: ``[{request, home, wh, ...}]``)."""
    items = result.get("reserved") if isinstance(result, dict) else None
    if not isinstance(items, list):
        return []
    return [item["request"] for item in items if isinstance(item, dict) and isinstance(item.get("request"), str)]


def run_neighbourhood(node_urls: str | Sequence[str], chain_id: str, *, home_keys: Mapping[str, SigningKey],
                      storage_key: SigningKey, validator_key: SigningKey, start: int, days: int,
                      homes: Sequence[HomeSite] | None = None, spec: BatterySpec = DEFAULT_SPEC, seed: int = 0,
                      before_slot: Callable[[int], None] | None = None,
                      progress: Callable[[SlotReport], None] | None = None,
                      transport: httpx.BaseTransport | None = None,
                      neighbourhood: Callable[[Neighbourhood], None] | None = None) -> NeighbourhoodReport:
    """Run ``days`` days of half hours from ``start`` (aligned to 30 minutes) and return the totals.

    ``before_slot(t)``: called with each half hour's end before its work (an embedded demo moves the ledger's
    clock there); ``progress``: each half hour's report; ``neighbourhood``: called once with the running
    ``Neighbourhood`` (to serve a controller's page, say)."""
    if start % INTERVAL_S:
        raise BadInput(f"expected a start aligned to {INTERVAL_S} s, found {start}")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise BadInput(f"expected a positive number of days, found {days!r}")
    node = NodeClient(node_urls, transport=transport, chain_id=chain_id)
    hood = Neighbourhood(node, chain_id, home_keys=home_keys, storage_key=storage_key, validator_key=validator_key,
                         homes=homes, spec=spec, seed=seed, start=start)
    if neighbourhood is not None:
        neighbourhood(hood)
    if before_slot is not None:
        before_slot(start)
    hood.storage.report(start)  # mod 11: the server reports when it starts; the battery exists on the ledger
    slots = []
    try:
        for i in range(days * DAY_S // INTERVAL_S):
            begin = start + i * INTERVAL_S
            if before_slot is not None:
                before_slot(begin + INTERVAL_S)
            report = hood.slot(begin)
            slots.append(report)
            if progress is not None:
                progress(report)
        return hood.report(slots)
    finally:
        hood.close()
        node.close()
