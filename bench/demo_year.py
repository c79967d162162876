"""Benchmark: building the embedded demo over ``--days`` simulated days (issue #17), and whether the cost per
simulated day stays flat as history accumulates.

The demo is built in-process (``greencert.demo.start_demo`` on free ports in a temporary directory). Every day of
meter data goes through ``field.simulator.simulate``; a day is timed from its ``before_day`` call to its
``progress`` report, so a day's time is its readings on the node plus its usage reports allocated by the
intermediary (not the profiles ``simulate`` draws up front, nor the seed-003 neighbourhood's trading over the
last days, which runs between ``simulate`` calls).

Prints one JSON line: seconds per simulated day over the first 5 days and the last 26 days, their ratio (goal:
≤ 1.2), the same in CPU seconds of this process (every thread: node, intermediary and field simulator run in it;
less disturbed by other programs on a shared machine than wall time), the whole build time (goal: ≤ 120 s for
365 days), and as a baseline measured in the same run the time of one day's replay on a fresh one-day demo.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

import greencert.demo as demo_module
from field.simulator import DayReport


class DayTimer:
    """Wraps ``simulate`` as the demo calls it, recording each simulated day's seconds."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.cpu_seconds: list[float] = []  # the process's CPU time (every thread: node, intermediary, field)
        self._original = demo_module.simulate

    def __enter__(self) -> DayTimer:
        demo_module.simulate = self._simulate  # type: ignore[assignment]
        return self

    def __exit__(self, *_: object) -> None:
        demo_module.simulate = self._original

    def _simulate(self, *args: Any, progress: Callable[[DayReport], None] | None = None,
                  before_day: Callable[[int], None] | None = None, **kwargs: Any) -> list[DayReport]:
        # A day runs from its ``before_day`` call (after ``simulate`` has drawn every day's profiles up front)
        # to its progress report.
        began, began_cpu = time.perf_counter(), time.process_time()

        def day_begins(day_end: int) -> None:
            nonlocal began, began_cpu
            began, began_cpu = time.perf_counter(), time.process_time()
            if before_day is not None:
                before_day(day_end)

        def timed(day: DayReport) -> None:
            self.seconds.append(time.perf_counter() - began)
            self.cpu_seconds.append(time.process_time() - began_cpu)
            if progress is not None:
                progress(day)

        return self._original(*args, progress=timed, before_day=day_begins, **kwargs)


def build(days: int, quiet: bool) -> tuple[float, list[float], list[float]]:
    """Build a demo of ``days`` days in a fresh directory: (whole build seconds, seconds per simulated day, CPU
    seconds per simulated day)."""
    def say(line: str) -> None:
        if not quiet:
            print(line, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="demo-year-") as tmp, DayTimer() as timer:
        began = time.perf_counter()
        demo = demo_module.start_demo(Path(tmp), port=0, node_port=0, days=days, progress=say)
        elapsed = time.perf_counter() - began
        demo.stop()
    return elapsed, timer.seconds, timer.cpu_seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365, help="simulated days in the demo (default 365)")
    parser.add_argument("--baseline-runs", type=int, default=3,
                        help="fresh one-day demos whose single day's replay is the baseline (median; default 3)")
    parser.add_argument("--quiet", action="store_true", help="no demo progress on stderr")
    args = parser.parse_args(argv)
    if args.days < 6:
        parser.error("--days must be at least 6 (the first 5 days are compared with the last ones)")

    baseline = statistics.median(build(1, True)[1][0] for _ in range(max(1, args.baseline_runs)))
    total, per_day, cpu_per_day = build(args.days, args.quiet)
    tail = min(26, len(per_day) - 5)
    first_s, last_s = statistics.mean(per_day[:5]), statistics.mean(per_day[-tail:])
    first_cpu, last_cpu = statistics.mean(cpu_per_day[:5]), statistics.mean(cpu_per_day[-tail:])
    print(json.dumps({
        "days": args.days,
        "days_timed": len(per_day),
        "first5_s_per_day": round(first_s, 4),
        "last26_s_per_day": round(last_s, 4),
        "last_over_first": round(last_s / first_s, 3),
        "goal_ratio": 1.2,
        "first5_cpu_s_per_day": round(first_cpu, 4),
        "last26_cpu_s_per_day": round(last_cpu, 4),
        "cpu_last_over_first": round(last_cpu / first_cpu, 3),
        "build_s": round(total, 1),
        "goal_build_s_365": 120,
        "replayed_s": round(sum(per_day), 1),
        "max_day_s": round(max(per_day), 4),
        "baseline_fresh_day_s": round(baseline, 4),
        "last26_over_baseline": round(last_s / baseline, 3),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
