"""Benchmark: what a burst of readings waits for when the node writes its state tree while idle (issue #16, the
tree's write inside a block).

Meters report every half hour, so a node's load comes in bursts with idle time between. A node writes its state
tree's changed entries with a block once they are many (``StoredTree.wants_flush``: half of its tree cache;
at a million assets that write takes seconds, and every transaction of that block waits for it). Since issue
#16 a node that has been idle for ``IDLE_WRITE_S`` writes them then instead, once an eighth as many have changed
(``ledger.producer``, ``wants_flush(idle=True)``), so a burst should find nothing left to write.

First ``--prefill`` readings of the same meters go on a ledger (its tree written on closing). Two embedded nodes,
opened on copies of it, then take the same ``--bursts`` bursts of ``--meters`` readings each (one half hour of
every meter, submitted at once), ``--gap-s`` seconds apart: the baseline writes its tree only with the blocks
(``idle_write_s = None``, as before), the other also while idle. A small ``--tree-cache`` makes the blocks'
writes come every few bursts, as they do with the default cache at about a million assets. For each node:

* the seconds from a burst's submission until all its readings are committed, what the meters wait for (p50,
  p95 and max over the bursts after the first, which warms the caches of the node just opened);
* how many bursts had a tree write inside one of their blocks;
* how many writes happened while idle, the longest and its size (the node's debug log);
* the CPU time of this process (the node's) per reading, idle writes included.

Prints one JSON line, with the p95 and max as ratios to the baseline's.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from ledger_steady import CHAIN, SLOT, START, meter_seed, sign_slot

from ledger.genesis import Genesis, entry
from ledger.node import Node
from ledger.producer import IDLE_WRITE_S
from ledger.storage import Store
from ledger_lite import SigningKey

WROTE = re.compile(r"wrote the state tree's (\d+) changed entries while idle in ([0-9.]+) s")


class IdleWrites(logging.Handler):
    """The node's debug lines about its writes while idle: (entries, seconds) each."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.writes: list[tuple[int, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        found = WROTE.search(record.getMessage())
        if found:
            self.writes.append((int(found[1]), float(found[2])))


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def open_node(path: Path, genesis: Genesis, validator: SigningKey, tree_cache: int, now: list[int]) -> Node:
    node = Node(Store(path, tree_cache=tree_cache), genesis, validator, clock=lambda: now[0])
    node.start(warm=True)
    return node


def commit_all(node: Node, raws: list[bytes]) -> None:
    outcomes = [p.wait(600) if not isinstance(p, Exception) else None for p in node.submit_many(raws)]
    refused = [o for o in outcomes if o is None or o["code"] != "ok"]
    if refused:
        raise RuntimeError(f"{len(refused)} readings not committed, first: {refused[0]}")


def prefill(path: Path, slots: list[list[bytes]], genesis: Genesis, validator: SigningKey) -> None:
    now = [START + len(slots) * SLOT]
    node = open_node(path, genesis, validator, 1 << 20, now)
    try:
        for first in range(0, len(slots), 20):
            commit_all(node, [raw for slot in slots[first:first + 20] for raw in slot])
    finally:
        node.close()


