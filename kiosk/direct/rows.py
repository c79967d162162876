"""The eligible-transaction list of the direct mode (S406/S505–S510): the owner's allocated assets on the ledger,
grouped as the intermediary groups them (``intermediary/eligible.py``), so both modes show the same rows with
the same ``item_id``s.

Uncertified assets are grouped per month (JST) and production method, at most ``CHUNK`` assets per row so that
one row always fits one issuance transaction; certified assets appear as one greyed row per certificate.
(The kiosk may not import ``intermediary``, whose grouping also writes its database: this is the same rule,
without the database.) No Qt here.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from backend_client import EligibleItem

JST = timedelta(hours=9)
CHUNK = 900  # asset ids per row and per issuance transaction: a transaction must stay under 64 KiB
HALF_HOUR = 1800


@dataclass(frozen=True)
class AssetRef:
    """What the kiosk needs of an asset to issue over it and to draw the certificate's half-hourly profile."""

    asset_id: str
    start: int
    end: int
    wh: int


@dataclass(frozen=True)
class Row:
    item: EligibleItem
    assets: tuple[AssetRef, ...]


def month_key(ts: int) -> str:
    return (datetime.fromtimestamp(ts, UTC) + JST).strftime("%Y-%m")


def item_id_of(asset_ids: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(asset_ids)).encode()).hexdigest()[:32]


def _ref(asset: Mapping[str, Any]) -> AssetRef:
    return AssetRef(str(asset["id"]), int(asset["start"]), int(asset["end"]), int(asset["wh"]))


def build_rows(assets: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Rows of the owner's allocated (``trade`` "completed") assets, newest first, as ``GET /v1/assets`` lists
    them."""
    open_groups: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    certified: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for asset in assets:
        if asset.get("trade") != "completed":
            continue
        if asset.get("cert"):
            certified[str(asset["cert"])].append(asset)
        else:
            open_groups[(month_key(int(asset["start"])), str(asset["method"]))].append(asset)
    groups: list[tuple[list[Mapping[str, Any]], str | None]] = [(g, cid) for cid, g in certified.items()]
    for _, group in sorted(open_groups.items()):
        group.sort(key=lambda a: (a["start"], a["id"]))
        groups += [(group[i:i + CHUNK], None) for i in range(0, len(group), CHUNK)]
    rows = []
    for group, certificate_id in groups:
        refs = tuple(_ref(a) for a in group)
        item = EligibleItem(item_id=item_id_of(r.asset_id for r in refs), period_start=min(r.start for r in refs),
                            period_end=max(r.end for r in refs), production_method=str(group[0]["method"]),
                            amount_wh=sum(r.wh for r in refs), issued=certificate_id is not None,
                            certificate_id=certificate_id)
        rows.append(Row(item, refs))
    rows.sort(key=lambda r: (-r.item.period_start, r.item.production_method, r.item.issued))
    return rows


def profile_of(assets: Iterable[AssetRef], start: int, end: int) -> tuple[int, ...]:
    """Half-hourly Wh over ``[start, end)`` for the certificate's chart (as the intermediary draws it)."""
    slots = min(max(1, (end - start) // HALF_HOUR), 24 * 2 * 400)  # at most ~a year of half-hours
    profile = [0] * slots
    for asset in assets:
        index = (asset.start - start) // HALF_HOUR
        if 0 <= index < slots:
            profile[index] += asset.wh
    return tuple(profile)
