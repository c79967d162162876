"""Benchmark: how long a full pass of Python's cycle collector holds a serving process, before and after what
start-up left is frozen out of it (``ledger.node.tune_serving_process``, ``greencert demo``: ``gc.freeze``).

A full pass walks every container object the process tracks; in a node or the demo most of them are the
modules' functions, classes and tables, which live as long as the process. While it runs, no block is made and
no request is answered, so its length adds to whoever waits at that moment (issue #16, issuance p99).

In this process, a node is opened as ``greencert node`` opens it (with its API app made) or, with ``--demo``,
the embedded demo is started as ``greencert demo`` starts it (``--days`` of field data, the kiosk's modules
loaded); then ``--passes`` full passes are timed (``gc.collect()``), the baseline, and again after ``gc.freeze()``.
Prints one JSON line: the objects tracked, the median pass before and after, and their ratio.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in


def passes(count: int) -> list[float]:
    times = []
    for _ in range(count):
        began = time.perf_counter()
        gc.collect()
        times.append(time.perf_counter() - began)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--demo", action="store_true", help="start the embedded demo instead of a node")
    parser.add_argument("--days", type=int, default=5, help="the demo's days of field data")
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.demo:
            from greencert.demo import start_demo
            from kiosk.app import run_kiosk  # noqa: F401  (the demo loads the kiosk before serving it)

            demo = start_demo(Path(scratch), port=0, node_port=0, days=args.days, progress=lambda _: None)
            close = demo.stop
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
            after = passes(args.passes)
        finally:
            gc.unfreeze()
            close()
    base, now = statistics.median(before), statistics.median(after)
    print(json.dumps({"bench": "gc_pause", "process": "demo" if args.demo else "node", "tracked_objects": tracked,
                      "frozen_objects": frozen, "full_pass_ms": round(base * 1e3, 2),
                      "full_pass_frozen_ms": round(now * 1e3, 3),
                      "ratio": round(now / base, 4) if base else None}))


if __name__ == "__main__":
    main()
