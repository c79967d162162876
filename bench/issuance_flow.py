"""Benchmark: the applicant's path through a running embedded demo, against a plain HTTP round trip.

Prints one JSON line: median seconds of log-in, eligible list, issuance (POST /certificates: ledger commit
included), PDF and online verification, and as baseline the median of ``GET /v1/status`` on the same node in
the same run; each figure also as a ratio to that baseline (machines here are noisy).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from greencert.demo import start_demo
from greencert.verify import verify


class Stopwatch:
    def __init__(self) -> None:
        self.figures: dict[str, list[float]] = {}
        self._began = 0.0

    def start(self) -> None:
        self._began = time.perf_counter()

    def stop(self, name: str) -> None:
        self.figures.setdefault(name, []).append(time.perf_counter() - self._began)


def one_run(http: httpx.Client, demo_url: str, node_url: str, trust: Path, watch: Stopwatch) -> bool:
    api = f"{demo_url}/api/v1"
    watch.start()
    http.get(f"{node_url}/v1/status")
    watch.stop("baseline")
    watch.start()
    token = http.post(f"{api}/sessions", json={"applicant_id": "demo", "password": "demo"}).json()["token"]
    watch.stop("login")
    auth = {"Authorization": f"Bearer {token}"}
    watch.start()
    items = http.get(f"{api}/eligible-transactions", headers=auth).json()["items"]
    watch.stop("list")
    open_rows = [i for i in items if not i["issued"]]
    if not open_rows:
        return False
    watch.start()
    created = http.post(f"{api}/certificates", headers=auth,
                        json={"item_ids": [open_rows[-1]["item_id"]], "type_id": "jp-green-council",
                              "idempotency_key": uuid.uuid4().hex}).json()
    watch.stop("issue")
    watch.start()
    http.get(f"{demo_url}{created['pdf_url']}", headers=auth)
    watch.stop("pdf")
    watch.start()
    verify(created["payload"], node_url=node_url, offline=False, trust_cache=trust)
    watch.stop("verify")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="at most this many issuances (one per open row)")
    args = parser.parse_args()
    watch = Stopwatch()
    with tempfile.TemporaryDirectory() as tmp:
        demo = start_demo(Path(tmp) / "demo", port=0, node_port=0, days=35, progress=lambda _: None)
        try:
            with httpx.Client(timeout=60) as http:
                for _ in range(args.runs):
                    if not one_run(http, demo.url, demo.node_url, Path(tmp) / "trust.json", watch):
                        break
        finally:
            demo.stop()
    medians = {k: statistics.median(v) for k, v in watch.figures.items()}
    base = medians["baseline"]
    print(json.dumps({"bench": "issuance_flow", "runs": len(watch.figures.get("issue", [])),
                      **{f"{k}_median_s": round(v, 5) for k, v in medians.items()},
                      **{f"{k}_ratio": round(v / base, 1) for k, v in medians.items() if k != "baseline"}}))


if __name__ == "__main__":
    main()
