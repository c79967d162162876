"""Time matching (issue 15, "Allocation"): the Wh of a certificate's assets generated inside the usage interval
they were allocated to (``asset.allocate`` records ``usage_start`` and ``usage_end`` on each asset it moves;
half-hourly readings make that "the same half hour").

One definition for all: the ledger's ``cert.issue`` rule writes the figure into the certificate's record (``tm``),
the intermediary states it in the signed claim ``tm``, and a verifier compares the two — the record is proven
against a final header like the rest of it, so the figure costs a verifier nothing more than the record does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def is_time_matched(asset: Mapping[str, Any]) -> bool:
    """Whether the asset record was generated inside the usage interval it was allocated to."""
    usage_start, usage_end = asset.get("usage_start"), asset.get("usage_end")
    if not isinstance(usage_start, int) or not isinstance(usage_end, int):
        return False
    return usage_start <= int(asset["start"]) and int(asset["end"]) <= usage_end


def time_matched_wh(assets: Iterable[Mapping[str, Any]]) -> int:
    """The Wh of ``assets`` (ledger asset records) generated inside the usage interval they were allocated to."""
    return sum(int(a["wh"]) for a in assets if is_time_matched(a))


__all__ = ["is_time_matched", "time_matched_wh"]
