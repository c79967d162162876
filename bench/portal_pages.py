"""Benchmark: the phone portal's consumer pages for a consumer with a year of half-hourly history (issue 15, "The
phone side of the seed"), against the portal's log-in page (no database reads beyond the session) measured in the
same run.

An intermediary runs in this process (ASGI transport, no sockets: ``IntermediaryWorld`` with the portal's data).
Consumer Ca has ``--days`` days of half-hourly history rows (365: 17,520); a logged-in client then asks, in turn,
``GET /portal/allocations`` (30-day and half-hour charts from the history, the newest page of it),
``GET /portal/allocations?page=N`` (a page in the middle of the year), ``GET /portal/contents`` and
``GET /portal/`` (home). Baseline: ``GET /portal/login``. Prints one JSON line: p50 and p95 seconds of each, and
each p50 as a ratio to the baseline's p50.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from tests.helpers.portal import add_usage_history, portal_login, portal_world


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=365, help="days of half-hourly history (48 rows a day)")
    parser.add_argument("--runs", type=int, default=40, help="requests of each page")
    args = parser.parse_args()
    pages = {"allocations": "/portal/allocations", "allocations_mid_year": f"/portal/allocations?page={args.days // 2}",
             "contents": "/portal/contents", "home": "/portal/", "baseline_login_page": "/portal/login"}
    figures: dict[str, list[float]] = {name: [] for name in pages}
    with tempfile.TemporaryDirectory() as tmp:
        world = portal_world(Path(tmp))
        try:
            add_usage_history(world, days=args.days)
            reader, anonymous = world.http(), world.http(host="192.0.2.2")
            assert portal_login(reader, "ca").status_code == 303
            for _ in range(args.runs):
                for name, path in pages.items():
                    client = anonymous if name.startswith("baseline") else reader
                    started = time.perf_counter()
                    response = client.get(path)
                    figures[name].append(time.perf_counter() - started)
                    assert response.status_code == 200, (path, response.status_code)
                    world.clock.advance(1)  # the session stays alive (idle timeout) over the run
        finally:
            world.close()
    base = statistics.median(figures["baseline_login_page"])
    print(json.dumps({"bench": "portal_pages", "history_rows": args.days * 48, "runs": args.runs,
                      **{f"{name}_p50_s": round(statistics.median(v), 4) for name, v in figures.items()},
                      **{f"{name}_p95_s": round(p95(v), 4) for name, v in figures.items()},
                      **{f"{name}_p50_ratio_to_baseline": round(statistics.median(v) / base, 2)
                         for name, v in figures.items() if not name.startswith("baseline")}}))


if __name__ == "__main__":
    main()
