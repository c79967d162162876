"""What one certificate can hold, as the intermediary checks it, and the order the list shows rows in (no Qt).

The intermediary (and the direct mode) refuses an issuance of more than ``MAX_ROWS`` rows (the ``item_ids`` of
one request) or of more than ``MAX_ALLOCATIONS`` allocations (one issuance transaction), and a row holds at most
``ROW_MAX_ALLOCATIONS`` of them: the limits of ``ledger_lite.certificate``, imported here. Each row says how many
allocations it holds (``EligibleItem.allocations``) and is counted exactly; a row of an older server that does not
say is counted as full, so that only selections the server is sure to accept are offered (then one such row per
certificate). ``tests/kiosk`` checks these numbers against the intermediary's.

The list shows renewable rows first (a kiosk for *green* electricity certificates), then other methods, then
fossil ones, each group in the server's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ledger_lite.certificate import CHUNK
from ledger_lite.certificate import MAX_ROWS as MAX_ROWS  # rows of one request (intermediary.issuance.MAX_ITEMS)

MAX_ALLOCATIONS = CHUNK  # allocations in one issuance transaction (ledger_lite.certificate.check_selection)
ROW_MAX_ALLOCATIONS = CHUNK  # allocations in one row of the list (ledger_lite.certificate.group_rows)

RENEWABLE = ("solar", "wind", "hydro", "geothermal", "biomass")
FOSSIL = ("oil", "coal", "gas", "lng")


class RowLike(Protocol):
    @property
    def production_method(self) -> str: ...


def allocations_of(item: RowLike) -> int:
    """The row's allocations when it says (``allocations``), else the most a row can hold."""
    count = getattr(item, "allocations", None)
    if isinstance(count, int) and not isinstance(count, bool) and 0 < count <= ROW_MAX_ALLOCATIONS:
        return count
    return ROW_MAX_ALLOCATIONS


def fits(items: Sequence[RowLike]) -> bool:
    """Whether the intermediary accepts these rows as one certificate (as far as their size goes)."""
    return len(items) <= MAX_ROWS and sum(allocations_of(item) for item in items) <= MAX_ALLOCATIONS


def fitting_prefix(items: Sequence[RowLike]) -> int:
    """How many of ``items``, taken in order, fit one certificate."""
    total = 0
    for count, item in enumerate(items):
        total += allocations_of(item)
        if count + 1 > MAX_ROWS or total > MAX_ALLOCATIONS:
            return count
    return len(items)


CATEGORY_GROUPS = {"renewable": 0, "nuclear": 1, "fossil": 2}  # the row's ``category``, when the server says


def method_group(method: str, category: str = "") -> int:
    """0 renewable, 1 other (nuclear, unknown), 2 fossil: the order of the list. The server's ``category`` of the
    row decides when it gives one; else the method's code."""
    if category in CATEGORY_GROUPS:
        return CATEGORY_GROUPS[category]
    code = method.lower()
    return 0 if code in RENEWABLE else 2 if code in FOSSIL else 1


def group_of(item: RowLike) -> int:
    category = getattr(item, "category", "")
    return method_group(item.production_method, category if isinstance(category, str) else "")


def is_renewable(method: str) -> bool:
    return method_group(method) == 0


def is_fossil(method: str) -> bool:
    return method_group(method) == 2


def green_first(items: Sequence[RowLike]) -> list[int]:
    """Indexes of ``items``: renewable rows first, fossil rows last, the server's order inside each group."""
    return sorted(range(len(items)), key=lambda n: (group_of(items[n]), n))
