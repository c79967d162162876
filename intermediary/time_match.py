"""How much of a certificate is time-matched (issue 15, "Allocation"), as the intermediary states it in the signed
claim ``tm``: the figure the ledger's ``cert.issue`` rule writes into the certificate's record (one definition in
``ledger_lite.time_matching``), or for a record from before that, computed at issuance from the ledger's own
asset records (``GET /v1/assets``); verifiers compare the claim with the proven record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ledger_lite.time_matching import is_time_matched, time_matched_wh


def certificate_assets(node_assets: Iterable[Mapping[str, Any]], certificate_id: str) -> list[Mapping[str, Any]]:
    """The asset records a certificate certified (``cert`` names it)."""
    return [a for a in node_assets if a.get("cert") == certificate_id]


__all__ = ["certificate_assets", "is_time_matched", "time_matched_wh"]
