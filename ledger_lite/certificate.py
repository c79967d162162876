"""The rows of an eligible-transaction list (S505-S510): one rule for the intermediary and the direct-mode kiosk.

A consumer's allocated assets (``GET /v1/assets`` entries: ``id``, ``start``, ``end``, ``wh``, ``method``,
``trade``, ``cert``) become rows a person can read and select. Uncertified assets are grouped per calendar month
(JST) and production method; a group of more than ``CHUNK`` assets (one issuance transaction must stay under
64 KiB) is split into the fewest rows that fit, cut at JST midnight wherever a cut there is possible, and balanced
so that no row is a tiny leftover (issue #10, item 9). Only a day of more than ``CHUNK`` assets is cut inside
the day, between half-hours; such a row's period does not start or end at 00:00 JST. Certified assets are one
greyed row per certificate. A row's ``item_id`` is a hash of its asset ids, so a row whose assets did not change
keeps its id.

Order (item 10): newest month first; within a month renewable methods before nuclear before fossil; then newest
period first.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from itertools import groupby, pairwise
from typing import Any

from ledger_lite.errors import Error
from ledger_lite.merkle import merkle_root
from ledger_lite.tx import MAX_TX_BYTES

INTERVAL_S = 1800  # S62/S81: meters report every 30 minutes; a reading covers one such interval
JST = timedelta(hours=9)  # the demo market's time zone (Japan): months and days of the list are JST
JST_ZONE = timezone(JST, "JST")
DAY = 86_400
PROFILE_MAX_SLOTS = 24 * 2 * 400  # a certificate's chart covers at most ~400 days of half-hours
# Size limits of one certificate, from the transaction size limit (S205: one certificate is one ``cert.issue``).
ASSET_ID_BYTES = 66  # one asset id in a cert.issue body: 64 hex characters as CBOR text (a 2-byte head)
TX_ROOM_BYTES = 4096  # the rest of an issuance transaction: envelope, keys, signature, owner, institution
# Asset ids per row and per issuance transaction: the round hundred that fits MAX_TX_BYTES with that room (900).
CHUNK = (MAX_TX_BYTES - TX_ROOM_BYTES) // ASSET_ID_BYTES // 100 * 100
MAX_ROWS = 50  # rows (item ids) one issuance request may select: what a person can check on one screen
# The ledger rule's bound on the count of asset ids in one cert.issue, whatever their length (it bounds the state
# reads of one transaction); with real ids MAX_TX_BYTES binds first, at MAX_TX_BYTES // ASSET_ID_BYTES (992).
MAX_CERT_ASSETS = 1500

RENEWABLE = ("solar", "wind", "hydro", "biomass", "geothermal", "solar_thermal", "atmospheric_heat")
FOSSIL = ("oil", "coal", "lng")
NUCLEAR = ("nuclear",)
CATEGORY_ORDER = ("renewable", "nuclear", "fossil")  # the order rows of one month are listed in
METHOD_CATEGORY: dict[str, str] = {
    **{m: "renewable" for m in RENEWABLE}, **{m: "fossil" for m in FOSSIL}, **{m: "nuclear" for m in NUCLEAR}
}

Asset = Mapping[str, Any]


def category_of(method: str) -> str:
    """``"renewable"``, ``"fossil"`` or ``"nuclear"``; ``""`` for a method this version does not know."""
    return METHOD_CATEGORY.get(method, "")


def month_key(ts: int) -> str:
    """``"2026-11"``: the JST calendar month of Unix time ``ts``."""
    return (datetime.fromtimestamp(ts, UTC) + JST).strftime("%Y-%m")


def jst_day(ts: int) -> int:
    """Days since 1970-01-01 in JST."""
    return (ts + int(JST.total_seconds())) // DAY


def assets_root(asset_ids: Iterable[str]) -> bytes:
    """The root a certificate's ledger record commits to over its assets (``assets_root``): RFC 6962 over the
    ids' raw bytes in sorted order. ``ValueError`` for an id that is not hex."""
    return merkle_root([bytes.fromhex(a) for a in sorted(asset_ids)])


