"""Disk forms: every transaction and state value comes back byte for byte; readings and assets take less room."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import compact, state_encoding
from ledger.compact import (
    FORM_ASSET,
    FORM_RAW,
    FORM_READING,
    pack_key,
    pack_tx,
    pack_value,
    unpack_key,
    unpack_tx,
    unpack_value,
)
from ledger.errors import StoreError
from ledger.state import encode_state
from ledger.storage import Store
from ledger_lite import SigningKey, decode_tx, sha256, sign_tx
from tests.helpers.ledger_world import LedgerWorld, ManualClock, recompute_state_root

KEY = SigningKey.derive("test/compact")
CHAIN = "greencert-test"
ADDRESS = KEY.public.address
ints = st.integers(min_value=-(2**63), max_value=2**64 - 1)
texts = st.text(max_size=20)


def reading(body: dict[str, Any], *, chain: str = CHAIN, type: str = "asset.generate") -> Any:
    return sign_tx(KEY, chain=chain, type=type, body=body, nonce=7, time=1_800_000_000)


@given(provider=texts, method=texts, start=ints, length=st.integers(0, 2**32), wh=ints, nonce=ints, time=ints)
def test_readings_round_trip_exactly(provider: str, method: str, start: int, length: int, wh: int, nonce: int,
                                     time: int) -> None:
    body = {"provider": provider, "method": method, "start": start, "end": start + length, "wh": wh,
            "owner": ADDRESS}
    tx = sign_tx(KEY, chain=CHAIN, type="asset.generate", body=body, nonce=nonce, time=time)
    stored = pack_tx(tx, CHAIN)
    assert stored[0] == FORM_READING
    assert unpack_tx(stored, CHAIN) == tx.encode()
    assert decode_tx(unpack_tx(stored, CHAIN)).tx_id == tx.tx_id


@pytest.mark.parametrize("tx", [
    reading({"provider": "Aa", "method": "solar", "start": 0, "end": 1800, "wh": 5, "owner": ADDRESS}, chain="other"),
    reading({"provider": "Aa", "method": "solar", "start": 0, "end": 1800, "wh": 5, "owner": ADDRESS.upper()}),
    reading({"provider": "Aa", "method": "solar", "start": 0, "end": 1800, "wh": True, "owner": ADDRESS}),
    reading({"provider": "Aa", "method": "solar", "start": 0, "end": 1800, "wh": 5, "owner": ADDRESS, "x": 1}),
    reading({"provider": "Aa", "method": "solar", "start": 0, "end": 1800, "wh": 5}),
    reading({"to": ADDRESS, "parts": []}, type="asset.allocate"),
], ids=["other chain", "odd address", "bool amount", "extra field", "missing field", "other type"])
def test_anything_else_is_stored_as_it_is(tx: Any) -> None:
    stored = pack_tx(tx, CHAIN)
    assert stored == bytes((FORM_RAW,)) + tx.encode()
    assert unpack_tx(stored, CHAIN) == tx.encode()


def test_a_reading_takes_about_half_its_envelope() -> None:
    tx = reading({"provider": "Aa", "method": "solar", "start": 1_790_780_400, "end": 1_790_782_200, "wh": 12_345,
                  "owner": ADDRESS})
    assert len(pack_tx(tx, CHAIN)) < 0.6 * len(tx.encode())


asset_values = st.fixed_dictionaries(
    {"provider": texts, "meter": st.just(ADDRESS), "method": texts, "start": ints, "end": ints, "wh": ints,
     "owner": st.sampled_from([ADDRESS, SigningKey.derive("test/other").public.address]),
     "expires": ints, "trade": st.sampled_from(["open", "completed"])},
    optional={"cert": st.text(min_size=1), "parent": st.text(min_size=1), "parent_hash": st.binary(max_size=32),
              "usage_start": ints, "usage_end": ints, "generated_wh": ints, "gen_tx": texts})


@given(asset=asset_values, key_hex=st.binary(min_size=32, max_size=32))
def test_assets_round_trip_exactly(asset: dict[str, Any], key_hex: bytes) -> None:
    key = "asset/" + key_hex.hex()
    encoded = encode_state(asset)
    stored = pack_value(key, asset, encoded)
    assert stored[0] == FORM_ASSET
    assert unpack_value(key, stored) == (encoded, asset)
    assert unpack_key(pack_key(key)) == key and len(pack_key(key)) == 33


scalars = st.one_of(ints, st.integers(), texts, st.binary(max_size=24), st.booleans(), st.none())
odd_assets = st.fixed_dictionaries(
    {"provider": st.one_of(texts, ints), "meter": st.sampled_from([ADDRESS, "not an address", b"raw"]),
     "method": texts, "start": st.one_of(ints, st.booleans(), st.integers()), "end": ints, "wh": ints,
     "owner": st.sampled_from([ADDRESS, SigningKey.derive("test/other").public.address]), "expires": ints,
     "trade": st.sampled_from(["open", "completed", "sold", 1])},
    optional={"cert": scalars, "parent": scalars, "tm": st.dictionaries(texts, ints, max_size=2), 7: scalars})


@given(asset=st.one_of(asset_values, odd_assets), drop=st.sampled_from([None, "wh", "owner", "trade"]))
def test_the_compiled_packing_writes_what_the_python_one_writes(asset: dict[Any, Any], drop: str | None) -> None:
    if drop is not None:
        del asset[drop]
    key = "asset/" + "ef" * 32
    encoded = encode_state(asset)
    pack_value(key, {**asset, "meter": ADDRESS, "owner": ADDRESS}, encoded)  # the addresses are known now
    compiled = pack_value(key, asset, encoded)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compact, "CODEC", False)
        assert pack_value(key, asset, encoded) == compiled
    assert unpack_value(key, compiled) == (encoded, asset)


@pytest.mark.skipif(not state_encoding.CODEC, reason="ledger/_state_codec is not built")
def test_the_compiled_packing_is_used_for_a_known_address() -> None:
    asset = {"provider": "Aa", "meter": ADDRESS, "method": "solar", "start": 0, "end": 1800, "wh": 5,
             "owner": ADDRESS, "expires": 9000, "trade": "completed", "cert": "ab" * 32}
    pack_value("asset/" + "ab" * 32, asset, encode_state(asset))
    from ledger import _state_codec

    packed = _state_codec.pack_asset(asset, compact._RAW_ADDRESSES)
    assert packed is not None and packed == pack_value("asset/" + "ab" * 32, asset, encode_state(asset))
    assert _state_codec.pack_asset(asset, {}) is None  # an address not yet known: the Python code's


@given(asset=st.one_of(asset_values, odd_assets))
def test_the_compiled_unpacking_gives_what_the_python_one_gives(asset: dict[Any, Any]) -> None:
    key = "asset/" + "ef" * 32
    stored = pack_value(key, asset, encode_state(asset))
    compiled = unpack_value(key, stored)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compact, "CODEC", False)
        reference = unpack_value(key, stored)
    assert compiled == reference
    assert list(compiled[1].items()) == list(reference[1].items())  # the same keys in the same order
    assert [type(v) for v in compiled[1].values()] == [type(v) for v in reference[1].values()]


@pytest.mark.skipif(not state_encoding.CODEC, reason="ledger/_state_codec is not built")
def test_the_compiled_unpacking_is_used_for_nine_fields_of_known_addresses() -> None:
    from ledger import _state_codec

    asset = {"provider": "Aa", "meter": ADDRESS, "method": "solar", "start": 0, "end": 1800, "wh": 5,
             "owner": ADDRESS, "expires": 9000, "trade": "open"}
    key = "asset/" + "ab" * 32
    body = pack_value(key, asset, encode_state(asset))[1:]
    unpack_value(key, b"\x01" + body)  # its addresses are known now
    assert _state_codec.unpack_asset(body, compact._ADDRESSES) == (encode_state(asset), asset)
    assert _state_codec.unpack_asset(body, {}) is None  # an address not yet known: the Python code's
    certified = {**asset, "trade": "completed", "cert": "ab" * 32}  # ten fields: the Python code's
    assert _state_codec.unpack_asset(pack_value(key, certified, encode_state(certified))[1:],
                                     compact._ADDRESSES) is None
    for odd in (b"\x83\x01\x02\x03", b"\xff", body + b"\x00", body[:-1] + b"\x02", body[:-1] + b"\xf5"):
        assert _state_codec.unpack_asset(odd, compact._ADDRESSES) is None  # the Python code says what is wrong
    with pytest.raises(StoreError, match="is not a stored asset"):
        unpack_value(key, b"\x01" + body[:-1] + b"\x02")  # a trade past the two there are


@given(key=st.text(max_size=80), value=st.dictionaries(texts, st.one_of(ints, texts, st.binary()), max_size=5))
def test_other_state_values_and_keys_round_trip(key: str, value: dict[str, Any]) -> None:
    encoded = encode_state(value)
    stored = pack_value(key, value, encoded)
    assert unpack_value(key, stored) == (encoded, value)
    assert unpack_key(pack_key(key)) == key


def test_assets_with_unexpected_fields_are_stored_as_they_are() -> None:
    odd = {"provider": "Aa", "meter": "not an address", "method": "solar", "start": 0, "end": 1, "wh": 1,
           "owner": ADDRESS, "expires": 2, "trade": "open"}
    stored = pack_value("asset/" + "ab" * 32, odd, encode_state(odd))
    assert stored[0] == FORM_RAW
    assert unpack_value("asset/" + "ab" * 32, stored) == (encode_state(odd), odd)


def test_many_addresses_round_trip_past_the_remembered_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compact, "_MAX_RAW", 8)  # the memory of addresses starts again every eight
    key = "asset/" + "cd" * 32
    for i in range(30):
        meter = SigningKey.derive(f"test/meter/{i % 12}").public.address
        asset = {"provider": "Aa", "meter": meter, "method": "solar", "start": i, "end": i + 1, "wh": 1,
                 "owner": ADDRESS, "expires": 2, "trade": "open"}
        stored = pack_value(key, asset, encode_state(asset))
        assert stored[0] == FORM_ASSET and unpack_value(key, stored) == (encode_state(asset), asset)
        assert len(compact._RAW_ADDRESSES) <= 8
        upper = {**asset, "meter": meter.upper()}  # not an address, however like a remembered one
        assert pack_value(key, upper, encode_state(upper))[0] == FORM_RAW


@pytest.mark.parametrize("blob, message", [
    (b"", "found 0 bytes"),
    (b"\x07abc", "expected a transaction form 0 or 1, found 7"),
    (b"\x01\xff", "a stored reading does not decode"),
])
def test_damaged_transactions_are_store_errors(blob: bytes, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        unpack_tx(blob, CHAIN)


@pytest.mark.parametrize("key, blob, message", [
    ("asset/" + "ab" * 32, b"\x01\x83\x01\x02\x03", "is not a stored asset"),
    ("cert/x", b"\x01\x80", "is not a stored asset"),
    ("asset/" + "ab" * 32, b"\x01\xff", "does not decode"),
])
def test_damaged_values_are_store_errors(key: str, blob: bytes, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        unpack_value(key, blob)


def test_damaged_keys_are_store_errors() -> None:
    for blob in (b"\x01" + b"\x00" * 31, b"\x09abc", b"\x00\xff"):
        with pytest.raises(StoreError):
            unpack_key(blob)


def test_a_store_of_format_1_is_rewritten_without_changing_anything(ledger_world: LedgerWorld,
                                                                    tmp_path: Path) -> None:
    w = ledger_world
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        asset = w.new_asset(node, 2, 10_000)
        cert = w.issue([w.commit(node, w.allocate([(asset, 4_000)]))["result"]["assets"][0]])
        w.commit(node, cert)
        before = (node.status(), node.tx(cert.tx_id), node.tx(asset), node.assets(w.user.address))
    finally:
        node.close()
    db_path = tmp_path / "node" / "ledger.sqlite"
    _rewrite_as_format_1(db_path)
    node = w.open_node(tmp_path / "node", ManualClock())
    try:
        assert (node.status(), node.tx(cert.tx_id), node.tx(asset), node.assets(w.user.address)) == before
        w.commit(node, w.allocate([(asset, 1_000)]))  # and it goes on in the new format
        assert recompute_state_root(db_path).hex() == node.status()["state_root"]
    finally:
        node.close()
    store = Store(db_path)
    try:
        assert store.get_meta("format") == "14"
    finally:
        store.close()


def _rewrite_as_format_1(db_path: Path) -> None:
    """The layout of format 1: transactions keyed by id with their raw bytes, text state keys, no format."""
    db = sqlite3.connect(db_path, isolation_level=None)
    try:
        txs = db.execute("SELECT seq, stored, result FROM txs")
        rows = [(sha256(raw), s >> 16, s & 0xFFFF, raw, r)
                for s, b, r in txs.fetchall() for raw in (unpack_tx(bytes(b), CHAIN),)]
        state = [(unpack_key(bytes(k)), bytes(v)) for k, v in db.execute("SELECT key, value FROM state")]
        state = [(k, unpack_value(k, v)[0]) for k, v in state]
        db.executescript("BEGIN; DROP TABLE txs; DROP TABLE tx_ids; DROP TABLE state; "
                         "DELETE FROM meta WHERE key = 'format';"
                         "CREATE TABLE txs (tx_id BLOB PRIMARY KEY, height INTEGER NOT NULL, idx INTEGER NOT NULL, "
                         "raw BLOB NOT NULL, result BLOB NOT NULL) WITHOUT ROWID;"
                         "CREATE INDEX txs_by_block ON txs(height, idx);"
                         "CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;")
        db.executemany("INSERT INTO txs VALUES (?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO state VALUES (?, ?)", state)
        db.execute("COMMIT")
    finally:
        db.close()


def test_a_store_of_an_unknown_format_is_refused(tmp_path: Path) -> None:
    store = Store(tmp_path / "ledger.sqlite")
    store.set_meta("format", "15")
    store.close()
    with pytest.raises(StoreError, match=r"expected a ledger store of format 14 in .*, found format 15"):
        Store(tmp_path / "ledger.sqlite")
