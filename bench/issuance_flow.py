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
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from greencert.demo import start_demo  # noqa: E402
from greencert.verify import verify  # noqa: E402


def timed(fn: Callable[[], object]) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo = start_demo(Path(tmp) / "demo", port=0, node_port=0, days=35, progress=lambda _: None)
        try:
            api = f"{demo.url}/api/v1"
            http = httpx.Client(timeout=60)
            figures: dict[str, list[float]] = {k: [] for k in ("baseline", "login", "list", "issue", "pdf", "verify")}
            for _ in range(args.runs):
                figures["baseline"].append(timed(lambda: http.get(f"{demo.node_url}/v1/status")))
                token = ""

                def login() -> None:
                    nonlocal token
                    token = http.post(f"{api}/sessions", json={"applicant_id": "demo", "password": "demo"}).json()[
                        "token"]

                figures["login"].append(timed(login))
                auth = {"Authorization": f"Bearer {token}"}
                items: list[dict[str, object]] = []
                figures["list"].append(timed(lambda: items.extend(
                    http.get(f"{api}/eligible-transactions", headers=auth).json()["items"])))
                open_rows = [i for i in items if not i["issued"]]
                if not open_rows:
                    break
                created: dict[str, str] = {}
                figures["issue"].append(timed(lambda: created.update(http.post(
                    f"{api}/certificates", headers=auth,
                    json={"item_ids": [open_rows[-1]["item_id"]], "type_id": "jp-green-council",
                          "idempotency_key": uuid.uuid4().hex}).json())))
                figures["pdf"].append(timed(lambda: http.get(f"{demo.url}{created['pdf_url']}", headers=auth)))
                trust = Path(tmp) / "trust.json"
                figures["verify"].append(timed(lambda: verify(created["payload"], node_url=demo.node_url,
                                                              offline=False, trust_cache=trust)))
            http.close()
        finally:
            demo.stop()
    medians = {k: statistics.median(v) for k, v in figures.items() if v}
    base = medians["baseline"]
    print(json.dumps({"bench": "issuance_flow", "runs": len(figures["issue"]),
                      **{f"{k}_median_s": round(v, 5) for k, v in medians.items()},
                      **{f"{k}_ratio": round(v / base, 1) for k, v in medians.items() if k != "baseline"}}))


if __name__ == "__main__":
    main()
