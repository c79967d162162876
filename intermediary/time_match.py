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

from intermediary.errors import Error
from ledger_lite import BlockHeader, Commit
from ledger_lite.block import verify_final
from ledger_lite.errors import Error as LedgerError
from ledger_lite.errors import VerificationError
from ledger_lite.light import verify_state
from ledger_lite.verification import LedgerReader, Trust, verify_issuance


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


class NotProven(Error):
    """The ledger's answers do not prove a certificate's assets (each message says what did not verify)."""

    status = 502
    code = "not_proven"


def proven_time_matched_wh(node: LedgerReader, certificate_id: str, trust: Trust) -> int:
    """The time-matched Wh of ``certificate_id`` recomputed by the light node: the issuance and its record are
    verified as final (``verify_issuance``), then each asset the record names is read with its state proof and
    checked against a final header, and the figure is summed from those proven records alone. One state proof per
    asset (up to 900 requests): a deep check beside the ``record`` step, which does not cover the figure."""
    checked = verify_issuance(node, certificate_id, trust.validators, trust.chain_id, names=trust.names,
                              known_headers=trust.headers)
    failed = [step for step in checked.steps if step.ok is not True and step.name != "revocation"]
    if failed or not isinstance(checked.record, dict):
        detail = failed[0].detail if failed else "no certificate record"
        raise NotProven(f"expected a final issuance {certificate_id} with its proven record, found: {detail}")
    headers: dict[int, BlockHeader] = {}
    total = 0
    for asset_id in checked.record.get("assets", []):
        try:
            state = node.proven_value(f"asset/{asset_id}")
            height = int(state["height"])
            if height not in headers:
                block = node.block(height)
                header = BlockHeader.from_json(block["header"])
                verify_final(header, Commit.from_json(block["commit"]), trust.validators, trust.headers)
                if header.chain != trust.chain_id:
                    raise VerificationError(f"expected chain {trust.chain_id}, found {header.chain}")
                headers[height] = header
            record = verify_state(state, headers[height])
        except (LedgerError, KeyError, TypeError, ValueError) as exc:
            raise NotProven(f"expected a proven record of asset {asset_id}, found: {exc}") from exc
        if not isinstance(record, dict) or record.get("cert") != certificate_id:
            raise NotProven(f"expected asset {asset_id} certified by {certificate_id}, found "
                            f"{record.get('cert') if isinstance(record, dict) else 'no record'}")
        if is_time_matched(record):
            total += int(record["wh"])
    return total
