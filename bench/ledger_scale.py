"""Benchmark: a node holding many assets (issue #3: with 1,000,000 assets an issuance commits in ≤ 20 ms at
the 99th percentile, a state proof is ≤ 2 KB, disk use ≤ 500 bytes per meter reading).

Ingests ``--readings`` signed meter readings, allocates some to a consumer, then times certificate issuances
one at a time (submit → committed outcome). The baseline, measured in the same run on the same node, is the
commit latency of a single meter reading. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from ledger.genesis import Genesis, entry
from ledger.node import Node, open_node
from ledger_lite import SigningKey, Transaction, sign_tx
from ledger_lite.smt_proof import SmtProof

CHAIN = "scale"
START = 1_790_780_400
SLOT = 1800


def commit_latency(node: Node, tx: Transaction) -> tuple[float, dict[str, object]]:
    began = time.perf_counter()
    outcome = node.submit(tx.encode()).wait(60)
    elapsed = time.perf_counter() - began
    assert outcome is not None and outcome["code"] == "ok", outcome
    return elapsed, outcome


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readings", type=int, default=1_000_000)
    parser.add_argument("--meters", type=int, default=500)
    parser.add_argument("--issuances", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="keep the node's data in this (new) directory, with its genesis")
    args = parser.parse_args()
    validator, intermediary, user = SigningKey.generate(), SigningKey.generate(), SigningKey.generate()
    meters = [SigningKey.generate() for _ in range(args.meters)]
    genesis = Genesis(CHAIN, START, (entry(validator.public, "validator", "V"),
                                     entry(intermediary.public, "intermediary", "Da"),
                                     entry(user.public, "user", "Consumer"),
                                     *(entry(k.public, "meter", f"m{i}", provider=f"P{i}", method="wind",
                                             capacity_w=100_000) for i, k in enumerate(meters))))
    per_meter = -(-args.readings // args.meters)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        if args.keep:
            genesis.save(tmp / "genesis.json")
            (tmp / "validator.key").write_text(validator.seed().hex())
        now = [START]
        node = open_node(tmp, genesis, validator, clock=lambda: now[0])
        node.start()
        began = time.perf_counter()
        asset_ids: list[str] = []
        for i in range(per_meter):  # one slot of all meters per batch
            start = START + i * SLOT
            now[0] = start + SLOT
            txs = [sign_tx(k, chain=CHAIN, type="asset.generate",
                           body={"provider": f"P{m}", "method": "wind", "start": start, "end": start + SLOT,
                                 "wh": 10_000, "owner": intermediary.address}, nonce=i, time=start + SLOT)
                   for m, k in enumerate(meters)]
            pendings = node.submit_many([t.encode() for t in txs])
            for p in pendings:
                outcome = p.wait(600)  # type: ignore[union-attr]
                if outcome and outcome["code"] == "ok":
                    asset_ids.append(outcome["tx_id"])
            del asset_ids[:-10 * args.issuances]  # keep the newest (unexpired) ones
        ingest_s = time.perf_counter() - began
        readings = len(node.state.owned(intermediary.address))
        # Allocate 10 assets per certificate to the consumer, then issue certificates one by one.
        parts = [asset_ids[i:i + 10] for i in range(0, 10 * args.issuances, 10)]
        for n, group in enumerate(parts):
            commit_latency(node, sign_tx(intermediary, chain=CHAIN, type="asset.allocate",
                                         body={"to": user.address, "usage_start": START, "usage_end": START + SLOT,
                                               "parts": [{"asset": a, "wh": 10_000} for a in group]},
                                         nonce=n, time=START))
        baseline, issue = [], []
        for n, group in enumerate(parts):
            start = START + (per_meter + n) * SLOT
            now[0] = start + SLOT
            baseline.append(commit_latency(node, sign_tx(meters[0], chain=CHAIN, type="asset.generate",
                                                         body={"provider": "P0", "method": "wind", "start": start,
                                                               "end": start + SLOT, "wh": 5,
                                                               "owner": intermediary.address},
                                                         nonce=10**9 + n, time=start + SLOT))[0])
            issue.append(commit_latency(node, sign_tx(intermediary, chain=CHAIN, type="cert.issue",
                                                      body={"owner": user.address, "assets": sorted(group),
                                                            "institution": "bench"}, nonce=n, time=START))[0])
        proofs = [len(node.state.prove(f"asset/{a}").to_bytes()) for a in asset_ids[:2000]]
        assert all(SmtProof.from_bytes(node.state.prove(f"asset/{a}").to_bytes()) for a in asset_ids[:10])
        node.close()
        disk = sum(f.stat().st_size for f in tmp.glob("ledger.sqlite*"))
        began = time.perf_counter()  # a restart: read every state row, rebuild the tree, check the signed head
        open_node(tmp, genesis, validator, clock=lambda: now[0]).close()
        restart_s = time.perf_counter() - began
    p99, base_p99 = percentile(issue, 0.99), percentile(baseline, 0.99)
    print(json.dumps({"bench": "ledger_scale", "assets": readings, "ingest_s": round(ingest_s, 1),
                      "ingest_per_s": round(readings / ingest_s),
                      "issue_p50_ms": round(statistics.median(issue) * 1e3, 2),
                      "issue_p99_ms": round(p99 * 1e3, 2), "baseline_p99_ms": round(base_p99 * 1e3, 2),
                      "p99_ratio": round(p99 / base_p99, 2), "proof_bytes_max": max(proofs),
                      "disk_bytes_per_reading": round(disk / readings), "restart_s": round(restart_s, 1),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))


if __name__ == "__main__":
    main()
