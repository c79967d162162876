"""One usage interval's consumers allocated under the intermediary's rule (issue 15).

Rules (``Settings.allocation_rule``):

* ``seed`` — S86-S93 as the seed describes it: each consumer in turn (by id) toward its target, nearest expiry
  first;
* ``time_matched`` — the same, but the assets generated inside the usage interval come first;
* ``optimised`` — time-matched; and when the renewable supply the interval can use is short of what the seed rule
  would hand out, the renewable Wh are shared across all its consumers at once by the linear programme of
  ``intermediary.optimiser`` (least total shortfall against the targets, then max-min fair), each consumer's
  rest from fossil assets.

A consumer's *ask* of renewable Wh is what brings its cumulative share up to its target after this interval
(at most its usage). Pure: the pool is the only state it moves besides the consumers' totals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from intermediary.allocation import AssetPool, Decision, OpenAsset, Part, Totals, choose_category, settle, take
from intermediary.optimiser import Claim, share

RULES = ("seed", "time_matched", "optimised")


@dataclass(frozen=True)
class Request:
    """One consumer's reported usage interval (S81) and its contract (S86)."""

    consumer: str
    providers: tuple[str, ...]
    target_pct: int
    start: int
    end: int
    wh: int


def ask(totals: Totals, target_pct: int, usage_wh: int) -> int:
    """Renewable Wh that bring the cumulative share to the target (rounded up) after this interval, 0..usage."""
    wanted = -(-target_pct * (totals.total_wh + usage_wh) // 100) - totals.renewable_wh
    return max(0, min(usage_wh, wanted))


def allocate_interval(pool: AssetPool, requests: Sequence[Request], totals: Mapping[str, Totals], rule: str,
                      now: int) -> dict[str, Decision]:
    """Each request's decision (by consumer); the requests share one interval; ``now`` is the pool's. Mutates the
    pool and ``totals``."""
    if rule not in RULES:
        raise ValueError(f"expected an allocation rule in {', '.join(RULES)}, found {rule!r}")
    if len({(r.start, r.end) for r in requests}) > 1:
        raise ValueError("expected requests of one usage interval, found several intervals")
    if len({r.consumer for r in requests}) != len(requests):
        raise ValueError("expected one request per consumer in an interval")
    if rule != "seed" and not pool.time_matched:
        raise ValueError(f"the {rule} rule needs a time-matched pool")
    ordered = sorted(requests, key=lambda r: r.consumer)
    if rule == "optimised" and ordered:
        shared = _shared(pool, ordered, totals, now)
        if shared is not None:
            return shared
    return {r.consumer: pool.allocate(providers=r.providers, totals=totals[r.consumer], target_pct=r.target_pct,
                                      usage_start=r.start, usage_end=r.end, usage_wh=r.wh, now=now)
            for r in ordered}


def _shared(pool: AssetPool, requests: list[Request], totals: Mapping[str, Totals],
            now: int) -> dict[str, Decision] | None:
    """The optimised decisions, or None when the supply covers what the seed rule would take (no shortage)."""
    if now != pool.now:
        raise ValueError(f"this pool holds the assets open at {pool.now}, not at {now}")
    first = {r.consumer: choose_category(totals[r.consumer], r.target_pct, r.wh) for r in requests}
    greedy = sum(r.wh for r in requests if first[r.consumer] == "renewable")
    start, end = requests[0].start, requests[0].end
    union = sorted({p for r in requests for p in r.providers})
    supply: list[OpenAsset] = []
    found = 0
    for asset in pool.usable(union, "renewable", start, end):  # read only as far as the seed rule's demand
        supply.append(asset)
        found += asset.wh
        if found >= greedy:
            return None
    by_provider: dict[str, list[OpenAsset]] = {}
    for asset in supply:  # in the pool's order: time-matched first, then nearest expiry
        by_provider.setdefault(asset.provider, []).append(asset)
    claims = [Claim(r.consumer, ask(totals[r.consumer], r.target_pct, r.wh), frozenset(r.providers))
              for r in requests]
    shares = share(claims, {p: sum(a.wh for a in listed) for p, listed in by_provider.items()})
    usage = (start, end)
    decisions = {}
    for r in requests:
        parts: list[Part] = []
        for provider, wh in sorted(shares.get(r.consumer, {}).items()):
            parts += take(by_provider[provider], wh, usage)
        got = sum(p.wh for p in parts)
        parts += take(pool.usable(r.providers, "fossil", start, end), r.wh - got, usage)
        got = sum(p.wh for p in parts)
        parts += take(pool.usable(r.providers, "renewable", start, end), r.wh - got, usage)
        decisions[r.consumer] = settle(totals[r.consumer], first[r.consumer], _merged(parts), r.wh)
    return decisions


def _merged(parts: list[Part]) -> list[Part]:
    """One part per asset (a transaction names each asset once), in first-taken order."""
    merged: dict[str, Part] = {}
    for part in parts:
        known = merged.get(part.asset_id)
        merged[part.asset_id] = part if known is None else Part(part.asset_id, known.wh + part.wh, part.method,
                                                                part.category, part.matched)
    return list(merged.values())


def time_matched_wh(parts: Sequence[Part]) -> int:
    """Wh of the parts generated inside their usage interval."""
    return sum(p.wh for p in parts if p.matched)


__all__ = ["RULES", "Request", "allocate_interval", "ask", "time_matched_wh"]