def item_id_of(asset_ids: Iterable[str]) -> str:
    """The id of the row of these assets (order does not matter)."""
    return hashlib.sha256("\n".join(sorted(asset_ids)).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class RowGroup:
    """One row of the list with the assets it stands for (sorted by start, then id)."""

    assets: tuple[Asset, ...]
    certificate_id: str | None

    @property
    def item_id(self) -> str:
        return item_id_of(str(a["id"]) for a in self.assets)

    @property
    def period_start(self) -> int:
        return min(int(a["start"]) for a in self.assets)

    @property
    def period_end(self) -> int:
        return max(int(a["end"]) for a in self.assets)

    @property
    def production_method(self) -> str:
        return str(self.assets[0]["method"])

    @property
    def category(self) -> str:
        return category_of(self.production_method)

    @property
    def amount_wh(self) -> int:
        return sum(int(a["wh"]) for a in self.assets)

    @property
    def issued(self) -> bool:
        return self.certificate_id is not None


def allocated(assets: Iterable[Asset]) -> list[Asset]:
    """The assets allocated to the owner (``trade`` "completed")."""
    return [a for a in assets if a.get("trade") == "completed"]


def as_of(assets: Iterable[Asset]) -> int | None:
    """The end of the newest allocation considered (Unix seconds): the list shows allocations up to then."""
    ends = [int(a["end"]) for a in allocated(assets)]
    return max(ends) if ends else None


def group_rows(assets: Iterable[Asset]) -> list[RowGroup]:
    """The rows of the owner's allocated assets, in the order the list shows them."""
    open_groups: dict[tuple[str, str], list[Asset]] = defaultdict(list)
    certified: dict[str, list[Asset]] = defaultdict(list)
    for asset in allocated(assets):
        if asset.get("cert"):
            certified[str(asset["cert"])].append(asset)
        else:
            open_groups[(month_key(int(asset["start"])), str(asset["method"]))].append(asset)
    rows = [RowGroup(tuple(_sorted(group)), cid) for cid, group in certified.items()]
    for _, group in sorted(open_groups.items()):
        rows += [RowGroup(tuple(piece), None) for piece in split_group(_sorted(group))]
    rows.sort(key=_display_order)
    return rows


def _sorted(group: Iterable[Asset]) -> list[Asset]:
    return sorted(group, key=lambda a: (int(a["start"]), str(a["id"])))


def _display_order(row: RowGroup) -> tuple[int, int, int, str, bool]:
    month = datetime.fromtimestamp(row.period_start, UTC) + JST
    category = row.category
    rank = CATEGORY_ORDER.index(category) if category in CATEGORY_ORDER else len(CATEGORY_ORDER)
    return -(month.year * 12 + month.month), rank, -row.period_start, row.production_method, row.issued


def split_group(group: Sequence[Asset], chunk: int = CHUNK) -> list[list[Asset]]:
    """Cut one month × method of assets (sorted by start) into the fewest pieces of at most ``chunk``.

    Each cut falls at JST midnight when one there leaves the rest still fitting the remaining pieces, else
    between two half-hours of a day too large for one piece; among those, the cut nearest an even share of
    what is left is taken, so the pieces are balanced and none is a tiny leftover.
    """
    if len(group) <= chunk:
        return [list(group)]
    units, days = _units(group, chunk)
    sizes = [len(unit) for unit in units]
    cuts = [0]
    left = _pieces_needed(sizes, 0, chunk)
    while left > 1:
        start = cuts[-1]
        target = sum(sizes[start:]) / left
        best: tuple[tuple[bool, float], int] | None = None
        size = 0
        for cut in range(start + 1, len(units)):
            size += sizes[cut - 1]
            if size > chunk:
                break
            if _pieces_needed(sizes, cut, chunk) > left - 1:
                continue
            score = (days[cut - 1] == days[cut], abs(size - target))  # midnight first, then balance
            if best is None or score < best[0]:
                best = (score, cut)
        if best is None:  # cannot happen: the greedy cut is always a candidate
            raise AssertionError(f"no cut found after unit {start} of {len(units)}")
        cuts.append(best[1])
        left -= 1
    bounds = [*cuts, len(units)]
    return [[a for unit in units[i:j] for a in unit] for i, j in pairwise(bounds)]


def _units(group: Sequence[Asset], chunk: int) -> tuple[list[list[Asset]], list[int]]:
    """What a cut may not divide: a JST day, or, of a day of more than ``chunk`` assets, a half-hour (a
    half-hour of more than ``chunk`` assets in pieces of ``chunk``); with each unit's JST day."""
    units: list[list[Asset]] = []
    days: list[int] = []
    for day, in_day in groupby(group, key=lambda a: jst_day(int(a["start"]))):
        assets = list(in_day)
        if len(assets) <= chunk:
            units.append(assets)
            days.append(day)
            continue
        for _, in_slot in groupby(assets, key=lambda a: int(a["start"])):
            slot = list(in_slot)
            for i in range(0, len(slot), chunk):
                units.append(slot[i:i + chunk])
                days.append(day)
    return units, days


def _pieces_needed(sizes: Sequence[int], start: int, chunk: int) -> int:
    """The fewest pieces of at most ``chunk`` that ``sizes[start:]`` packs into, in order (greedy is optimal)."""
    pieces, filled = 0, chunk
    for size in sizes[start:]:
        if filled + size > chunk:
            pieces, filled = pieces + 1, 0
        filled += size
    return pieces


def half_hour_profile(assets: Iterable[tuple[int, int]], start: int, end: int) -> tuple[int, ...]:
    """Wh per half-hour of ``[start, end)`` from ``(asset start, Wh)`` pairs: the chart a certificate prints (the
    intermediary's and the direct-mode kiosk's documents draw the same one). At most ``PROFILE_MAX_SLOTS``."""
    slots = min(max(1, (end - start) // INTERVAL_S), PROFILE_MAX_SLOTS)
    profile = [0] * slots
    for asset_start, wh in assets:
        index = (asset_start - start) // INTERVAL_S
        if 0 <= index < slots:
            profile[index] += wh
    return tuple(profile)


# -- the pre-checks of an issuance request (the intermediary and the direct-mode kiosk; the ledger decides) ----

class SelectionError(Error, ValueError):
    """A selection of rows that cannot be one certificate. ``code`` is the error code the intermediary answers
    (``bad_request``, ``mixed_methods``, ``selection_too_large``); the message says what was expected and found."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_item_ids(item_ids: Sequence[str]) -> None:
    """1 to ``MAX_ROWS`` distinct row ids, or ``SelectionError`` ``bad_request``."""
    if not 0 < len(item_ids) <= MAX_ROWS or len(set(item_ids)) != len(item_ids):
        raise SelectionError("bad_request", f"expected 1 to {MAX_ROWS} distinct item_ids, found {len(item_ids)}")


def check_selection(methods: Iterable[str], allocations: int) -> str:
    """The one production method of selected rows of ``methods`` that hold ``allocations`` assets in all, or
    ``SelectionError``: ``mixed_methods`` (a certificate certifies one method) or ``selection_too_large`` (more
    than ``CHUNK`` assets: more than one issuance transaction holds)."""
    found = sorted(set(methods))
    if len(found) != 1:
        raise SelectionError("mixed_methods", f"expected rows of one production method per certificate, found "
                                              f"{found}")
    if allocations > CHUNK:
        raise SelectionError("selection_too_large", f"expected at most {CHUNK} allocations in one certificate (one "
                                                    f"issuance transaction), found {allocations}: select fewer rows")
    return found[0]
