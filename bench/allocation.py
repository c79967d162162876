"""Benchmark: the allocation rules on the same month of demo-like data (issue 15).

The month is the demo's: ``field.profiles`` draws the half-hourly generation of the demo producers (solar Aa, wind
Aw, oil Ab) and the usage of the demo consumers (Ca, Cb; ``--extra-consumers N`` adds N more of the demo's kinds,
with targets from 30 to 90 %), as ``greencert demo`` sends them. Each reading becomes an open asset (expiring a
calendar month after its end, as on the ledger); each simulated day is one batch, as the demo's: the day's assets
arrive, then its usage intervals are allocated in time order through ``intermediary.interval_allocation`` with
each rule — ``seed`` (S86-S93, the baseline), ``time_matched`` and ``optimised`` — each on its own copy of the data.

Figures per rule: attainment per consumer at the month's end (gap = target % − renewable share of its usage, 0 if
above; mean and worst over consumers), the time-matched share of the allocated Wh (and of the renewable Wh),
Wh left unallocated, and the run time per interval (all consumers of one half hour); with ratios to the seed rule
measured in the same run. Then one interval of ``--consumers`` consumers (default 10,000) on a short supply: the
seed rule's time (issue goal: ≤ 2 s) and the optimiser's beside it.

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure the checkout this script is in

from field.profiles import generation_series, usage_series
from field.sites import DEMO_CONSUMERS, DEMO_PRODUCERS, Consumer, Producer
from intermediary.allocation import AssetPool, OpenAsset, Totals
from intermediary.interval_allocation import RULES, Request, allocate_interval, time_matched_wh
from ledger.rules.periods import add_month

DAY = 86_400
HALF_HOUR = 1_800
START = 1_774_969_200  # 2026-04-01 00:00 JST (a whole JST day, like the demo's period)


def consumers(extra: int) -> list[Consumer]:
    """The demo's consumers and ``extra`` more like them (office and shop, 30-90 % targets, all three providers)."""
    more = [Consumer(id=f"X{i:03d}", name_en=f"Consumer X{i:03d}", name_ja=f"需要家X{i:03d}",
                     profile="office" if i % 2 else "shop", renewable_target_pct=30 + (i * 13) % 61,
                     providers=("Aa", "Aw", "Ab"), capacity_w=40_000 + 20_000 * (i % 7),
                     latitude=35.68, longitude=139.69) for i in range(extra)]
    return [*DEMO_CONSUMERS, *more]


def month(producers: list[Producer], users: list[Consumer], days: int) -> tuple[list[OpenAsset], dict[str, list[int]]]:
    intervals = days * DAY // HALF_HOUR
    assets = []
    for p in producers:
        for i, wh in enumerate(generation_series(p, START, intervals)):
            if wh > 0:
                start = START + i * HALF_HOUR
                assets.append(OpenAsset(f"{p.id}-{i:05d}", p.id, p.method, p.category, start, start + HALF_HOUR,
                                        add_month(start + HALF_HOUR), wh))
    return assets, {c.id: usage_series(c, START, intervals) for c in users}


