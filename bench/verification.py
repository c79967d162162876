"""Benchmark: verifying a certificate (issue #13 goals: offline ≤ 10 ms, online against a local node ≤ 100 ms
including fetching the header and proofs; proof bytes per online check ≤ 2 KB at 10,000,000 transactions), as
ratios to a bare Ed25519 verification measured in the same run.

* ``offline_ms``: ``ledger_lite.audit.audit`` with the certificate's audit bundle (signature, inclusion in a final
  block, quorum, state proof) — what ``greencert verify --offline certificate.pdf`` and the kiosk do with no network;
* ``online_ms``: the same against a ledger node served over HTTP on loopback (one ``NodeClient`` reused, as a
  verifier that checks many certificates would), every answer fetched each time;
* ``proof_bytes``: the bytes of the proofs one online check fetches (inclusion path, state proof) on this node,
  and ``proof_bytes_at_10M``: the same computed for a state of 10,000,000 keys and full blocks of 2,000
  transactions (the sparse Merkle tree's expected depth is log2 of the keys; the block's path is log2 of its
  transactions), as this machine cannot hold such a node.

Prints one JSON line.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from backend_client import NodeClient
from greencert.servers import BackgroundServer
from ledger.api import create_app
from ledger_lite import Claims, encode_payload
from ledger_lite.audit import AuditBundle, audit
from ledger_lite.verification import Trust
from tests.helpers.ledger_world import LedgerWorld, ManualClock

RUNS = 300
HASH = 32


def median_ms(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    samples.sort()
    return statistics.median(samples) * 1e3, samples[int(len(samples) * 0.99) - 1] * 1e3


def main() -> None:
    w = LedgerWorld()
    with tempfile.TemporaryDirectory() as tmp:
        node = w.open_node(Path(tmp) / "node", ManualClock())
        server = BackgroundServer(create_app(node), "127.0.0.1", 0).start()
        try:
            assets = [w.allocated_asset(node, n, 10_000) for n in range(4)]
            cid = w.commit(node, w.issue(assets))["result"]["certificate_id"]
            for n in range(4, 40):  # a few more blocks and keys
                w.new_asset(node, n)
            record = node.value(f"cert/{cid}")
            claims = Claims(cid=cid, chain=w.chain_id, h=record["height"], own="Consumer Ca", m=record["method"],
                            wh=record["wh"], ps=record["start"], pe=record["end"], inst=record["institution"],
                            iat=record["time"])
            payload = encode_payload(claims, w.intermediary)
            trust = Trust.from_registry(w.chain_id, node.registry())
            bundle = AuditBundle.fetch(node, cid)
            with NodeClient(server.url, timeout=10) as client:
                assert audit(payload, trust, node=client).verdict == "genuine"
                assert audit(payload, trust, bundle=bundle).verdict == "genuine"
                online = median_ms(lambda: audit(payload, trust, node=client))
            offline = median_ms(lambda: audit(payload, trust, bundle=bundle))
            signature = w.intermediary.sign(b"greencert bench message")
            public = w.intermediary.public
            verify_ms, _ = median_ms(lambda: public.verify(signature, b"greencert bench message"), runs=3000)
            state_proof = len(bundle.state["proof"]["siblings"]) * HASH + 2 * HASH + HASH  # siblings, bitmap, leaf
            inclusion = len(bundle.tx["proof"]["hashes"]) * HASH
            keys = len(node.state)
        finally:
            server.stop()
            node.close()
    # At 10 M keys the expected number of non-empty siblings on a path is about log2(10 M) + 1; a full block's
    # inclusion path is ⌈log2(2,000)⌉ hashes. Both plus the bitmap and the terminal leaf (path, value hash).
    at_10m = (math.ceil(math.log2(10_000_000)) + 1) * HASH + 3 * HASH + math.ceil(math.log2(2000)) * HASH
    print(json.dumps({
        "bench": "verification", "runs": RUNS,
        "offline_ms": {"p50": round(offline[0], 3), "p99": round(offline[1], 3)},
        "online_ms": {"p50": round(online[0], 3), "p99": round(online[1], 3)},
        "ed25519_verify_ms": round(verify_ms, 4),
        "offline_ratio": round(offline[0] / verify_ms, 1), "online_ratio": round(online[0] / verify_ms, 1),
        "goal_ms": {"offline": 10, "online": 100},
        "proof_bytes": {"state": state_proof, "inclusion": inclusion, "keys_in_state": keys},
        "proof_bytes_at_10M": at_10m, "goal_proof_bytes": 2048,
    }))


if __name__ == "__main__":
    main()
