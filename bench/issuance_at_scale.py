"""Benchmark: issuance request → PDF bytes with many assets on the ledger (issue 15 "Bad input and speed", issue 16
"A large issuance").

An intermediary and a real ledger node run in this process (ASGI transports, no sockets, as
``bench/period_issuance.py``); the node is opened as ``greencert node`` opens it (no linger). First ``--assets``
readings are put on the ledger as signed ``asset.generate`` transactions of 1,000 meters (``submit_many``: every
signature checked, every block executed and stored with fsync), owned by the intermediary. Then, for each
selection size (1, 100 and 900 allocations), ``--runs`` times: that many fresh readings are allocated to Consumer
Ca (with ``--between N``, N more readings of the bulk meters follow, so that the allocations leave the node's
caches as they would in the weeks before a consumer certifies them; ``--value-cache`` and ``--tree-cache`` size
those caches, by default as ``greencert node`` does), the applicant logs in, lists its open rows, selects all of
them and the clock starts: ``POST
/api/v1/certificates`` (node admission, rules, block, our record, the signed payload) then ``GET .../pdf`` (audit
bundle from the node, reportlab, QR) until the PDF's bytes are in hand. Baseline in the same run: ``GET
/v1/status`` through the same node client (a plain round trip). Prints one JSON line: p50 and p95 seconds of
issuance, PDF and the whole request → PDF bytes per size, each p95 as a ratio to the baseline's p50, and the load
average when the measuring began and ended (the machine is shared). Before measuring, what set-up left is frozen out
of the cycle collector's full passes, and its youngest objects collected less often (``ledger.node.tune_collector``),
as ``greencert demo`` does once it serves.

``--ledger DIR`` keeps the built ledger in DIR (a million assets take ~6 minutes to build) and, on later runs with
the same ``--assets``, measures on a fresh copy of it instead of building again: comparing two checkouts then takes
a minute a run. The copy is opened as ``greencert node`` opens a store (its tree checked against the signed head),
then 2,000 more readings warm its caches before the measuring.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

import httpx

from backend_client import NodeClient
from intermediary.api.app import create_app
from intermediary.config import Settings
from intermediary.documents import warm_renderer
from intermediary.models import Applicant, Consumer
from intermediary.passwords import hash_password
from intermediary.service import Service, make_engine
from ledger.api import create_app as create_node_app
from ledger.genesis import Genesis, entry
from ledger.node import Node, tune_collector
from ledger.state_stored import DEFAULT_VALUES
from ledger.state_tree import DEFAULT_CAPACITY
from ledger.storage import Store
from ledger_lite import SigningKey, Transaction, sign_tx
from printing import load_institutions
from tests.helpers.intermediary_world import API, PASSWORD, TYPE_ID
from tests.helpers.ledger_world import HALF_HOUR, LedgerWorld, ManualClock, SyncASGITransport, slot

SIZES = (1, 100, 900)
BACKGROUND_METERS = 1000
MEASURE_METERS = 300  # one a measured issuance: --runs × len(SIZES) at most (registered at genesis, kept ledgers too)
WARM_READINGS = 2000  # committed on a kept ledger's copy before measuring (the caches a running node has warm)
SLOTS = 1000  # half hours per meter: 20.8 days, so nothing expires (a month) while the clock stands at SLOTS + 10
CHUNK = 20_000  # readings signed and submitted at once while building the ledger
PARTS = 256  # asset.allocate's bound (ledger.rules.assets.MAX_PARTS)


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


class World(LedgerWorld):
    """The test ledger world with more meters: ``BACKGROUND_METERS`` for the ledger's bulk and one per measured
    issuance (each meter's readings may not overlap)."""

    def __init__(self, measure_meters: int) -> None:
        super().__init__()
        self.bulk = [SigningKey.derive(f"bench/bulk/{i}") for i in range(BACKGROUND_METERS)]
        self.measure = [SigningKey.derive(f"bench/measure/{i}") for i in range(measure_meters)]
        self.bulk_slot = 0  # the next half hour of the bulk meters

    def genesis(self) -> Genesis:
        base = super().genesis()
        extra = [entry(k.public, "meter", f"bench meter {i}", provider="Aa", method="solar", capacity_w=50_000)
                 for i, k in enumerate([*self.bulk, *self.measure])]
        return Genesis(chain_id=base.chain_id, time=base.time, entries=(*base.entries, *extra))

    def reading(self, meter: SigningKey, n: int, nonce: int) -> Transaction:
        start = slot(n)
        return sign_tx(meter, chain=self.chain_id, type="asset.generate",
                       body={"provider": "Aa", "method": "solar", "start": start, "end": start + HALF_HOUR,
                             "wh": 1000, "owner": self.intermediary.address}, nonce=nonce, time=start + HALF_HOUR)


def commit_all(node: Node, txs: list[Transaction]) -> list[dict[str, Any]]:
    outcomes = []
    for pending in node.submit_many([tx.encode() for tx in txs]):
        assert not isinstance(pending, Exception), pending
        outcome = pending.wait(600)
        assert outcome is not None and outcome["code"] == "ok", outcome
        outcomes.append(outcome)
    return outcomes


def build_ledger(world: World, node: Node, assets: int) -> float:
    """``assets`` readings of the bulk meters on the ledger; the seconds it took."""
    began = time.perf_counter()
    per_meter = -(-assets // BACKGROUND_METERS)
    batch: list[Transaction] = []
    done = 0
    for n in range(per_meter):
        for meter in world.bulk:
            if done == assets:
                break
            batch.append(world.reading(meter, n, n))
            done += 1
            if len(batch) == CHUNK:
                commit_all(node, batch)
                batch = []
                if done % 100_000 == 0:
                    print(f"{done} assets on the ledger after {time.perf_counter() - began:.0f} s, resident "
                          f"{resident_mb():.0f} MB", file=sys.stderr, flush=True)
    if batch:
        commit_all(node, batch)
    world.bulk_slot = per_meter
    return time.perf_counter() - began


def build_once(world: World, path: Path, assets: int, clock: ManualClock) -> float:
    """Build the ledger of ``assets`` readings in a store at ``path`` and close it (``--ledger``); the seconds."""
    node = Node(Store(path), world.genesis(), world.validator, clock=clock)
    node.start(warm=True)
    try:
        return build_ledger(world, node, assets)
    finally:
        node.close()


def more_readings(world: World, node: Node, count: int) -> None:
    """``count`` more readings of the bulk meters: the traffic between an allocation and its certificate."""
    batch: list[Transaction] = []
    while len(batch) < count:
        n = world.bulk_slot
        batch += [world.reading(meter, n, n) for meter in world.bulk[:count - len(batch)]]
        world.bulk_slot += 1
    commit_all(node, batch)


def allocate_fresh(world: World, node: Node, meter: SigningKey, count: int) -> None:
    """``count`` new readings of ``meter``, each allocated whole to Consumer Ca."""
    ids = [o["result"]["asset_id"] for o in commit_all(node, [world.reading(meter, n, n) for n in range(count)])]
    commit_all(node, [world.allocate([(a, 1000) for a in ids[i:i + PARTS]]) for i in range(0, count, PARTS)])


def open_service(world: World, tmp: Path, node: Node, clock: ManualClock) -> tuple[Service, list[Any]]:
    transport = SyncASGITransport(create_node_app(node))
    settings = Settings(db_url=f"sqlite:///{tmp / 'intermediary.sqlite'}", node_url="http://node.test",
                        chain_id=world.chain_id, key=world.intermediary, pdf_dir=tmp / "pdf")
    settings.pdf_dir.mkdir(parents=True, exist_ok=True)
    client = NodeClient(settings.node_url, transport=transport, signer=world.intermediary, chain_id=world.chain_id)
    service = Service(settings=settings, engine=make_engine(settings.db_url), node=client,
                      institutions=load_institutions(None), clock=clock)
    warm_renderer()  # as ``build_service`` does for a served intermediary
    with service.db() as db:
        db.add(Consumer(consumer_id="Ca", name="Consumer Ca", ledger_address=world.user.address,
                        meter_key="00" * 32, renewable_target_pct=50, providers=["Aa"]))
        db.flush()
        db.add(Applicant(applicant_id="ca", password_hash=hash_password(PASSWORD), consumer_id="Ca",
                         failed_logins=0, locked_until=0))
        db.commit()
    return service, [transport, client]


def measure(world: World, node: Node, service: Service, runs: int, between: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"baseline_status": []}
    transport = SyncASGITransport(create_app(service), client=("192.0.2.1", 50_000))
    meters = iter(world.measure)
    with httpx.Client(base_url="http://intermediary.test", transport=transport, timeout=60) as http:
        token = http.post(f"{API}/sessions", json={"applicant_id": "ca", "password": PASSWORD}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        for _ in range(runs):
            for size in SIZES:
                allocate_fresh(world, node, next(meters), size)
                if between:
                    more_readings(world, node, between)
                items = http.get(f"{API}/eligible-transactions", headers=auth).json()["items"]
                selected = [i["item_id"] for i in items if not i["issued"]]
                assert sum(i["allocations"] for i in items if not i["issued"]) == size, items
                began = time.perf_counter()
                service.node.status()
                figures["baseline_status"].append(time.perf_counter() - began)
                began = time.perf_counter()
                answer = http.post(f"{API}/certificates", headers=auth,
                                   json={"item_ids": selected, "type_id": TYPE_ID, "idempotency_key": uuid.uuid4().hex})
                issued = time.perf_counter()
                assert answer.status_code == 201, answer.text
                pdf = http.get(f"{API}{answer.json()['pdf_url'].removeprefix('/api/v1')}", headers=auth)
                done = time.perf_counter()
                assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text[:200]
                figures.setdefault(f"issue_{size}", []).append(issued - began)
                figures.setdefault(f"pdf_{size}", []).append(done - issued)
                figures.setdefault(f"request_to_pdf_{size}", []).append(done - began)
    transport.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--assets", type=int, default=1_000_000, help="readings on the ledger before measuring")
    parser.add_argument("--runs", type=int, default=20, help="issuances per selection size")
    parser.add_argument("--between", type=int, default=0,
                        help="readings committed between each allocation and its certificate (module docstring)")
    parser.add_argument("--value-cache", type=int, default=DEFAULT_VALUES, help="state values the node caches")
    parser.add_argument("--tree-cache", type=int, default=DEFAULT_CAPACITY, help="state tree nodes the node caches")
    parser.add_argument("--ledger", type=Path, help="keep the built ledger here and measure on copies of it later "
                                                    "(module docstring)")
    args = parser.parse_args()
    if args.runs * len(SIZES) > MEASURE_METERS:
        parser.error(f"expected --runs of at most {MEASURE_METERS // len(SIZES)}, found {args.runs}")
    half_hours = -(-args.assets // BACKGROUND_METERS) + args.runs * len(SIZES) * -(-args.between // BACKGROUND_METERS)
    if args.assets < 0 or args.between < 0 or half_hours > SLOTS:
        parser.error(f"expected --assets, and --runs × {len(SIZES)} × --between more readings, within {SLOTS} half "
                     f"hours of {BACKGROUND_METERS} meters, found {args.assets} and {args.runs} × {len(SIZES)} × "
                     f"{args.between} ({half_hours} half hours)")
    world = World(measure_meters=MEASURE_METERS)
    clock = ManualClock(slot(SLOTS + 10))
    kept = None if args.ledger is None else args.ledger / f"ledger-{args.assets}.sqlite"
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        build_s = 0.0
        if kept is not None and not kept.exists():
            build_s = build_once(world, tmp / "ledger.sqlite", args.assets, clock)
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tmp / "ledger.sqlite", kept)
        elif kept is not None:
            shutil.copyfile(kept, tmp / "ledger.sqlite")
        store = Store(tmp / "ledger.sqlite", tree_cache=args.tree_cache, value_cache=args.value_cache)
        node = Node(store, world.genesis(), world.validator, clock=clock)  # as open_node
        node.start(warm=True)
        closing: list[Any] = []
        try:
            if kept is None:
                build_s = build_ledger(world, node, args.assets)
            else:  # a kept ledger's copy, reopened: its caches warmed as a running node has them
                world.bulk_slot = -(-args.assets // BACKGROUND_METERS)
                more_readings(world, node, WARM_READINGS)
            service, closing = open_service(world, tmp, node, clock)
            # As ``greencert demo`` serves (intermediary and node in one process): what set-up left, out of the
            # cycle collector's full passes, its youngest objects collected less often.
            tune_collector()
            load_before = os.getloadavg()[0]
            figures = measure(world, node, service, args.runs, args.between)
            load_after = os.getloadavg()[0]
            service.engine.dispose()
        finally:
            for thing in reversed(closing):
                thing.close()
            node.close()
    base = statistics.median(figures["baseline_status"])
    out: dict[str, object] = {"bench": "issuance_at_scale", "assets_on_ledger": args.assets,
                              "readings_between": args.between, "value_cache": args.value_cache,
                              "tree_cache": args.tree_cache,
                              "build_s": round(build_s, 1), "kept_ledger": None if kept is None else str(kept),
                              "runs_per_size": args.runs,
                              "load_avg_before": round(load_before, 2), "load_avg_after": round(load_after, 2)}
    for name, values in figures.items():
        out[f"{name}_p50_s"] = round(statistics.median(values), 5)
        out[f"{name}_p95_s"] = round(p95(values), 5)
        if name != "baseline_status":
            out[f"{name}_p95_ratio"] = round(p95(values) / base, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
