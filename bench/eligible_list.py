"""Benchmark: the eligible list (``GET /api/v1/eligible-transactions``) after a year of half-hourly allocations
(issue 16, issue 15 "Bad input and speed"; goal ≤ 50 ms at p95, flat as history adds up).

One node (in this process, served over HTTP on loopback) holds three consumers' half-hourly allocations, a solar
and an oil part every half hour: Ca for the last month, Cb for the last 6 months, Cc for all 12 (~35,000
allocations), with a certificate over each month's first solar days. The intermediary runs as it does in
production (``build_service``: its own HTTP server, the node reached over HTTP, the block follower on) and lists
each consumer once before the year is written, so it follows their rows through the year's blocks.

Measured per consumer, interleaved over ``--rounds``: the list request over HTTP as a logged-in applicant (the
stored rows), the floor of any request there (``GET /api/v1/certificates``: the same log-in check, one query, no
node), and beside them, as the baseline, the old path — every asset fetched from the node over HTTP and the
rows rebuilt (``intermediary.eligible.build_rows``), timed in-process without the intermediary's own HTTP hop (its
garbage collected, untimed, before the next request). The two give the same rows (checked), but for certified
rows whose assets the node has swept a week after they expired (``ledger.rules.expiry``): only the stored rows
keep those (counted). Prints one JSON
line: p50/p95 ms of both per history length, their ratios, the spread of the new p95 across 1/6/12 months
(flatness) and the year's build time.

    .venv/bin/python bench/eligible_list.py                         # builds in a temporary directory
    .venv/bin/python bench/eligible_list.py --data-dir /tmp/el      # builds there (kept) ...
    .venv/bin/python bench/eligible_list.py --data-dir /tmp/el --reuse   # ... and measures it again
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

import httpx
from sqlalchemy.orm import Session

from greencert.servers import BackgroundServer
from intermediary.api.app import create_app
from intermediary.config import Settings
from intermediary.eligible import Row, build_rows
from intermediary.models import Applicant, Consumer
from intermediary.passwords import hash_password
from intermediary.service import build_service
from ledger.api import create_app as create_node_app
from ledger.genesis import Genesis, entry
from ledger.node import Node
from ledger_lite import SigningKey, Transaction
from tests.helpers.ledger_world import GENESIS_TIME, HALF_HOUR, LedgerWorld, ManualClock

API = "/api/v1"
PASSWORD = "correct horse"
DAY = 86_400
MONTH_DAYS = 30
MONTHS = 12
WH = 1_000
CERT_DAYS = 15  # each month, a certificate over the first days' solar allocations of each consumer
BATCH = 4_000
STEP_DAYS = 5


class BenchWorld(LedgerWorld):
    """The test ledger world with a third consumer, Cc."""

    def __init__(self) -> None:
        super().__init__()
        self.user3 = SigningKey.derive("bench/user/Cc")

    def genesis(self) -> Genesis:
        base = super().genesis()
        extra = entry(self.user3.public, "user", "Consumer Cc", user_name="Consumer Cc")
        return Genesis(chain_id=base.chain_id, time=base.time, entries=(*base.entries, extra))


def consumers(w: BenchWorld) -> dict[str, tuple[SigningKey, int]]:
    """Consumer id → (its key, the months of history it gets, the last ones of the year)."""
    return {"Ca": (w.user, 1), "Cb": (w.user2, 6), "Cc": (w.user3, MONTHS)}


def submit(node: Node, txs: list[Transaction]) -> list[dict[str, Any]]:
    outcomes: list[dict[str, Any]] = []
    for i in range(0, len(txs), BATCH):
        admitted = node.submit_many([tx.encode() for tx in txs[i:i + BATCH]])
        for tx, pending in zip(txs[i:i + BATCH], admitted, strict=True):
            outcome = pending.wait(120) if hasattr(pending, "wait") else None
            if outcome is None or outcome.get("code") != "ok":
                raise SystemExit(f"{tx.type} not committed: {outcome or pending}")
            outcomes.append(outcome)
    return outcomes


def build_month(w: BenchWorld, node: Node, clock: ManualClock, month: int) -> None:
    """Month ``month`` (0-based): a solar and an oil reading per half hour, a part of each to every consumer
    whose history covers the month, and a certificate per consumer over its first ``CERT_DAYS`` of solar; written
    ``STEP_DAYS`` at a time, the node's clock just after them (a reading must not be late, an asset not expired)."""
    first = GENESIS_TIME + month * MONTH_DAYS * DAY
    active = [key for key, months in consumers(w).values() if month >= MONTHS - months]
    solar_parts: dict[str, list[str]] = {key.address: [] for key in active}
    for day in range(0, MONTH_DAYS, STEP_DAYS):
        slots = [first + day * DAY + n * HALF_HOUR for n in range(STEP_DAYS * 48)]
        clock.set(slots[-1] + 2 * HALF_HOUR)
        readings = [w.generate(start, WH * len(active), meter=meter) for start in slots
                    for meter in (w.meter, w.meter_oil)]
        submit(node, readings)
        allocations = [w.allocate([(readings[2 * n].tx_id, WH), (readings[2 * n + 1].tx_id, WH)],
                                  to=key.address, usage_start=start, usage_end=start + HALF_HOUR)
                       for n, start in enumerate(slots) for key in active]
        for tx, outcome in zip(allocations, submit(node, allocations), strict=True):
            solar_parts[tx.body["to"]].append(outcome["result"]["assets"][0])
    submit(node, [w.issue(parts[:CERT_DAYS * 48], owner=owner) for owner, parts in solar_parts.items()])


