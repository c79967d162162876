"""Benchmark: one day of a neighbourhood of 1,000 homes trading half-hourly through one battery (seed 003) on an
embedded ledger node, against this machine's single-core Ed25519 verification rate measured in the same run.

The devices are the real ones (``field.trading``: home controllers with PV and load profiles, the grid, the
storage management server with its battery model); only their submissions are gathered per phase and sent to
the node in one batch (as many homes reporting in the same half hour would arrive together). Each half hour:
deliveries of the last match, receipts, sales, evening purchase requests, the storage report, then the
validator's ``trade.match`` alone — its submit-to-commit time is the matching time per round.

Prints one JSON line: matching time per round (median, 95th percentile, max), recorded transactions per second
while the node worked, that rate ÷ the single-core verification rate, and the day's totals. Besides, what keeping
the storage server's records on disk costs (``field.trading.storage_records``: every reception written and synced
before it is sent and again once the ledger answered): receptions per second through the storage server with its
SQLite records ÷ the same receptions kept in memory only, in the same run, against a ledger stub that accepts at
once (so only the server's own work is timed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from backend_client import NotFound
from bench.ledger_ingest import verify_rate
from field.trading.battery import Battery, BatterySpec
from field.trading.homes import demo_homes
from field.trading.neighbourhood import Neighbourhood, genesis_entries
from field.trading.storage_records import StorageRecords
from field.trading.storage_server import StorageServer
from ledger import errors as ledger_errors
from ledger.genesis import Genesis, entry
from ledger.node import Node, open_node
from ledger_lite import PublicKey, SigningKey, Transaction
from ledger_lite import trading as contract
from ledger_lite.certificate import JST_ZONE as JST

CHAIN = "bench-trading"
DAY0 = int(datetime(2026, 10, 5, tzinfo=JST).timestamp())  # a Monday
H = 1800
WAIT_S = 600.0


class Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


class BatchingNode:
    """What the devices call a node: submissions are gathered and sent in one batch by ``flush`` (a match goes
    alone, after what was gathered); state reads go straight to the node."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.queue: list[Transaction] = []
        self.codes: Counter[str] = Counter()
        self.ledger_s = 0.0
        self.match_s: list[float] = []

    def _send(self, txs: Sequence[Transaction]) -> list[dict[str, Any]]:
        began = time.perf_counter()
        outcomes: list[dict[str, Any]] = []
        for tx, pending in zip(txs, self.node.submit_many([t.encode() for t in txs]), strict=True):
            if isinstance(pending, ledger_errors.Rejected):
                outcomes.append({"tx_id": tx.tx_id, "code": pending.code, "message": pending.message})
                continue
            outcome = pending.wait(WAIT_S)
            outcomes.append(outcome or {"tx_id": tx.tx_id, "code": "commit_timeout", "message": "not committed"})
        self.ledger_s += time.perf_counter() - began
        self.codes.update(f"{tx.type}:{o['code']}" for tx, o in zip(txs, outcomes, strict=True))
        return outcomes

    def flush(self) -> None:
        queued, self.queue = self.queue, []
        if queued:
            self._send(queued)

    def submit(self, tx: Transaction, *, wait: bool = True, timeout: float = 10.0) -> dict[str, Any]:
        if tx.type != contract.TRADE_MATCH:
            self.queue.append(tx)
            return {"tx_id": tx.tx_id, "code": "ok"}
        self.flush()
        began = time.perf_counter()
        [outcome] = self._send([tx])
        self.match_s.append(time.perf_counter() - began)
        return outcome

    def submit_batch(self, txs: Sequence[Transaction], *, wait: bool = True,
                     timeout: float = 20.0) -> list[dict[str, Any]]:
        self.flush()
        return self._send(txs)

    def value(self, key: str) -> dict[str, Any]:
        try:
            return {"key": key, "value": self.node.value(key)}
        except ledger_errors.NotFound as exc:
            raise NotFound(404, "not_found", str(exc)) from exc


class AcceptingNode:
    """A ledger that records everything at once and knows every address as a home of the battery."""

    def submit(self, tx: Transaction, *, wait: bool = True, timeout: float = 10.0) -> dict[str, Any]:
        return {"tx_id": tx.tx_id, "code": "ok", "status": 200}

    def value(self, key: str) -> dict[str, Any]:
        return {"key": key, "value": {"role": contract.HOME, "attrs": {"battery": "B1"}}}


