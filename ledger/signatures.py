"""The node's check of a transaction's Ed25519 signature: libsodium's (PyNaCl), not OpenSSL's (``cryptography``,
which ``ledger_lite`` keeps for everything else: headers, commits, proofs, the kiosk's and the auditor's checks).

Why. Admission checks every transaction's signature, and at scale those checks take most of the node's cores. On
this machine libsodium checks a signature in 40-41 µs, OpenSSL in 82-84 (2026-12-05, one core, a 200-byte message,
``bench/ledger_ingest.py``'s ``verify_rate`` for both).

Same decisions. Both verify with the cofactorless equation and refuse a scalar ``S`` of the group order or more;
libsodium also refuses public keys and ``R`` points of small order and points not canonically encoded, which an
honest signer never produces. So every signature admitted here also verifies with ``ledger_lite`` (an auditor's
offline check never contradicts the node), and every node of a consortium, running this same check on the same
bytes, admits the same transactions (tests/ledger/test_signatures.py: valid, altered and degenerate signatures)."""

from __future__ import annotations

from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError

from ledger_lite import SignatureError, Transaction


def verify_tx(tx: Transaction) -> None:
    """Raise ``SignatureError`` unless ``tx`` is signed by its ``signer`` (the message of
    ``Transaction.verify_signature``). A decoded envelope's signer and signature have their sizes already."""
    try:
        crypto_sign_open(tx.sig + tx.signing_bytes(), tx.signer)
    except BadSignatureError:
        raise SignatureError(f"signature does not verify for key {tx.signer_address}") from None
