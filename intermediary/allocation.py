"""The allocation rule (S86-S93): move each consumer's cumulative renewable share toward its target,
taking assets from its selectable providers, nearest expiry first. Pure functions: no I/O."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
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
    parts: list[Part] = []
    if want <= 0:  # not even the first asset is read: a paged pool asks for no page it does not need
        return parts
    for asset in pool:
        amount = min(asset.wh, want)
        if amount <= 0:
            continue
        asset.wh -= amount
        want -= amount
        parts.append(Part(asset.asset_id, amount, asset.method, asset.category))
        if want == 0:
            break
    return parts


def _order(asset: OpenAsset) -> tuple[int, int, str]:
    return asset.expires, asset.start, asset.asset_id


def _settle(totals: Totals, first: str, parts: list[Part], usage_wh: int) -> Decision:
    allocated = sum(p.wh for p in parts)
    totals.total_wh += allocated
    totals.renewable_wh += sum(p.wh for p in parts if p.category == "renewable")
    return Decision(category=first, parts=parts, unallocated_wh=usage_wh - allocated)


def allocate(assets: list[OpenAsset], *, providers: Iterable[str], totals: Totals, target_pct: int,
             usage_start: int, usage_end: int, usage_wh: int, now: int) -> Decision:
    """Decide the parts for one usage interval; mutates ``assets`` (remaining Wh) and ``totals``.

    Only assets produced by the end of the usage interval, unexpired at ``now`` and from the consumer's
    selectable providers are used (S90: nearest expiry first). If the chosen category runs short, the rest
    comes from the other category; what neither covers stays unallocated.
    """
    allowed = set(providers)
    usable = sorted((a for a in assets if a.provider in allowed and a.end <= usage_end and a.expires > now
                     and a.wh > 0), key=_order)
    first = choose_category(totals, target_pct, usage_wh)
    second = "fossil" if first == "renewable" else "renewable"
    parts = _take((a for a in usable if a.category == first), usage_wh)
    taken = sum(p.wh for p in parts)
    parts += _take((a for a in usable if a.category == second), usage_wh - taken)
    return _settle(totals, first, parts, usage_wh)


# A page of one provider's open assets of one category in allocation order (nearest expiry, then production
# start, then id), after the given asset (None: from the first): ``load(provider, category, after)``; [] at the end.
PageLoader = Callable[[str, str, OpenAsset | None], list[OpenAsset]]


class AssetPool:
    """The open assets of one batch, for many intervals: ``pool.allocate(...)`` decides exactly as
    ``allocate(assets, ...)`` would over the same list, at a cost that does not grow with the number of open
    assets (issue #17: a year's open assets were filtered and sorted again for every half hour).

    The assets are kept per provider and category in allocation order (nearest expiry first); an interval merges
    its selectable providers' lists in that order and stops as soon as it is covered. Used-up assets at the front
    of a list are dropped for good (remaining Wh only ever goes down).

    ``AssetPool(assets, now)`` sorts a list it is given; ``AssetPool.paged(now, load)`` asks ``load`` for each
    list a page at a time, only as far as the intervals walk it, so a batch reads about the assets it uses, not
    every open asset the intermediary holds (a month of surplus).
    """

    def __init__(self, assets: Iterable[OpenAsset], now: int) -> None:
        self.now = now
        self._lists: dict[tuple[str, str], list[OpenAsset]] = {}
        for asset in sorted((a for a in assets if a.expires > now), key=_order):
            self._lists.setdefault((asset.provider, asset.category), []).append(asset)
        self._heads = dict.fromkeys(self._lists, 0)
        self._load: PageLoader | None = None
        self._last: dict[tuple[str, str], OpenAsset] = {}  # paged lists: the last asset read (next page after it)
        self._ended: set[tuple[str, str]] = set()  # paged lists whose last page has been read

    @classmethod
    def paged(cls, now: int, load: PageLoader) -> AssetPool:
        pool = cls((), now)
        pool._load = load
        return pool

    def _more(self, key: tuple[str, str]) -> bool:
        """Read the next page of a paged list; False if there is none (or the pool is not paged)."""
        if self._load is None or key in self._ended:
            return False
        page = self._load(key[0], key[1], self._last.get(key))
        if not page:
            self._ended.add(key)
            return False
        self._last[key] = page[-1]
        self._lists.setdefault(key, []).extend(a for a in page if a.expires > self.now)
        self._heads.setdefault(key, 0)
        return True

    def _walk(self, key: tuple[str, str]) -> Iterator[OpenAsset]:
        listed = self._lists.get(key, [])
        head = self._heads.get(key, 0)
        while True:
            while head < len(listed) and listed[head].wh <= 0:
                head += 1
            self._heads[key] = head
            if head < len(listed) or not self._more(key):
                break
            listed = self._lists[key]
        i = head
        while True:
            while i < len(listed):
                yield listed[i]
                i += 1
            if not self._more(key):
                return
            listed = self._lists[key]

    def _usable(self, providers: set[str], category: str, usage_end: int) -> Iterator[OpenAsset]:
        runs = [self._walk((provider, category)) for provider in sorted(providers)]
        merged = runs[0] if len(runs) == 1 else heapq.merge(*runs, key=_order)  # heapq.merge([]) is empty
        return (a for a in merged if a.end <= usage_end and a.wh > 0)

    def allocate(self, *, providers: Iterable[str], totals: Totals, target_pct: int, usage_start: int,
                 usage_end: int, usage_wh: int, now: int) -> Decision:
        """``allocate`` for one interval over the pool's assets (``now`` must be the pool's)."""
        if now != self.now:
            raise ValueError(f"this pool holds the assets open at {self.now}, not at {now}")
        allowed = set(providers)
        first = choose_category(totals, target_pct, usage_wh)
        second = "fossil" if first == "renewable" else "renewable"
        parts = _take(self._usable(allowed, first, usage_end), usage_wh)
        taken = sum(p.wh for p in parts)
        parts += _take(self._usable(allowed, second, usage_end), usage_wh - taken)
        return _settle(totals, first, parts, usage_wh)
