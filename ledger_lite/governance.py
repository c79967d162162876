"""Governance approvals: how validators approve a change of the registry (``registry.update``).

DESIGN.md "The ledger": the registry is set in genesis and changed only by governance transactions. A change
takes effect only with approvals from at least ⌈2n/3⌉ of the n registered validators (the same quorum as a
block commit, seed 003's "reports exceed a predetermined number", see ``block.quorum``). Each approval is an
Ed25519 signature over

    GOVERNANCE_DOMAIN || canonical({"chain": chain_id, "set": [entry...], "remove": [address...], "nonce": nonce})

where ``set`` and ``remove`` are exactly the body fields of the transaction and ``nonce`` is the transaction's
envelope nonce: the proposer picks the nonce, collects approvals, then signs the transaction with that nonce.
The domain keeps an approval from ever being valid as a transaction or a commit signature, and the chain id keeps
it from being replayed on another chain. An entry on the wire is ``{"public_key": bytes(32), "role", "name",
"attrs"}``.

Pure protocol: no ledger imports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledger_lite.encoding import canonical
from ledger_lite.errors import SignatureError
from ledger_lite.keys import PUBLIC_KEY_SIZE, SIGNATURE_SIZE, PublicKey, SigningKey

GOVERNANCE_DOMAIN = b"greencert/governance/v1\x00"


def approval_message(chain: str, *, entries: Sequence[dict[str, Any]], remove: Sequence[str], nonce: int) -> bytes:
    """The bytes a validator signs to approve setting ``entries`` and removing ``remove`` (addresses)."""
    return GOVERNANCE_DOMAIN + canonical({"chain": chain, "set": list(entries), "remove": list(remove),
                                          "nonce": nonce})


def registry_entry(public_key: bytes, role: str, name: str, **attrs: Any) -> dict[str, Any]:
    """One entry of a ``registry.update`` body's ``set`` list."""
    return {"public_key": public_key, "role": role, "name": name, "attrs": attrs}


def sign_approval(key: SigningKey, chain: str, *, entries: Sequence[dict[str, Any]], remove: Sequence[str],
                  nonce: int) -> dict[str, bytes]:
    """One element of a ``registry.update`` body's ``approvals`` list, signed by the validator ``key``."""
    message = approval_message(chain, entries=entries, remove=remove, nonce=nonce)
    return {"validator": key.public.raw, "sig": key.sign(message)}


def verify_approval(approval: Mapping[str, Any], message: bytes) -> PublicKey:
    """The approving key if ``approval`` is a well-formed signature over ``message``; else ``SignatureError``."""
    validator, sig = approval.get("validator"), approval.get("sig")
    if not isinstance(validator, bytes) or len(validator) != PUBLIC_KEY_SIZE:
        raise SignatureError(f"expected an approval 'validator' of {PUBLIC_KEY_SIZE} bytes, found {validator!r:.40}")
    if not isinstance(sig, bytes) or len(sig) != SIGNATURE_SIZE:
        raise SignatureError(f"expected an approval 'sig' of {SIGNATURE_SIZE} bytes, found {sig!r:.40}")
    key = PublicKey(validator)
    key.verify(sig, message)
    return key