def receptions_per_s(records: Path | None, count: int) -> float:
    """Receptions per second through a storage server (with ``records`` on disk, or in memory only)."""
    spec = BatterySpec(capacity_wh=10**9, max_charge_w=10**9, max_discharge_w=10**9, efficiency_pct=90,
                       self_discharge_ppm_day=0)
    kept = StorageRecords(records) if records is not None else None
    server = StorageServer("B1", SigningKey.generate(), Battery(spec, time=DAY0), AcceptingNode(),  # type: ignore[arg-type]
                           CHAIN, records=kept)
    homes = [SigningKey.generate().address for _ in range(20)]
    began = time.perf_counter()
    for i in range(count):
        start = DAY0 + i // len(homes) * H
        server.receive(homes[i % len(homes)], start, start + H, 1_000)
    elapsed = time.perf_counter() - began
    if kept is not None:
        kept.close()
    return count / elapsed


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, len(ordered) * pct // 100)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--homes", type=int, default=1000)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the node's data in this (new) directory to inspect it")
    parser.add_argument("--receptions", type=int, default=400, help="receptions timed for the records' cost")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        in_memory = receptions_per_s(None, args.receptions)
        on_disk = receptions_per_s(Path(scratch) / "storage.db", args.receptions)
    homes = demo_homes(args.homes)
    keys = {h.id: SigningKey.generate() for h in homes}
    storage, validator = SigningKey.generate(), SigningKey.generate()
    with_pv = sum(1 for h in homes if h.pv_capacity_w)
    # a community battery sized for the street: ~6 kWh and ~3 kW of charge per house with panels
    spec = BatterySpec(capacity_wh=6_000 * with_pv, max_charge_w=3_000 * with_pv, max_discharge_w=3_000 * with_pv,
                       efficiency_pct=90)
    entries = genesis_entries(homes, keys, storage, spec=spec)
    genesis = Genesis(CHAIN, DAY0 - 86_400, (entry(validator.public, "validator", "V"),
                                             *(entry(PublicKey(e["public_key"]), e["role"], e["name"], **e["attrs"])
                                               for e in entries)))
    baseline = verify_rate()
    clock = Clock(DAY0)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        node = open_node(folder, genesis, validator, clock=clock)
        node.start(warm=True)
        batching = BatchingNode(node)
        hood = Neighbourhood(batching, CHAIN, home_keys=keys, storage_key=storage,  # type: ignore[arg-type]
                             validator_key=validator, homes=homes, spec=spec, start=DAY0, flush=batching.flush)
        try:
            hood.storage.report(DAY0)
            batching.flush()
            began = time.perf_counter()
            slots = []
            for i in range(args.days * 48):
                clock.now = DAY0 + (i + 1) * H
                slots.append(hood.slot(DAY0 + i * H))
            wall = time.perf_counter() - began
            totals = hood.report(slots)
        finally:
            hood.close()
            node.close()
    recorded = sum(n for code, n in batching.codes.items() if code.endswith(":ok"))
    refused = {code: n for code, n in sorted(batching.codes.items()) if not code.endswith(":ok")}
    rate = recorded / batching.ledger_s
    match_ms = [s * 1000 for s in batching.match_s]
    print(json.dumps({
        "bench": "trading", "homes": args.homes, "days": args.days, "rounds": len(match_ms),
        "match_ms_median": round(statistics.median(match_ms), 1), "match_ms_p95": round(percentile(match_ms, 95), 1),
        "match_ms_max": round(max(match_ms), 1), "recorded_txs": recorded, "refused": refused,
        "recorded_per_s": round(rate), "verify_per_s_one_core": round(baseline), "ratio": round(rate / baseline, 3),
        "ledger_s": round(batching.ledger_s, 1), "wall_s": round(wall, 1), "sales": totals.sales_recorded,
        "sales_failed": totals.sales_failed, "requests": totals.requests, "paid": totals.paid,
        "failed_requests": totals.failed, "sold_kwh": totals.sold_wh // 1000,
        "delivered_kwh": totals.delivered_wh // 1000, "battery_balanced": totals.balanced,
        "storage_receptions_per_s_sqlite": round(on_disk), "storage_receptions_per_s_memory": round(in_memory),
        "storage_records_ratio": round(on_disk / in_memory, 3)}))


if __name__ == "__main__":
    main()
