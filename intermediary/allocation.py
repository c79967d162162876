"""The allocation rule (S86-S93): move each consumer's cumulative renewable share toward its target,
taking assets from its selectable providers, nearest expiry first. Pure functions: no I/O.

Time matching (issue 15, the EnergyTag granular-certificate practice): with ``time_matched``, the assets generated
inside the usage interval itself come first, then the seed's nearest-expiry order; the category choice (S88) is
the seed's either way."""

from __future__ import annotations

import bisect
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
    matched: bool = False  # generated inside the usage interval (time-matched)


def is_matched(asset: OpenAsset, usage_start: int, usage_end: int) -> bool:
    """Whether ``asset`` was generated inside the usage interval (a time-matched allocation)."""
    return usage_start <= asset.start and asset.end <= usage_end


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


def in_period(period_start: int | None, period_end: int | None, usage_start: int, usage_end: int) -> bool:
    """Whether a usage interval lies inside a consumer's period of use (S41-S48, Fig. 10A; end exclusive, None:
    open on that side)."""
    return (period_start is None or period_start <= usage_start) and (period_end is None or usage_end <= period_end)


def contract_at(providers: Iterable[str], target_pct: int, period: tuple[int | None, int | None], usage_start: int,
                usage_end: int) -> tuple[tuple[str, ...], int]:
    """The selectable providers and renewable target in force for one usage interval: the consumer's transaction
    contents inside its period of use; outside it, none (no contract: nothing is allocated, so no renewable)."""
    if in_period(*period, usage_start, usage_end):
        return tuple(providers), target_pct
    return (), 0


def choose_category(totals: Totals, target_pct: int, usage_wh: int) -> str:
    """S88: the category whose allocation brings the cumulative renewable share closest to the target."""
    total = totals.total_wh + usage_wh
    if total == 0:
        return "renewable" if target_pct > 0 else "fossil"
    # Compare |share - target| scaled by 100*total to stay in integers.
    with_renewable = abs(100 * (totals.renewable_wh + usage_wh) - target_pct * total)
    with_fossil = abs(100 * totals.renewable_wh - target_pct * total)
    return "renewable" if with_renewable <= with_fossil else "fossil"


def take(pool: Iterable[OpenAsset], want: int, usage: tuple[int, int]) -> list[Part]:
    """Up to ``want`` Wh from the assets in the order given (their remaining Wh goes down), as parts."""
    parts: list[Part] = []
    if want <= 0:  # not even the first asset is read: a paged pool asks for no page it does not need
        return parts
    for asset in pool:
        amount = min(asset.wh, want)
        if amount <= 0:
            continue
        asset.wh -= amount
        want -= amount
        parts.append(Part(asset.asset_id, amount, asset.method, asset.category, is_matched(asset, *usage)))
        if want == 0:
            break
    return parts


def _order(asset: OpenAsset) -> tuple[int, int, str]:
    return asset.expires, asset.start, asset.asset_id


def settle(totals: Totals, first: str, parts: list[Part], usage_wh: int) -> Decision:
    """The interval's decision, its parts added to the consumer's totals (S89)."""
    allocated = sum(p.wh for p in parts)
    totals.total_wh += allocated
    totals.renewable_wh += sum(p.wh for p in parts if p.category == "renewable")
    return Decision(category=first, parts=parts, unallocated_wh=usage_wh - allocated)


def allocate(assets: list[OpenAsset], *, providers: Iterable[str], totals: Totals, target_pct: int,
             usage_start: int, usage_end: int, usage_wh: int, now: int, time_matched: bool = False) -> Decision:
    """Decide the parts for one usage interval; mutates ``assets`` (remaining Wh) and ``totals``.

    Only assets produced by the end of the usage interval, unexpired at ``now`` and from the consumer's
    selectable providers are used (S90: nearest expiry first; with ``time_matched``, those generated inside the
    usage interval before all others). If the chosen category runs short, the rest comes from the other
    category; what neither covers stays unallocated.
    """
    allowed = set(providers)
    usage = (usage_start, usage_end)
    usable = sorted((a for a in assets if a.provider in allowed and a.end <= usage_end and a.expires > now
                     and a.wh > 0), key=_order)
    if time_matched:  # a stable sort: nearest expiry first within each of the two runs
        usable.sort(key=lambda a: not is_matched(a, *usage))
    first = choose_category(totals, target_pct, usage_wh)
    second = "fossil" if first == "renewable" else "renewable"
    parts = take((a for a in usable if a.category == first), usage_wh, usage)
    taken = sum(p.wh for p in parts)
    parts += take((a for a in usable if a.category == second), usage_wh - taken, usage)
    return settle(totals, first, parts, usage_wh)


