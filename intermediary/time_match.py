"""How much of a certificate is time-matched (issue 15, "Allocation"): the Wh of its assets whose generation
interval lies inside the usage interval they were allocated to (``asset.allocate`` records ``usage_start`` and
``usage_end`` on each asset it moves; half-hourly readings make that "the same half hour").

Computed at issuance from the ledger's own asset records (``GET /v1/assets``: each is a value of the state the
node's state root commits to) and carried as the signed claim ``tm``. A verifier can recompute it only by proving
every asset record of the certificate (one state proof per asset, up to 900): the certificate record proven in
the ``record`` step names the assets but not their usage intervals. So the printed and verified figure is the
issuer's signed statement, shown as such; the ``record`` step does not cover it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def is_time_matched(asset: Mapping[str, Any]) -> bool:
    usage_start, usage_end = asset.get("usage_start"), asset.get("usage_end")
    if not isinstance(usage_start, int) or not isinstance(usage_end, int):
        return False
    return usage_start <= int(asset["start"]) and int(asset["end"]) <= usage_end


def time_matched_wh(assets: Iterable[Mapping[str, Any]]) -> int:
    """The Wh of ``assets`` (ledger asset records) generated inside the usage interval they were allocated to."""
    return sum(int(a["wh"]) for a in assets if is_time_matched(a))


def certificate_assets(node_assets: Iterable[Mapping[str, Any]], certificate_id: str) -> list[Mapping[str, Any]]:
    """The asset records a certificate certified (``cert`` names it)."""
    return [a for a in node_assets if a.get("cert") == certificate_id]