def run(ledger: Path, first_slot: int, bursts: list[list[bytes]], genesis: Genesis, validator: SigningKey,
        tree_cache: int, gap_s: float, idle_writes: bool) -> dict[str, Any]:
    now = [START + first_slot * SLOT]
    log = logging.getLogger("ledger.producer")
    handler = IdleWrites()
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    waits: list[float] = []
    written_inside = 0
    cpu = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "ledger.sqlite"
        shutil.copyfile(ledger, copy)
        node = open_node(copy, genesis, validator, tree_cache, now)
        if not idle_writes:
            node.idle_write_s = None
        try:
            for number, burst in enumerate(bursts):
                now[0] = START + (first_slot + number + 1) * SLOT
                height_before = node.store.get_meta("smt_height")
                cpu_began, began = time.process_time(), time.perf_counter()
                commit_all(node, burst)
                if number:  # the first warms the caches of the node just opened
                    waits.append(time.perf_counter() - began)
                cpu += time.process_time() - cpu_began
                written_inside += node.store.get_meta("smt_height") != height_before
                idle_began = time.process_time()
                time.sleep(gap_s)
                cpu += time.process_time() - idle_began  # the node's writes while idle are its work too
        finally:
            node.close()
            log.removeHandler(handler)
    readings = sum(len(b) for b in bursts)
    return {"burst_wait_p50_s": round(statistics.median(waits), 3), "burst_wait_p95_s": round(p95(waits), 3),
            "burst_wait_max_s": round(max(waits), 3), "bursts_with_a_tree_write": written_inside,
            "idle_writes": len(handler.writes),
            "idle_write_max_s": round(max((s for _, s in handler.writes), default=0.0), 3),
            "idle_write_entries_max": max((n for n, _ in handler.writes), default=0),
            "cpu_us_per_reading": round(cpu / readings * 1e6, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meters", type=int, default=1000, help="readings per burst (one half hour of each meter)")
    parser.add_argument("--bursts", type=int, default=30)
    parser.add_argument("--prefill", type=int, default=100_000, help="readings on the ledger before the bursts")
    parser.add_argument("--gap-s", type=float, default=IDLE_WRITE_S + 0.5, help="idle seconds between bursts")
    parser.add_argument("--tree-cache", type=int, default=131_072, help="state tree nodes each node caches")
    args = parser.parse_args()
    if args.meters < 1 or args.bursts < 2 or args.gap_s <= IDLE_WRITE_S:
        parser.error(f"expected --meters of at least 1, --bursts of at least 2 and --gap-s above {IDLE_WRITE_S}, found "
                     f"{args.meters}, {args.bursts} and {args.gap_s}")
    validator, intermediary = SigningKey.from_seed(b"v" * 32), SigningKey.from_seed(b"i" * 32)
    genesis = Genesis(CHAIN, START, (entry(validator.public, "validator", "V"),
                                     entry(intermediary.public, "intermediary", "Da"),
                                     *(entry(SigningKey.from_seed(meter_seed(m)).public, "meter", f"m{m}",
                                             provider=f"P{m}", method="wind", capacity_w=100_000)
                                       for m in range(args.meters))))
    before = args.prefill // args.meters
    slots = before + args.bursts
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        signed = list(pool.map(sign_slot, [args.meters] * slots, range(slots), [intermediary.address] * slots,
                               chunksize=8))
    with tempfile.TemporaryDirectory() as scratch:
        ledger = Path(scratch) / "prefilled.sqlite"
        prefill(ledger, signed[:before], genesis, validator)
        load_before = os.getloadavg()[0]
        baseline = run(ledger, before, signed[before:], genesis, validator, args.tree_cache, args.gap_s,
                       idle_writes=False)
        idle = run(ledger, before, signed[before:], genesis, validator, args.tree_cache, args.gap_s,
                   idle_writes=True)
    print(json.dumps({
        "bench": "idle_tree_write", "meters": args.meters, "bursts": args.bursts, "gap_s": args.gap_s,
        "prefilled_readings": before * args.meters,
        "tree_cache": args.tree_cache, "load_avg_before": round(load_before, 2),
        "load_avg_after": round(os.getloadavg()[0], 2),
        "baseline_blocks_only": baseline, "idle_writes": idle,
        "burst_wait_p95_ratio": round(idle["burst_wait_p95_s"] / baseline["burst_wait_p95_s"], 2),
        "burst_wait_max_ratio": round(idle["burst_wait_max_s"] / baseline["burst_wait_max_s"], 2),
        "cpu_per_reading_ratio": round(idle["cpu_us_per_reading"] / baseline["cpu_us_per_reading"], 2)}))


if __name__ == "__main__":
    main()
