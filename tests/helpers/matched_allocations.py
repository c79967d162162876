"""Allocations on a real node for issuance tests: one solar reading per half hour, allocated whole to Consumer Ca
either for that very half hour (time-matched) or for the same half hour a day later (not time-matched)."""

from __future__ import annotations

from tests.helpers.intermediary_world import IntermediaryWorld
from tests.helpers.ledger_world import DAY, HALF_HOUR, slot

WH = 1_000


def allocate(iw: IntermediaryWorld, slots: list[int], *, matched: bool = True) -> list[str]:
    """The asset ids of one ``WH`` reading per slot, each allocated to Ca (see the module docstring)."""
    ids = []
    for n in slots:
        asset = iw.ledger.new_asset(iw.node, n, WH)
        usage = slot(n) if matched else slot(n) + DAY
        iw.ledger.commit(iw.node, iw.ledger.allocate([(asset, WH)], usage_start=usage, usage_end=usage + HALF_HOUR))
        ids.append(asset)
    return ids