# A page of one provider's open assets of one category in allocation order (nearest expiry, then production
# start, then id), after the given asset (None: from the first): ``load(provider, category, after)``; [] at the end.
PageLoader = Callable[[str, str, OpenAsset | None], list[OpenAsset]]
# The open assets that may be time-matched in this batch: every open asset generated inside the span of the
# batch's usage intervals (read once, when the first interval asks for them).
WindowLoader = Callable[[], list[OpenAsset]]


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

    With ``time_matched``, an interval first takes the assets generated inside it (``allocate(...,
    time_matched=True)``); a paged pool reads them with ``window()`` once, the assets generated inside the batch's
    span. An asset read twice (in the window and in a page) is one object: its remaining Wh is counted once.
    """

    def __init__(self, assets: Iterable[OpenAsset], now: int, *, time_matched: bool = False) -> None:
        self.now = now
        self.time_matched = time_matched
        self._known: dict[str, OpenAsset] = {}  # every asset read, by id: one object per asset
        self._lists: dict[tuple[str, str], list[OpenAsset]] = {}
        for asset in sorted((self._one(a) for a in assets if a.expires > now), key=_order):
            self._lists.setdefault((asset.provider, asset.category), []).append(asset)
        self._heads = dict.fromkeys(self._lists, 0)
        self._load: PageLoader | None = None
        self._last: dict[tuple[str, str], OpenAsset] = {}  # paged lists: the last asset read (next page after it)
        self._ended: set[tuple[str, str]] = set()  # paged lists whose last page has been read
        self._window_load: WindowLoader | None = None
        self._window: dict[tuple[str, str], tuple[list[int], list[OpenAsset]]] | None = None
        if time_matched:
            self._index(list(self._known.values()))

    @classmethod
    def paged(cls, now: int, load: PageLoader, window: WindowLoader | None = None) -> AssetPool:
        """A pool read from the node a page at a time; time-matched when given a ``window`` to read."""
        pool = cls((), now)
        pool._load = load
        if window is not None:
            pool.time_matched = True
            pool._window_load = window
        return pool

    def _one(self, asset: OpenAsset) -> OpenAsset:
        """The pool's object for this asset: the first one read (whose remaining Wh the batch has moved)."""
        return self._known.setdefault(asset.asset_id, asset)

    def _index(self, assets: list[OpenAsset]) -> None:
        """The window's assets per provider and category, ordered by generation start (bisected per interval)."""
        grouped: dict[tuple[str, str], list[OpenAsset]] = {}
        for asset in sorted(assets, key=lambda a: (a.start, *_order(a))):
            if asset.expires > self.now:
                grouped.setdefault((asset.provider, asset.category), []).append(asset)
        self._window = {key: ([a.start for a in listed], listed) for key, listed in grouped.items()}

    def _matched(self, providers: set[str], category: str, usage_start: int, usage_end: int) -> list[OpenAsset]:
        """The open assets of these providers and category generated inside the interval, nearest expiry first."""
        if self._window is None:
            self._index([self._one(a) for a in (self._window_load() if self._window_load else [])])
        assert self._window is not None
        found = []
        for provider in sorted(providers):
            starts, listed = self._window.get((provider, category), ([], []))
            for i in range(bisect.bisect_left(starts, usage_start), bisect.bisect_left(starts, usage_end)):
                if listed[i].end <= usage_end and listed[i].wh > 0:
                    found.append(listed[i])
        return sorted(found, key=_order)

    def _more(self, key: tuple[str, str]) -> bool:
        """Read the next page of a paged list; False if there is none (or the pool is not paged)."""
        if self._load is None or key in self._ended:
            return False
        page = self._load(key[0], key[1], self._last.get(key))
        if not page:
            self._ended.add(key)
            return False
        self._last[key] = page[-1]
        self._lists.setdefault(key, []).extend(self._one(a) for a in page if a.expires > self.now)
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

    def _usable(self, providers: set[str], category: str, usage_start: int, usage_end: int) -> Iterator[OpenAsset]:
        matched = self._matched(providers, category, usage_start, usage_end) if self.time_matched else []
        yield from matched
        ids = {a.asset_id for a in matched}
        runs = [self._walk((provider, category)) for provider in sorted(providers)]
        merged = runs[0] if len(runs) == 1 else heapq.merge(*runs, key=_order)  # heapq.merge([]) is empty
        yield from (a for a in merged if a.end <= usage_end and a.wh > 0 and a.asset_id not in ids)

    def usable(self, providers: Iterable[str], category: str, usage_start: int,
               usage_end: int) -> Iterator[OpenAsset]:
        """The open assets one interval may take of a category, in the order the pool takes them (read lazily)."""
        return self._usable(set(providers), category, usage_start, usage_end)

    def allocate(self, *, providers: Iterable[str], totals: Totals, target_pct: int, usage_start: int,
                 usage_end: int, usage_wh: int, now: int) -> Decision:
        """``allocate`` for one interval over the pool's assets (``now`` must be the pool's)."""
        if now != self.now:
            raise ValueError(f"this pool holds the assets open at {self.now}, not at {now}")
        allowed = set(providers)
        usage = (usage_start, usage_end)
        first = choose_category(totals, target_pct, usage_wh)
        second = "fossil" if first == "renewable" else "renewable"
        parts = take(self._usable(allowed, first, *usage), usage_wh, usage)
        taken = sum(p.wh for p in parts)
        parts += take(self._usable(allowed, second, *usage), usage_wh - taken, usage)
        return settle(totals, first, parts, usage_wh)
