"""Benchmark: what a reading costs the node once its state is steady (issue #16, ingest at scale), in half a
minute instead of the half hour of ``bench/ledger_scale.py``.

An embedded node ingests the readings of ``--meters`` meters over ``--days`` days, its clock following them.
After a month and a week the first assets expire and leave the state (``ledger.rules.expiry``), so from then on
each block sweeps about as many assets as it adds, as a node does in its second month and every month after.
Only that steady part is measured: the CPU time of the node's own process per reading (block production, state
tree, store, admission's bookkeeping; the signature checks run in admission's worker processes besides) and the
readings committed per second.

It is measured twice in the same run, with the node's state tree cache (``Store(tree_cache=…)``) large enough
for the whole tree and then holding only part of it (``--small-cache`` nodes: about a third of the tree with the
defaults, a tenth with ``--meters 100 --days 45``; ``tree_nodes_cached`` says): the second is what a node meets once its
live assets outgrow the cache (about a million live assets with the default cache), the regime where
``bench/ledger_scale.py`` finds ingest falling. The baseline is this machine's single-core Ed25519 verification
time per signature, measured at the start. Readings are signed beforehand in worker processes (the meters' work).

The process is set up as ``greencert node`` sets up its own (``ledger.node.tune_serving_process``, once the readings
are signed; ``--embedded`` leaves the interpreter as it is, as this benchmark did before 2026-12-04): left as it is,
the cycle collector took 12.4 % of the block producer's samples in a ``py-spy --native`` profile of the part-cached
ingest, against 4.7 % in the node's own setting.

Also measured: the memory a cached tree node takes (``tree_cache_bytes_per_entry``, Python's allocations for
the entries of a 200,000-leaf tree once written, with the order in which they leave the cache), which sets how
much of the tree a cache of a given size in bytes holds.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from ledger_ingest import verify_rate

from ledger.genesis import Genesis, entry
from ledger.node import Node, tune_serving_process
from ledger.rules.expiry import RETENTION
from ledger.state_tree import DEFAULT_CAPACITY, StoredTree
from ledger.storage import Store
from ledger_lite import SigningKey, sign_tx

CHAIN = "steady"
SLOT = 1800
DAY = 86_400
START = 1_790_780_400  # 2026-10-01 00:00 JST
STEADY_AFTER = 31 * DAY + RETENTION + 3 * DAY  # a month's validity, the retention, and a few days of sweeping
BATCH = 2000


def meter_seed(number: int) -> bytes:
    return number.to_bytes(4, "big") * 8


def sign_slot(meters: int, slot: int, owner: str) -> list[bytes]:
    """The readings of every meter for one half hour (runs in a worker process)."""
    start = START + slot * SLOT
    return [sign_tx(SigningKey.from_seed(meter_seed(m)), chain=CHAIN, type="asset.generate",
                    body={"provider": f"P{m}", "method": "wind", "start": start, "end": start + SLOT, "wh": 10_000,
                          "owner": owner}, nonce=slot, time=start + SLOT).encode() for m in range(meters)]


def ingest(readings: list[list[bytes]], genesis: Genesis, validator: SigningKey, tree_cache: int,
           meters: int) -> dict[str, Any]:
    """Ingest ``readings`` (by half hour) into a fresh node; the steady part's figures."""
    now = [START]
    per_batch = max(1, BATCH // meters)
    with tempfile.TemporaryDirectory() as scratch:
        node = Node(Store(Path(scratch) / "ledger.sqlite", tree_cache=tree_cache), genesis, validator,
                    clock=lambda: now[0])
        node.start(warm=True)
        try:
            cpu = wall = 0.0
            measured = 0
            for first in range(0, len(readings), per_batch):
                last = min(len(readings), first + per_batch)
                batch = [raw for slot in readings[first:last] for raw in slot]
                now[0] = START + last * SLOT
                steady = now[0] - START >= STEADY_AFTER
                cpu_began, wall_began = time.process_time(), time.perf_counter()
                outcomes = [p.wait(600) if not isinstance(p, Exception) else None for p in node.submit_many(batch)]
                if steady:
                    cpu += time.process_time() - cpu_began
                    wall += time.perf_counter() - wall_began
                    measured += len(batch)
                refused = [o for o in outcomes if o is None or o["code"] != "ok"]
                if refused:
                    raise RuntimeError(f"{len(refused)} readings not committed, first: {refused[0]}")
            tree = node.store.tree
            figures = {"live_assets": node.store.state_values, "tree_nodes_cached": tree.cached,
                       "tree_cache": tree_cache}
        finally:
            node.close()
    if not measured:
        raise SystemExit(f"expected readings after day {STEADY_AFTER // DAY}, found none: raise --days")
    return {**figures, "steady_readings": measured, "cpu_us_per_reading": round(cpu / measured * 1e6, 1),
            "readings_per_s": round(measured / wall)}


def cache_bytes_per_entry(leaves: int = 200_000, *, in_dict: bool = False) -> float:
    """Bytes of Python allocations per cached entry of a ``StoredTree`` holding ``leaves`` written leaves (its cache
    in a plain dict rather than its ``NodeTable`` with ``in_dict``: ``bench/tree_cache.py``)."""
    items = [(hashlib.sha256(b"key %d" % i).digest(), hashlib.sha256(b"value %d" % i).digest()) for i in range(leaves)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        # A cache a little smaller than the tree (about 2.4 entries a leaf): once written, the tree is evicted
        # down to it, and the order in which entries leave is kept for every pair still cached.
        tree = StoredTree(lambda indexes: {}, None, 0, capacity=2 * leaves)
        if in_dict:
            tree._nodes = {}
        tree.load_all(items)
        tree.written(tree.pending())
        return (tracemalloc.get_traced_memory()[0] - before) / tree.cached
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meters", type=int, default=20)
    parser.add_argument("--days", type=int, default=70, help=f"more than {STEADY_AFTER // DAY} (the steady part)")
    parser.add_argument("--small-cache", type=int, default=32_768,
                        help="tree nodes the second node caches (about a third of the tree of the defaults)")
    parser.add_argument("--embedded", action="store_true",
                        help="leave this process's interpreter as it is, as a node embedded in another program does")
    args = parser.parse_args()
    if args.days * DAY <= STEADY_AFTER:
        parser.error(f"expected --days above {STEADY_AFTER // DAY}, found {args.days}")
    validator, intermediary = SigningKey.from_seed(b"v" * 32), SigningKey.from_seed(b"i" * 32)
    genesis = Genesis(CHAIN, START, (entry(validator.public, "validator", "V"),
                                     entry(intermediary.public, "intermediary", "Da"),
                                     *(entry(SigningKey.from_seed(meter_seed(m)).public, "meter", f"m{m}",
                                             provider=f"P{m}", method="wind", capacity_w=100_000)
                                       for m in range(args.meters))))
    slots = args.days * DAY // SLOT
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        readings = list(pool.map(sign_slot, [args.meters] * slots, range(slots), [intermediary.address] * slots,
                                 chunksize=64))
    verify_us = 1e6 / verify_rate()
    entry_bytes = cache_bytes_per_entry()
    if not args.embedded:
        tune_serving_process()
    cached = ingest(readings, genesis, validator, DEFAULT_CAPACITY, args.meters)
    small = ingest(readings, genesis, validator, args.small_cache, args.meters)
    print(json.dumps({"bench": "ledger_steady", "meters": args.meters, "days": args.days,
                      "verify_us_one_core": round(verify_us, 1), "tree_cached": cached, "tree_half_cached": small,
                      "cpu_ratio_cached": round(cached["cpu_us_per_reading"] / verify_us, 2),
                      "cpu_ratio_half_cached": round(small["cpu_us_per_reading"] / verify_us, 2),
                      "tree_cache_bytes_per_entry": round(entry_bytes), "serving_process": not args.embedded,
                      "load_avg_1m": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
