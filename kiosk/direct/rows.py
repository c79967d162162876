"""The eligible-transaction list of the direct mode (S406/S505–S510): the owner's allocated assets on the ledger,
grouped by the rule the intermediary uses (``ledger_lite.certificate.group_rows``), so both modes show the same
rows, in the same order, with the same ``item_id``s: per JST month × method, split at JST midnight into balanced
rows of at most ``CHUNK`` assets (one issuance transaction); certified assets as one greyed row per certificate.
(The kiosk may not import ``intermediary``, whose grouping also writes its database.) No Qt here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from backend_client import EligibleItem
from ledger_lite.certificate import CHUNK, as_of, group_rows, half_hour_profile, item_id_of, month_key

__all__ = ["CHUNK", "AssetRef", "Row", "build_rows", "item_id_of", "month_key", "profile_of"]



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


def _ref(asset: Mapping[str, Any]) -> AssetRef:
    return AssetRef(str(asset["id"]), int(asset["start"]), int(asset["end"]), int(asset["wh"]))


def build_rows(assets: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Rows of the owner's allocated (``trade`` "completed") assets as ``GET /v1/assets`` lists them, in the
    intermediary's order; every item carries ``as_of``, the end of the newest allocation considered."""
    assets = list(assets)
    newest = as_of(assets)
    return [Row(EligibleItem(item_id=group.item_id, period_start=group.period_start, period_end=group.period_end,
                             production_method=group.production_method, amount_wh=group.amount_wh,
                             issued=group.issued, certificate_id=group.certificate_id, category=group.category,
                             as_of=newest, allocations=len(group.assets)),
                tuple(_ref(a) for a in group.assets))
            for group in group_rows(assets)]


def profile_of(assets: Iterable[AssetRef], start: int, end: int) -> tuple[int, ...]:
    """Half-hourly Wh over ``[start, end)`` for the certificate's chart (the intermediary's rule)."""
    return half_hour_profile(((a.start, a.wh) for a in assets), start, end)
