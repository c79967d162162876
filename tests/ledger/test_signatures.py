"""The node's signature check (libsodium, ``ledger.signatures``) against ``ledger_lite``'s (OpenSSL): the same verdict
on honest and altered signatures, and stricter on a degenerate one (a key of small order) that OpenSSL takes."""

from __future__ import annotations

import dataclasses
import os

import pytest
from nacl.bindings import crypto_scalarmult_ed25519_base_noclamp

from ledger.signatures import verify_tx
from ledger.verifier import check_one
from ledger_lite import SignatureError, SigningKey, Transaction, sign_tx

CHAIN = "sig-test"
ORDER = 2**252 + 27742317777372353535851937790883648493  # the order L of Ed25519's base point


def reading(key: SigningKey) -> Transaction:
    return sign_tx(key, chain=CHAIN, type="asset.generate",
                   body={"provider": "P1", "method": "wind", "start": 0, "end": 1800, "wh": 10_000,
                         "owner": key.public.address}, nonce=1, time=1800)


def other_sig(tx: Transaction, sig: bytes) -> Transaction:
    return dataclasses.replace(tx, sig=sig)


def verdicts(tx: Transaction) -> tuple[bool, bool]:
    """(admitted by the node's check, verified by ``ledger_lite``'s)."""
    node = lite = True
    try:
        verify_tx(tx)
    except SignatureError:
        node = False
    try:
        tx.verify_signature()
    except SignatureError:
        lite = False
    return node, lite


def test_an_honest_signature_is_admitted_and_verifies_offline() -> None:
    tx = reading(SigningKey.generate())
    assert verdicts(tx) == (True, True)
    ok, payload = check_one(tx.encode(), CHAIN)
    assert ok and payload[7] == tx.tx_id


@pytest.mark.parametrize("flip", [0, 31, 32, 63])  # a bit of R, of S
def test_an_altered_signature_is_refused_by_both_with_the_same_words(flip: int) -> None:
    tx = reading(SigningKey.generate())
    bad = other_sig(tx, tx.sig[:flip] + bytes([tx.sig[flip] ^ 1]) + tx.sig[flip + 1:])
    assert verdicts(bad) == (False, False)
    with pytest.raises(SignatureError) as node:
        verify_tx(bad)
    with pytest.raises(SignatureError) as lite:
        bad.verify_signature()
    assert str(node.value) == str(lite.value) == f"signature does not verify for key {tx.signer_address}"
    assert check_one(bad.encode(), CHAIN) == (False, ("bad_signature", str(lite.value), 401))


def test_a_signature_over_another_body_is_refused() -> None:
    key = SigningKey.generate()
    tx = reading(key)
    moved = dataclasses.replace(tx, body={**tx.body, "wh": 10_001})
    assert verdicts(moved) == (False, False)


def test_a_scalar_past_the_group_order_is_refused_by_both() -> None:
    tx = reading(SigningKey.generate())
    s = int.from_bytes(tx.sig[32:], "little") + ORDER  # the same point equation, a non-canonical S
    assert s < 2**256
    assert verdicts(other_sig(tx, tx.sig[:32] + s.to_bytes(32, "little"))) == (False, False)


def test_a_key_of_small_order_is_not_admitted() -> None:
    # The identity point as the public key: [k]A is the identity for any message, so R = [r]B and S = r satisfy the
    # cofactorless equation [S]B = R + [k]A. A forgery for every message: libsodium refuses such keys.
    identity = bytes([1]) + bytes(31)
    r = int.from_bytes(os.urandom(32), "little") % ORDER
    forged = crypto_scalarmult_ed25519_base_noclamp(r.to_bytes(32, "little")) + r.to_bytes(32, "little")
    unsigned = dataclasses.replace(reading(SigningKey.generate()), signer=identity, sig=forged)
    assert verdicts(unsigned) == (False, True)  # OpenSSL's check takes the forgery; the node's refuses it
    assert check_one(unsigned.encode(), CHAIN)[1][0] == "bad_signature"
