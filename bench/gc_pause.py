"""Benchmark: how long a full pass of Python's cycle collector holds a serving process, before and after what
start-up left is frozen out of it (``ledger.node.tune_serving_process``, ``greencert demo``: ``gc.freeze``).

A full pass walks every container object the process tracks; in a node or the demo most of them are the
modules' functions, classes and tables, which live as long as the process. While it runs, no block is made and
no request is answered, so its length adds to whoever waits at that moment (issue #16, issuance p99).

In this process, a node is opened as ``greencert node`` opens it (with its API app made) or, with ``--demo``,
the embedded demo is started as ``greencert demo`` starts it (``--days`` of field data, the kiosk's modules
loaded); then ``--passes`` full passes are timed (``gc.collect()``), the baseline, and again after ``gc.freeze()``.
Prints one JSON line: the objects tracked, the median pass before and after, and their ratio.

With ``--assets N`` the node then commits N signed readings (``submit_many``, as ``bench/issuance_at_scale.py``
builds its ledger; ``--tree-cache`` sizes the state tree's cache) before the passes after the freeze are timed: what
a node gathers as it serves is in them, and the full passes the collector made by itself meanwhile are reported
too (how many, median and longest). From about 600,000 assets on, the default tree cache is full and orders its
pairs for eviction (``ledger.lru_order``).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in


MAX_ASSETS = 1_000_000  # the readings ``bench/issuance_at_scale.py``'s meters make before its clock


def passes(count: int) -> list[float]:
    times = []
    for _ in range(count):
        began = time.perf_counter()
        gc.collect()
        times.append(time.perf_counter() - began)
    return times


class AutoPasses:
    """The full passes the collector makes by itself while installed (``gc.callbacks``), in seconds."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self._began = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.seconds.append(time.perf_counter() - self._began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo", action="store_true", help="start the embedded demo instead of a node")
    parser.add_argument("--days", type=int, default=5, help="the demo's days of field data")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--assets", type=int, default=0,
                        help="readings the node commits after the freeze, before the timed passes (module docstring)")
    parser.add_argument("--tree-cache", type=int, default=None, help="state tree nodes the node caches (with --assets)")
    args = parser.parse_args()
    if args.assets < 0 or (args.assets and args.demo) or args.assets > MAX_ASSETS:
        parser.error(f"expected --assets from 0 to {MAX_ASSETS} readings, for a node (not --demo), found "
                     f"{args.assets}{' with --demo' if args.demo else ''}")
    auto = AutoPasses()
    world: Any = None
    with tempfile.TemporaryDirectory() as scratch:
        if args.demo:
            from greencert.demo import start_demo
            from kiosk.app import run_kiosk  # noqa: F401  (the demo loads the kiosk before serving it)

            demo = start_demo(Path(scratch), port=0, node_port=0, days=args.days, progress=lambda _: None)
            close = demo.stop
        elif args.assets:
            from issuance_at_scale import SLOTS, World, build_ledger, slot

            from ledger.api import create_app
            from ledger.node import Node
            from ledger.state_tree import DEFAULT_CAPACITY
            from ledger.storage import Store
            from tests.helpers.ledger_world import ManualClock

            world = World(measure_meters=0)
            store = Store(Path(scratch) / "ledger.sqlite", tree_cache=args.tree_cache or DEFAULT_CAPACITY)
            node = Node(store, world.genesis(), world.validator, clock=ManualClock(slot(SLOTS + 10)))  # as open_node
            node.start(warm=True)
            create_app(node)
            close = node.close
        else:
            from ledger.api import create_app
            from ledger.node import open_node
            from tests.helpers.ledger_world import LedgerWorld, ManualClock

            world = LedgerWorld()
            node = open_node(Path(scratch), world.genesis(), world.validator, clock=ManualClock())
            create_app(node)
            close = node.close
        try:
            tracked = len(gc.get_objects())
            before = passes(args.passes)
            gc.freeze()
            frozen = gc.get_freeze_count()
            ingest_s = 0.0
            if args.assets:
                gc.callbacks.append(auto)
                try:
                    ingest_s = build_ledger(world, node, args.assets)
                finally:
                    gc.callbacks.remove(auto)
            after = passes(args.passes)
        finally:
            gc.unfreeze()
            close()
    base, now = statistics.median(before), statistics.median(after)
    print(json.dumps({"bench": "gc_pause", "process": "demo" if args.demo else "node", "tracked_objects": tracked,
                      "frozen_objects": frozen, "full_pass_ms": round(base * 1e3, 2),
                      "full_pass_frozen_ms": round(now * 1e3, 3),
                      "ratio": round(now / base, 4) if base else None,
                      **({"assets": args.assets, "tree_cache": args.tree_cache, "ingest_s": round(ingest_s, 1),
                          "auto_full_passes": len(auto.seconds),
                          "auto_full_pass_median_ms": round(statistics.median(auto.seconds) * 1e3, 1)
                          if auto.seconds else None,
                          "auto_full_pass_max_ms": round(max(auto.seconds, default=0.0) * 1e3, 1)}
                         if args.assets else {})}))


if __name__ == "__main__":
    main()