def seed(service: Any, w: BenchWorld) -> None:
    with service.db() as db:
        for cid, (key, _) in consumers(w).items():
            db.add(Consumer(consumer_id=cid, name=f"Consumer {cid}", ledger_address=key.address,
                            meter_key="00" * 32, renewable_target_pct=50, providers=["Aa", "Ab"]))
        db.flush()
        for cid in consumers(w):
            db.add(Applicant(applicant_id=cid.lower(), password_hash=hash_password(PASSWORD), consumer_id=cid,
                             failed_logins=0, locked_until=0))
        db.commit()


def login(http: httpx.Client, applicant: str) -> dict[str, str]:
    response = http.post(f"{API}/sessions", json={"applicant_id": applicant, "password": PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = call()
    return (time.perf_counter() - began) * 1000, result


def rebuild(db: Session, service: Any, consumer_id: str, address: str) -> list[Row]:
    """The list's old path: every asset from the node, grouped again."""
    return build_rows(db, consumer_id, service.node.assets(address))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


@contextmanager
def running(data_dir: Path, w: BenchWorld, clock: ManualClock) -> Iterator[tuple[Node, Any, httpx.Client]]:
    with ExitStack() as stack:
        node = w.open_node(data_dir / "node", clock)
        stack.callback(node.close)
        node_server = BackgroundServer(create_node_app(node), "127.0.0.1", 0).start()
        stack.callback(node_server.stop)
        settings = Settings(db_url=f"sqlite:///{data_dir / 'intermediary.sqlite'}", node_url=node_server.url,
                            chain_id=w.chain_id, key=w.intermediary, pdf_dir=data_dir / "pdf")
        service = build_service(settings, clock=clock)
        stack.callback(service.engine.dispose)
        stack.callback(service.node.close)
        stack.callback(service.eligible.stop)
        server = BackgroundServer(create_app(service), "127.0.0.1", 0).start()
        stack.callback(server.stop)
        http = stack.enter_context(httpx.Client(base_url=server.url, timeout=120))
        yield node, service, http


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="build here (kept); default: a temporary directory")
    parser.add_argument("--reuse", action="store_true", help="measure the year already built in --data-dir")
    parser.add_argument("--rounds", type=int, default=60, help="list requests per consumer and path")
    args = parser.parse_args()
    if args.reuse and (args.data_dir is None or not (args.data_dir / "built.json").exists()):
        raise SystemExit("--reuse needs a --data-dir a previous run built (built.json)")
    with ExitStack() as stack:
        data_dir = args.data_dir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        data_dir.mkdir(parents=True, exist_ok=True)
        w, clock = BenchWorld(), ManualClock(GENESIS_TIME + HALF_HOUR)
        if args.reuse:
            clock.set(json.loads((data_dir / "built.json").read_text())["clock"])
        node, service, http = stack.enter_context(running(data_dir, w, clock))
        build_s = None
        if not args.reuse:
            seed(service, w)
            for cid in consumers(w):  # followed from before their first allocation
                http.get(f"{API}/eligible-transactions", headers=login(http, cid.lower())).raise_for_status()
            began = time.perf_counter()
            for month in range(MONTHS):
                build_month(w, node, clock, month)
            build_s = round(time.perf_counter() - began, 1)
            (data_dir / "built.json").write_text(json.dumps({"clock": clock()}))
        results: dict[str, Any] = {}
        for cid, (key, months) in consumers(w).items():
            auth = login(http, cid.lower())
            new: list[float] = []
            old: list[float] = []
            floor: list[float] = []  # GET /api/v1/certificates: the same log-in check and one query, no node
            first_ms, body = timed(partial(http.get, f"{API}/eligible-transactions", headers=auth))
            body.raise_for_status()
            for _ in range(args.rounds):
                ms, response = timed(partial(http.get, f"{API}/eligible-transactions", headers=auth))
                response.raise_for_status()
                new.append(ms)
                ms, floor_response = timed(partial(http.get, f"{API}/certificates", headers=auth))
                floor_response.raise_for_status()
                floor.append(ms)
                with service.db() as db:
                    ms, rows = timed(partial(rebuild, db, service, cid, key.address))
                old.append(ms)
                gc.collect()  # the rebuild's ~35,000 asset dicts are not billed to the next stored-rows request
            items = response.json()["items"]
            stored = {i["item_id"]: i["issued"] for i in items}
            rebuilt = {r.item_id: r.issued for r in rows}
            # Certified assets leave the node's state a week after they expire (ledger.rules.expiry), so the
            # rebuild no longer sees the oldest certified rows; the stored rows keep them. Everything else is alike.
            gone = {item_id for item_id in stored.keys() - rebuilt.keys() if stored[item_id]}
            if {k: v for k, v in stored.items() if k not in gone} != rebuilt:
                raise SystemExit(f"{cid}: the stored rows differ from a rebuild")
            results[f"{months}_months"] = {
                "allocations": sum(i["allocations"] for i in items), "rows": len(items),
                "certified_rows_swept_from_the_node": len(gone),
                "first_list_ms": round(first_ms, 2),
                "stored_p50_ms": pct(new, 0.5), "stored_p95_ms": pct(new, 0.95),
                "rebuild_p50_ms": pct(old, 0.5), "rebuild_p95_ms": pct(old, 0.95),
                "floor_p50_ms": pct(floor, 0.5), "floor_p95_ms": pct(floor, 0.95),
                "p95_ratio_rebuild_to_stored": round(pct(old, 0.95) / pct(new, 0.95), 1)}
        p95s = [r["stored_p95_ms"] for r in results.values()]
        print(json.dumps({
            "bench": "eligible_list", "rounds": args.rounds, "reused": args.reuse, "build_s": build_s,
            "goal_p95_ms": 50, "by_history": results,
            "stored_p95_12_over_1_month": round(p95s[-1] / p95s[0], 2),
            "baseline": "rebuild: every asset fetched from the node over HTTP and grouped (the list's old path), "
                        "in the same run; floor: GET /api/v1/certificates (log-in check and one query)",
            "median_of_ratios": round(statistics.median(r["p95_ratio_rebuild_to_stored"]
                                                        for r in results.values()), 1)}))


if __name__ == "__main__":
    main()
