"""The allocation rule (S86-S93): move each consumer's cumulative renewable share toward its target,
taking assets from its selectable providers, nearest expiry first. Pure functions: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class OpenAsset:
    asset_id: str
    provider: str
    method: str
    category: str
    start: int
    end: int
    expires: int
    wh: int  # still tradable


@dataclass(frozen=True)
class Part:
    asset_id: str
    wh: int
    method: str
    category: str


@dataclass
class Totals:
    """Cumulative Wh allocated to one consumer (Fig. 10B total transaction volume)."""

    renewable_wh: int = 0
    total_wh: int = 0


@dataclass
class Decision:
    category: str
    parts: list[Part] = field(default_factory=list)
    unallocated_wh: int = 0


def choose_category(totals: Totals, target_pct: int, usage_wh: int) -> str:
    """S88: the category whose allocation brings the cumulative renewable share closest to the target."""
    total = totals.total_wh + usage_wh
    if total == 0:
        return "renewable" if target_pct > 0 else "fossil"
    # Compare |share - target| scaled by 100*total to stay in integers.
    with_renewable = abs(100 * (totals.renewable_wh + usage_wh) - target_pct * total)
    with_fossil = abs(100 * totals.renewable_wh - target_pct * total)
    return "renewable" if with_renewable <= with_fossil else "fossil"


def _take(pool: Iterable[OpenAsset], want: int) -> list[Part]:
    parts = []
    for asset in pool:
        if want == 0:
            break
        amount = min(asset.wh, want)
        if amount <= 0:
            continue
        asset.wh -= amount
        want -= amount
        parts.append(Part(asset.asset_id, amount, asset.method, asset.category))
    return parts


def allocate(assets: list[OpenAsset], *, providers: Iterable[str], totals: Totals, target_pct: int,
             usage_start: int, usage_end: int, usage_wh: int, now: int) -> Decision:
    """Decide the parts for one usage interval; mutates ``assets`` (remaining Wh) and ``totals``.

    Only assets produced by the end of the usage interval, unexpired at ``now`` and from the consumer's
    selectable providers are used (S90: nearest expiry first). If the chosen category runs short, the rest
    comes from the other category; what neither covers stays unallocated.
    """
    allowed = set(providers)
    usable = sorted((a for a in assets if a.provider in allowed and a.end <= usage_end and a.expires > now
                     and a.wh > 0), key=lambda a: (a.expires, a.start, a.asset_id))
    first = choose_category(totals, target_pct, usage_wh)
    second = "fossil" if first == "renewable" else "renewable"
    parts = _take((a for a in usable if a.category == first), usage_wh)
    taken = sum(p.wh for p in parts)
    parts += _take((a for a in usable if a.category == second), usage_wh - taken)
    allocated = sum(p.wh for p in parts)
    totals.total_wh += allocated
    totals.renewable_wh += sum(p.wh for p in parts if p.category == "renewable")
    return Decision(category=first, parts=parts, unallocated_wh=usage_wh - allocated)
