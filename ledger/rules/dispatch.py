"""Route a transaction to its rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.errors import Rejected, shown
from ledger.rules import (
    assets,
    certificate_lifecycle,
    certificates,
    governance,
    revocation,
    trading_incentives,
    trading_match,
    trading_requests,
    trading_sales,
    trading_storage,
)
from ledger.rules.context import Context
from ledger_lite import Transaction, lifecycle, trading

Rule = Callable[[Transaction, Context], dict[str, Any]]

RULES: dict[str, Rule] = {
    "asset.generate": assets.generate,
    "asset.allocate": assets.allocate,
    "cert.issue": certificates.issue,
    "cert.revoke": revocation.revoke,
    lifecycle.CERT_TRANSFER: certificate_lifecycle.transfer,
    lifecycle.CERT_RETIRE: certificate_lifecycle.retire,
    "registry.update": governance.update,
    # Seed 003 (ledger_lite.trading): homes, the storage battery and the validators' smart contract.
    trading.STORAGE_RECEIPT: trading_storage.receipt,
    trading.STORAGE_REPORT: trading_storage.report,
    trading.STORAGE_DELIVERY: trading_storage.delivery,
    trading.TRADE_SALE: trading_sales.sale,
    trading.TRADE_REQUEST: trading_requests.request,
    trading.TRADE_MATCH: trading_match.match,
    trading.TRADE_TOKEN: trading_requests.token,
    trading.TRADE_INCENTIVE: trading_incentives.payout,
}


def execute(tx: Transaction, ctx: Context) -> dict[str, Any]:
    """Execute ``tx`` against ``ctx.state``; raises ``Rejected`` and then leaves the state untouched."""
    rule = RULES.get(tx.type)
    if rule is None:
        raise Rejected("unknown_type", f"expected a transaction type among {sorted(RULES)}, "
                                       f"found {shown(tx.type)}", 400)
    scope = ctx.state.child()
    result = rule(tx, Context(state=scope, time=ctx.time, height=ctx.height))
    scope.commit()
    return result
