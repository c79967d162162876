"""Benchmark: a node's start after a crash (issue #16: restart ≤ 5 s), its state tree loaded whole against the walks.

A node writes its state tree every so many changes; a crash between two writes leaves the keys the blocks wrote since
the last one logged (``smt_redo``), and the next start reads their stored values and puts them back into the tree
before it checks the root against the last signed header (``ledger.state``). At the 1,002 meters' steady state up to
~190,000 keys are logged. This takes the store a run of ``bench/ledger_scale.py --keep DIR`` left behind (its node
stopped cleanly: nothing logged), copies it, and logs ``--keys`` of its state keys at its last block, drawn at random
(``--seed``): the start then does what it does after such a crash (the values being the stored ones, the root comes out
the signed header's, which the start checks as always).

Each start runs in a process of its own, on a fresh copy, as ``greencert node`` opens its store
(``ledger.node.open_node``, default caches), and is timed to the open node, with the process's peak resident memory.
The baseline, interleaved with it in the same run: the same start with the tree left to its walks down to each key
(``ledger.state_tree.WHOLE_LOAD_SHARE`` 0, as before 2026-12-06's last session). Prints one JSON line.

    python bench/ledger_scale.py --days 208 --steps 10000000 --budget-s 99999 --keep /tmp/scale10
    python bench/crash_restart.py /tmp/scale10 --keys 190000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cbor2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure the checkout this script is in


def logged_copy(kept: Path, into: Path, keys: list[bytes]) -> Path:
    """A copy of the kept run's directory with ``keys`` logged at its last block; the copy's node directory."""
    shutil.rmtree(into, ignore_errors=True)
    shutil.copytree(kept, into)
    db = sqlite3.connect(into / "node" / "ledger.sqlite")
    try:
        last = db.execute("SELECT max(height) FROM blocks").fetchone()[0]
        if db.execute("SELECT count(*) FROM smt_redo").fetchone()[0]:
            raise SystemExit(f"{kept}: expected a store its node closed cleanly (no keys logged), found keys logged")
        db.execute("INSERT INTO smt_redo(height, keys) VALUES (?, ?)", (last, cbor2.dumps(keys)))
        db.commit()
    finally:
        db.close()
    return into


def start_once(run_dir: Path, walks: bool) -> dict[str, float | bool]:
    """In this process: open the node as ``greencert node`` does; seconds, peak memory, whether the tree is whole."""
    from greencert.keystore import load_or_create
    from ledger import state_tree
    from ledger.genesis import Genesis
    from ledger.node import open_node

    if walks:
        state_tree.WHOLE_LOAD_SHARE = 0  # no number of logged keys is enough: the walks put them back
    genesis = Genesis.load(run_dir / "genesis.json")
    key = load_or_create(run_dir / "validator.key")
    began = time.perf_counter()
    node = open_node(run_dir / "node", genesis, key, clock=lambda: int((run_dir / "clock").read_text()))
    seconds = time.perf_counter() - began
    status = Path("/proc/self/status").read_text()
    peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return {"open_s": round(seconds, 3), "peak_mb": round(peak / 1024), "whole": node.store.tree.whole}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kept", type=Path, help="a directory bench/ledger_scale.py --keep left")
    parser.add_argument("--keys", type=int, default=190_000, help="state keys logged as if since the tree's last write")
    parser.add_argument("--runs", type=int, default=2, help="starts of each kind, interleaved")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--one", choices=["whole", "walks"], help=argparse.SUPPRESS)  # a start in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(start_once(args.kept, args.one == "walks")))
        return
    db = sqlite3.connect(args.kept / "node" / "ledger.sqlite")
    try:
        every = [bytes(row[0]) for row in db.execute("SELECT key FROM state")]
    finally:
        db.close()
    keys = random.Random(args.seed).sample(every, min(args.keys, len(every)))
    starts: dict[str, list[dict[str, float | bool]]] = {"whole": [], "walks": []}
    with tempfile.TemporaryDirectory(prefix="crash-restart-") as tmp:
        for _ in range(args.runs):
            for kind in starts:
                run_dir = logged_copy(args.kept, Path(tmp) / "run", keys)
                done = subprocess.run([sys.executable, __file__, str(run_dir), "--one", kind], cwd=ROOT, check=True,
                                      capture_output=True, text=True)
                starts[kind].append(json.loads(done.stdout.splitlines()[-1]))
    open_s = {kind: round(statistics.median(float(s["open_s"]) for s in runs), 3) for kind, runs in starts.items()}
    print(json.dumps({
        "bench": "crash_restart", "state_values": len(every), "keys_logged": len(keys),
        "open_s": open_s["whole"], "baseline_walks_open_s": open_s["walks"],
        "ratio": round(open_s["walks"] / open_s["whole"], 2),
        "peak_mb": max(int(s["peak_mb"]) for s in starts["whole"]),
        "baseline_peak_mb": max(int(s["peak_mb"]) for s in starts["walks"]),
        "loaded_whole": [bool(s["whole"]) for s in starts["whole"]], "starts": starts,
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }))


if __name__ == "__main__":
    main()
