"""Tying seed 003 to seed 000: energy discharged from the battery keeps its renewable origin, so the buyer can get a
production-method certificate for it, exactly once.

Each ``storage.delivery`` writes one asset (``ledger.rules.asset_record``) under the delivery's tx id: owned by
the buyer's home, already ``completed`` (allocated: the energy was delivered to it), ``wh`` the energy the home
received — the round-trip losses deducted —, ``method`` ``ORIGIN_METHOD`` (homes sell the surplus of their PV
102), ``provider`` the battery, ``meter`` its storage server, ``start``/``end`` the span over which the energy was
generated (its origin lots' intervals), ``usage_start``/``usage_end`` the delivery's interval, and ``origin``::

    {battery, delivery, reservation, drawn_wh, loss_wh,
     lots: [{home, receipt, start, end, drawn_wh, wh}]}      # first in first out, wh = its share after losses

The certificate rules (``ledger.rules.certificates``) then treat it as any asset: ``cert.issue`` certifies it once
and refuses a second certificate with ``already_issued`` naming the first; the certificate records the origin.
"""

from __future__ import annotations

from typing import Any

from ledger.rules.asset_record import put_asset
from ledger.rules.context import Context
from ledger.rules.periods import add_month
from ledger_lite.trading import ORIGIN_METHOD


def shares(lots: list[dict[str, Any]], wh: int) -> list[int]:
    """``wh`` delivered, split over the lots in proportion to what each gave (rounded down, the Wh left over go
    to the oldest lots first): the losses are deducted from every lot alike and the shares add up to ``wh``."""
    drawn = sum(lot["wh"] for lot in lots)
    parts = [lot["wh"] * wh // drawn for lot in lots]
    for i in range(wh - sum(parts)):
        parts[i % len(parts)] += 1
    return parts


def discharged_asset(ctx: Context, *, delivery: str, reservation: dict[str, Any], server: str,
                     lots: list[dict[str, Any]], wh: int, start: int, end: int) -> str:
    """Write the asset of a delivery of ``wh`` that took ``lots`` from the battery; returns its id."""
    split = shares(lots, wh)
    drawn = sum(lot["wh"] for lot in lots)
    origin = {"battery": reservation["battery"], "delivery": delivery, "reservation": reservation["request"],
              "drawn_wh": drawn, "loss_wh": drawn - wh,
              "lots": [{"home": lot["home"], "receipt": lot["receipt"], "start": lot["start"], "end": lot["end"],
                        "drawn_wh": lot["wh"], "wh": share} for lot, share in zip(lots, split, strict=True)]}
    put_asset(ctx.state, {
        "id": delivery, "provider": reservation["battery"], "meter": server, "method": ORIGIN_METHOD,
        "start": min(lot["start"] for lot in lots), "end": max(lot["end"] for lot in lots), "wh": wh,
        "owner": reservation["home"], "expires": add_month(end), "trade": "completed", "cert": None,
        "usage_start": start, "usage_end": end, "origin": origin})
    return delivery
