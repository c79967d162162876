"""The signed transaction envelope {chain, type, body, signer, nonce, time, sig}."""

from __future__ import annotations

import hashlib
from typing import Any

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_lite import MAX_TX_BYTES, EncodingError, SignatureError, SigningKey, Transaction, decode_tx, sign_tx
from ledger_lite.encoding import canonical
from ledger_lite.tx import TX_DOMAIN

KEY = SigningKey.derive("test/tx/meter")
BODY = {"provider": "Aa", "method": "solar", "start": 1_790_812_800, "end": 1_790_814_600, "wh": 12_000,
        "owner": "gc1" + "ab" * 20}


def make(**changes: Any) -> Transaction:
    args: dict[str, Any] = {"chain": "greencert-test", "type": "asset.generate", "body": BODY, "nonce": 7,
                            "time": 1_790_814_600, **changes}
    return sign_tx(KEY, **args)


def envelope(tx: Transaction) -> dict[str, Any]:
    return {**tx.unsigned(), "sig": tx.sig}


def test_round_trip_keeps_every_field() -> None:
    tx = make()
    back = decode_tx(tx.encode())
    assert back == tx
    assert back.encode() == tx.encode()
    assert back.signer == KEY.public.raw and back.signer_address == KEY.address
    back.verify_signature()


def test_tx_id_is_sha256_of_the_canonical_envelope_and_stable() -> None:
    tx = make()
    assert tx.tx_id == hashlib.sha256(canonical(envelope(tx))).hexdigest()
    # Ed25519 is deterministic: the same content signed again has the same id.
    assert make().tx_id == tx.tx_id
    assert decode_tx(tx.encode()).tx_id == tx.tx_id
    assert make(nonce=8).tx_id != tx.tx_id


def test_signature_covers_the_domain_and_the_unsigned_envelope() -> None:
    tx = make()
    KEY.public.verify(tx.sig, TX_DOMAIN + canonical(tx.unsigned()))
    with pytest.raises(SignatureError):
        KEY.public.verify(tx.sig, canonical(tx.unsigned()))  # without the domain it is not a valid signature


@pytest.mark.parametrize(("field", "value"), [
    ("body", {**BODY, "wh": 99_999}), ("chain", "other-chain"), ("type", "asset.allocate"), ("nonce", 8),
    ("time", 1), ("signer", SigningKey.derive("test/tx/other").public.raw),
])
def test_tampered_field_breaks_the_signature(field: str, value: Any) -> None:
    tampered = decode_tx(canonical({**envelope(make()), field: value}))
    with pytest.raises(SignatureError, match="signature does not verify"):
        tampered.verify_signature()


def test_tampered_signature_is_detected() -> None:
    tx = make()
    bad = decode_tx(canonical({**envelope(tx), "sig": bytes([tx.sig[0] ^ 1]) + tx.sig[1:]}))
    with pytest.raises(SignatureError, match=f"signature does not verify for key {KEY.address}"):
        bad.verify_signature()
    with pytest.raises(EncodingError, match="expected a 32-byte signer and a 64-byte signature, found 32 and 63"):
        decode_tx(canonical({**envelope(tx), "sig": tx.sig[:63]}))


def test_size_limit() -> None:
    big = make(body={"note": "x" * (MAX_TX_BYTES + 1)}).encode()
    with pytest.raises(EncodingError, match=f"expected a transaction of at most {MAX_TX_BYTES} bytes, "
                                            f"found {len(big)} bytes"):
        decode_tx(big)


def test_just_under_the_size_limit_decodes() -> None:
    small = make(body={"note": ""}).encode()
    fill = MAX_TX_BYTES - len(small) - 2  # the text header grows from 1 to 3 bytes
    raw = make(body={"note": "x" * fill}).encode()
    assert len(raw) == MAX_TX_BYTES
    assert decode_tx(raw).body["note"] == "x" * fill


@pytest.mark.parametrize("missing", ["chain", "type", "body", "signer", "nonce", "time", "sig"])
def test_missing_field_is_refused(missing: str) -> None:
    value = {k: v for k, v in envelope(make()).items() if k != missing}
    with pytest.raises(EncodingError, match=r"expected transaction fields \['body', 'chain', 'nonce', 'sig', "
                                            r"'signer', 'time', 'type'\], found"):
        decode_tx(canonical(value))


def test_extra_field_is_refused() -> None:
    with pytest.raises(EncodingError, match=r"expected transaction fields .* found .*'memo'"):
        decode_tx(canonical({**envelope(make()), "memo": "hi"}))


@pytest.mark.parametrize(("field", "value", "found"), [
    ("chain", 1, "int"), ("type", b"x", "bytes"), ("body", [], "list"), ("signer", "ab", "str"),
    ("nonce", True, "bool"), ("nonce", "1", "str"), ("time", None, "NoneType"), ("sig", "00", "str"),
])
def test_field_of_wrong_type_is_refused(field: str, value: Any, found: str) -> None:
    with pytest.raises(EncodingError, match=f"expected field '{field}' of type .*, found {found}"):
        decode_tx(canonical({**envelope(make()), field: value}))


@pytest.mark.parametrize("value", [[1, 2], "tx", 5, None])
def test_non_map_is_refused(value: Any) -> None:
    with pytest.raises(EncodingError, match="expected a transaction map, found"):
        decode_tx(canonical(value))


def test_non_canonical_envelope_is_refused() -> None:
    tx = make()
    unsorted = dict(sorted(envelope(tx).items(), reverse=True))
    raw = cbor2.dumps(unsorted)  # same content, keys in the wrong order
    assert raw != tx.encode()
    with pytest.raises(EncodingError, match="expected deterministic CBOR, found a non-canonical encoding"):
        decode_tx(raw)


def test_garbage_is_refused() -> None:
    with pytest.raises(EncodingError, match="expected well-formed CBOR"):
        decode_tx(b"\xa7\x01")


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=6), st.integers() | st.text(max_size=10), max_size=6),
       st.integers(min_value=0, max_value=2**63 - 1))
def test_any_body_round_trips_and_verifies(body: dict[str, Any], nonce: int) -> None:
    tx = make(body=body, nonce=nonce)
    back = decode_tx(tx.encode())
    assert back == tx and back.tx_id == tx.tx_id
    # The signed bytes of a decoded envelope are cut from its encoding: they must be the re-encoded ones.
    assert back.signing_bytes() == TX_DOMAIN + canonical(back.unsigned())
    back.verify_signature()


@pytest.mark.parametrize("size", [0, 31, 33])
def test_malformed_signer_is_an_encoding_or_signature_error(size: int) -> None:
    raw = canonical({**envelope(make()), "signer": b"\x01" * size})
    with pytest.raises((EncodingError, SignatureError), match="32"):
        decode_tx(raw).verify_signature()
