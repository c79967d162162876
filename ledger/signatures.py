"""The node's check of a transaction's Ed25519 signature: libsodium's (PyNaCl), not OpenSSL's (``cryptography``,
which ``ledger_lite`` keeps for everything else: headers, commits, proofs, the kiosk's and the auditor's checks).

Why. Admission checks every transaction's signature, and at scale those checks take most of the node's cores. On
this machine libsodium checks a signature in 39-41 µs, OpenSSL in 82-85 (2026-12-05, one core, a 200-byte message,
``bench/ledger_ingest.py``'s ``verify_rate`` for both).

Decisions. Both check the cofactorless equation, comparing the point they compute with the signature's ``R``
bytes, and refuse a scalar ``S`` of the group order or more; libsodium adds refusals only: public keys and ``R``
points of small order, and points not canonically encoded, which an honest signer never produces and OpenSSL takes (a
forgery under the identity point as the key verifies for every message there, and is refused here:
tests/ledger/test_signatures.py). So what the node admits, ``ledger_lite``'s check takes too, and an auditor's
offline check does not contradict it. PyNaCl is a dependency of the node, not an option: every node of a consortium
runs this same check on the same bytes and admits the same transactions."""

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
