"""Benchmark: the stored state tree's cache (``ledger.state_tree.StoredTree``) in ``_smt_native.NodeTable``, against
the same tree caching its nodes in a plain dict, in the same process.

Two trees of ``--leaves`` leaves are built and written (every node cached: the walks run on the cache alone, as a
node's do while its tree fits its cache). Then ``--batches`` batches, each the reads and the update a block makes
(``get_many`` then ``update`` of 900 existing keys changed and 900 new keys), go to both trees alternately, each
timed in the CPU time of this thread (``time.thread_time``: other processes on a busy machine do not count). The
two trees must end with the same root. Also measured: the memory of each cache per entry, as
``bench/ledger_steady.py`` measures it (``tracemalloc``, the entries and the order in which they leave the cache).

Prints one JSON line: min and median ms a batch for each, and the table's ratio to the dict.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from ledger_steady import cache_bytes_per_entry

from ledger.state_tree import StoredTree
from ledger_lite import smt_tree

BATCH = 900


def built(items: list[tuple[bytes, bytes]], table: bool) -> StoredTree:
    """A tree of ``items`` written and wholly cached, its cache a NodeTable or a dict."""
    tree = StoredTree(lambda indexes: {}, None, 0, capacity=1 << 26)
    if not table:
        tree._nodes = {}
    tree.load_all(items)
    tree.written(tree.pending())
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=60)
    args = parser.parse_args()
    if not smt_tree.NATIVE:
        raise SystemExit("expected ledger_lite._smt_native to be built (scripts/bootstrap.sh setup), found it missing")
    items = [(b"key %d" % i, hashlib.sha256(b"value %d" % i).digest()) for i in range(args.leaves)]
    trees = {"table": built(items, True), "dict": built(items, False)}
    times: dict[str, list[float]] = {name: [] for name in trees}
    rng = random.Random(1)
    for batch in range(args.batches):
        keys = [b"key %d" % rng.randrange(args.leaves) for _ in range(BATCH)]
        keys += [b"new %d %d" % (batch, i) for i in range(BATCH)]
        changes = {key: hashlib.sha256(key + b"%d" % batch).digest() for key in keys}
        for name in ("table", "dict") if batch % 2 else ("dict", "table"):  # neither always goes first
            tree = trees[name]
            began = time.thread_time()
            tree.get_many(list(changes))
            tree.update(changes)
            times[name].append(time.thread_time() - began)
    if trees["table"].root() != trees["dict"].root():
        raise SystemExit("expected both trees to end with the same root, found two")
    figures = {name: {"min_ms": round(min(spent) * 1e3, 2), "median_ms": round(statistics.median(spent) * 1e3, 2),
                      "bytes_per_entry": round(cache_bytes_per_entry(in_dict=name == "dict"))}
               for name, spent in times.items()}
    print(json.dumps({"bench": "tree_cache", "leaves": args.leaves, "batches": args.batches,
                      "batch_keys": 2 * BATCH, **figures,
                      "table_to_dict_min": round(figures["table"]["min_ms"] / figures["dict"]["min_ms"], 2),
                      "table_to_dict_median": round(figures["table"]["median_ms"] / figures["dict"]["median_ms"], 2),
                      "load_avg_1m": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
