"""Drive the field: producers' meters post readings to the ledger (S62) and consumers' meters post usage to
the intermediary (S81), day by day, for a span of simulated time."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from backend_client import ClientError, IntermediaryClient, NodeClient
from field.errors import Error
from field.meter import SmartMeter, registered_intermediary
from field.profiles import generation_series, usage_series
from field.sites import Consumer, Producer
from ledger_lite import SigningKey
from ledger_lite.certificate import INTERVAL_S

DAY = 86400


@dataclass
class DayReport:
    day_start: int
    readings_ok: int
    readings_failed: int
    usage_allocated: int
    usage_other: int


def simulate(node: NodeClient, intermediary: IntermediaryClient, *, chain_id: str, owner: str,
             producers: Sequence[Producer], consumers: Sequence[Consumer], meter_keys: Mapping[str, SigningKey],
             start: int, days: int, seed: int = 7,
             before_day: Callable[[int], None] | None = None,
             progress: Callable[[DayReport], None] | None = None) -> list[DayReport]:
    """Send ``days`` days of half-hourly data starting at ``start`` (aligned to 30 minutes), each site's
    readings signed with ``meter_keys[site.id]``. Each day a producer's readings go to the intermediary its meter's
    registry entry names (S21-S25, read from the node that day), or to ``owner`` when it names none.

    ``before_day(day_end)`` lets an embedded demo move its simulated ledger clock to the end of the day
    before the day's readings arrive.
    """
    if start % INTERVAL_S:
        raise Error(f"expected a start aligned to 30 minutes, found {start}")
    sites: tuple[Producer | Consumer, ...] = (*producers, *consumers)
    missing = [s.id for s in sites if s.id not in meter_keys]
    if missing:
        raise Error(f"expected a meter key for every site, found none for {', '.join(missing)}")
    intervals = days * DAY // INTERVAL_S
    generation = {p.id: generation_series(p, start, intervals, seed=seed) for p in producers}
    usage = {c.id: usage_series(c, start, intervals, seed=seed) for c in consumers}
    meters = {s.id: SmartMeter(s, chain_id, meter_keys[s.id]) for s in sites}
    reports: list[DayReport] = []
    per_day = DAY // INTERVAL_S
    for day in range(days):
        day_start = start + day * DAY
        if before_day is not None:
            before_day(day_start + DAY)
        span = range(day * per_day, (day + 1) * per_day)
        registry = node.registry() if producers else []
        owners = {p.id: registered_intermediary(registry, meters[p.id].address) or owner for p in producers}
        readings = [meters[p.id].reading_tx(start + i * INTERVAL_S, generation[p.id][i], owners[p.id])
                    for p in producers for i in span if generation[p.id][i] > 0]
        outcomes = node.submit_batch(readings, wait=True) if readings else []
        ok = sum(1 for o in outcomes if o.get("code") == "ok")
        usage_txs = [meters[c.id].usage_tx(start + i * INTERVAL_S, usage[c.id][i]).encode().hex()
                     for c in consumers for i in span]
        try:
            results = intermediary.usage_reports(usage_txs)
        except ClientError as exc:
            raise Error(f"the intermediary refused the usage reports of day {day + 1}: {exc}") from exc
        allocated = sum(1 for r in results if r.status == "allocated")
        report = DayReport(day_start, ok, len(outcomes) - ok, allocated, len(results) - allocated)
        reports.append(report)
        if progress is not None:
            progress(report)
    return reports
