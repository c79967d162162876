"""The ``cert.issue`` transaction (S206, S404): one builder for everyone who signs an issuance themselves.

The direct-mode kiosk (modification 2) builds the same body inline (``kiosk.direct.backend``); the home
controller's certificates (``field.trading.certificates``, seed 003 energy bought from the battery) use this
function, since ``field`` may not import ``kiosk``. The ledger rule (``ledger.rules.certificates``) decides
whether the signer may certify those assets for ``owner``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger_lite.keys import SigningKey
from ledger_lite.tx import Transaction, sign_tx

CERT_ISSUE = "cert.issue"


def issuance_body(owner: str, assets: Sequence[str], institution: str) -> dict[str, Any]:
    """``{owner, assets (sorted), institution}``: the body the certificate rules read."""
    return {"owner": owner, "assets": sorted(assets), "institution": institution}


def sign_issuance(key: SigningKey, *, chain: str, owner: str, assets: Sequence[str], institution: str,
                  nonce: int, time: int) -> Transaction:
    """A ``cert.issue`` over ``assets`` for ``owner`` signed with ``key``; its tx id is the certificate id."""
    return sign_tx(key, chain=chain, type=CERT_ISSUE, body=issuance_body(owner, assets, institution),
                   nonce=nonce, time=time)


__all__ = ["CERT_ISSUE", "issuance_body", "sign_issuance"]