def run(rule: str, assets: list[OpenAsset], usage: dict[str, list[int]], users: list[Consumer],
        days: int) -> dict[str, Any]:
    """One rule over the month, a batch per day (a fresh pool of the open assets, as the service's batches)."""
    assets = copy.deepcopy(assets)
    totals = {c.id: Totals() for c in users}
    used = dict.fromkeys(totals, 0)
    matched = matched_renewable = renewable = allocated = unallocated = 0
    seconds: list[float] = []
    for day in range(days):
        now = START + (day + 1) * DAY  # the demo's clock: the day's end, its readings on the ledger
        pool = AssetPool([a for a in assets if a.start < now and a.wh > 0], now, time_matched=rule != "seed")
        for slot in range(DAY // HALF_HOUR):
            i = day * DAY // HALF_HOUR + slot
            start = START + i * HALF_HOUR
            requests = [Request(c.id, c.providers, c.renewable_target_pct, start, start + HALF_HOUR, usage[c.id][i])
                        for c in users]
            began = time.perf_counter()
            decisions = allocate_interval(pool, requests, totals, rule, now)
            seconds.append(time.perf_counter() - began)
            for r in requests:
                parts = decisions[r.consumer].parts
                used[r.consumer] += r.wh
                matched += time_matched_wh(parts)
                matched_renewable += sum(p.wh for p in parts if p.matched and p.category == "renewable")
                renewable += sum(p.wh for p in parts if p.category == "renewable")
                allocated += sum(p.wh for p in parts)
                unallocated += decisions[r.consumer].unallocated_wh
    gaps = [max(0.0, c.renewable_target_pct - 100 * totals[c.id].renewable_wh / used[c.id]) for c in users
            if used[c.id]]
    return {"mean_gap_pct": round(statistics.mean(gaps), 3), "worst_gap_pct": round(max(gaps), 3),
            "time_matched_share": round(matched / allocated, 4) if allocated else 0.0,
            "time_matched_renewable_share": round(matched_renewable / renewable, 4) if renewable else 0.0,
            "unallocated_wh": unallocated, "ms_per_interval": round(1000 * statistics.mean(seconds), 4)}


def one_big_interval(count: int) -> dict[str, Any]:
    """``count`` consumers in one half hour, 50 renewable and 10 fossil providers (each consumer may use 3 and 1),
    the renewable supply about half of what the seed rule would hand out: the seed rule's time and the
    optimiser's, and how many consumers each leaves without renewable Wh."""
    now = START + DAY
    start = now - HALF_HOUR
    assets = [OpenAsset(f"r{p}-{k}", f"R{p}", "solar", "renewable", start - k * HALF_HOUR, start - (k - 1) * HALF_HOUR,
                        now + DAY - k, 800 + 37 * ((p * 7 + k) % 13)) for p in range(50) for k in range(4)]
    assets += [OpenAsset(f"f{p}", f"F{p}", "oil", "fossil", start, now, now + DAY, 10**9) for p in range(10)]
    requests = [Request(f"c{i:05d}", (f"R{i % 50}", f"R{(i * 7 + 1) % 50}", f"R{(i * 13 + 2) % 50}", f"F{i % 10}"),
                        40 + i % 50, start, now, 400 + (i * 37) % 300) for i in range(count)]
    supply = sum(a.wh for a in assets if a.category == "renewable")
    figures: dict[str, Any] = {"consumers": count, "renewable_supply_wh": supply,
                               "asked_wh": sum(r.wh for r in requests)}
    for rule in ("seed", "optimised"):
        pool = AssetPool(copy.deepcopy(assets), now, time_matched=rule != "seed")
        totals = {r.consumer: Totals() for r in requests}
        began = time.perf_counter()
        decisions = allocate_interval(pool, requests, totals, rule, now)
        figures[f"{rule}_s"] = round(time.perf_counter() - began, 4)
        got = {r.consumer: sum(p.wh for p in decisions[r.consumer].parts if p.category == "renewable")
               for r in requests}
        figures[f"{rule}_consumers_given_no_renewable"] = sum(1 for wh in got.values() if wh == 0)
        figures[f"{rule}_renewable_wh"] = sum(got.values())
    figures["optimised_over_seed_time"] = round(figures["optimised_s"] / figures["seed_s"], 2)
    figures["goal_seed_s"] = 2.0
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30, help="simulated days (default 30: the demo's month)")
    parser.add_argument("--extra-consumers", type=int, default=0, help="consumers beside Ca and Cb (default 0)")
    parser.add_argument("--consumers", type=int, default=10_000,
                        help="consumers in the one-interval measurement (default 10,000; 0 skips it)")
    args = parser.parse_args(argv)
    if args.days < 1 or args.extra_consumers < 0 or args.consumers < 0:
        parser.error("expected --days ≥ 1, --extra-consumers ≥ 0 and --consumers ≥ 0")
    users = consumers(args.extra_consumers)
    assets, usage = month(list(DEMO_PRODUCERS), users, args.days)
    figures = {rule: run(rule, assets, usage, users, args.days) for rule in RULES}
    seed = figures["seed"]

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 3) if b else None

    print(json.dumps({
        "days": args.days, "consumers": len(users), "rules": figures,
        "over_seed": {rule: {"mean_gap": ratio(f["mean_gap_pct"], seed["mean_gap_pct"]),
                             "worst_gap": ratio(f["worst_gap_pct"], seed["worst_gap_pct"]),
                             "time_matched_share": ratio(f["time_matched_share"], seed["time_matched_share"]),
                             "ms_per_interval": ratio(f["ms_per_interval"], seed["ms_per_interval"])}
                      for rule, f in figures.items() if rule != "seed"},
        "one_interval": one_big_interval(args.consumers) if args.consumers else None,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
