"""``ledger_lite.issuance``: the ``cert.issue`` every self-signing issuer builds (the home controller's
certificates; the direct-mode kiosk builds the same body)."""

from __future__ import annotations

from ledger_lite import SigningKey, decode_tx
from ledger_lite.issuance import CERT_ISSUE, issuance_body, sign_issuance


def test_the_body_is_what_the_certificate_rule_reads_with_the_assets_sorted() -> None:
    assert issuance_body("owner", ["bb", "aa"], "jp-green-council") == {
        "owner": "owner", "assets": ["aa", "bb"], "institution": "jp-green-council"}


def test_the_signed_issuance_round_trips_and_its_id_is_the_certificate_id() -> None:
    key = SigningKey.derive("test/issuance")
    tx = sign_issuance(key, chain="greencert-test", owner="home", assets=["cd" * 32, "ab" * 32],
                       institution="intl-rec-registry", nonce=7, time=1_800_000_000)
    again = decode_tx(tx.encode())
    assert (again.type, again.chain, again.nonce, again.time) == (CERT_ISSUE, "greencert-test", 7, 1_800_000_000)
    assert again.body == {"owner": "home", "assets": ["ab" * 32, "cd" * 32], "institution": "intl-rec-registry"}
    assert again.tx_id == tx.tx_id and again.signer_address == key.address
    key.public.verify(again.sig, again.signing_bytes())
