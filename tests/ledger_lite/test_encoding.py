"""Deterministic CBOR (RFC 8949 §4.2): what is encoded, what is refused, and which bytes decode."""

from __future__ import annotations

import hashlib
from typing import Any

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_lite import EncodingError, canonical, decode, digest, sha256
from ledger_lite.encoding import MAX_DEPTH


def nested(depth: int) -> Any:
    """``depth`` lists around the integer 1: ``nested(2) == [[1]]``."""
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def test_map_keys_are_sorted_whatever_the_insertion_order() -> None:
    assert canonical({"b": 1, "a": 2}) == canonical({"a": 2, "b": 1}) == bytes.fromhex("a2616102616201")


def test_shorter_text_keys_sort_first() -> None:
    # For text keys the header byte grows with the length, so bytewise and length-first order agree.
    assert canonical({"aa": 1, "z": 2, "b": 3}) == bytes.fromhex("a3616203617a02626161" "01")


def test_mixed_map_keys_where_orders_differ_are_refused() -> None:
    # RFC 8949 §4.2.1 orders 10, 100, -1, "z", "aa" bytewise; cbor2 sorts length-first. Text keys only.
    with pytest.raises(EncodingError, match="expected text map keys, found int"):
        canonical({"aa": 0, "z": 0, -1: 0, 100: 0, 10: 0})


@pytest.mark.parametrize(("value", "encoded"), [
    (0, "00"), (23, "17"), (24, "1818"), (1000, "1903e8"), (-1, "20"), (2**32, "1b0000000100000000"),
    ("", "60"), ("é", "62c3a9"), (b"\x01", "4101"), ([], "80"), ({}, "a0"), (True, "f5"), (None, "f6"),
])
def test_items_use_the_shortest_form(value: Any, encoded: str) -> None:
    assert canonical(value).hex() == encoded
    assert decode(bytes.fromhex(encoded)) == value


@pytest.mark.parametrize("value", [1.0, 0.5, float("nan"), {"wh": 1.5}, [1, [2.0]]])
def test_floats_are_refused(value: Any) -> None:
    with pytest.raises(EncodingError, match="expected integers only, found float"):
        canonical(value)


@pytest.mark.parametrize(("value", "found"), [
    ({b"k": 1}, "bytes"), ({True: 1}, "bool"), ({(1, 2): 1}, "tuple"), ({None: 1}, "NoneType"), ({1: 1}, "int"),
    ({-1: 1, 100: 2}, "int"),
])
def test_map_keys_must_be_text(value: Any, found: str) -> None:
    """Text keys only: for them cbor2's length-first order equals RFC 8949 §4.2.1's bytewise order."""
    with pytest.raises(EncodingError, match=f"expected text map keys, found {found}"):
        canonical(value)


@pytest.mark.parametrize("value", [object(), {1, 2}, bytearray(b"x"), 1j])
def test_other_python_types_are_refused(value: Any) -> None:
    with pytest.raises(EncodingError, match="expected a CBOR data item, found"):
        canonical(value)


def test_depth_up_to_the_limit_is_accepted() -> None:
    encoded = canonical(nested(MAX_DEPTH))
    assert decode(encoded) == nested(MAX_DEPTH)
    assert canonical({"a": nested(MAX_DEPTH - 1)})


@pytest.mark.parametrize("value", [nested(MAX_DEPTH + 1), {"a": nested(MAX_DEPTH)}, nested(200)])
def test_deeper_nesting_is_refused(value: Any) -> None:
    with pytest.raises(EncodingError, match=f"expected nesting of at most {MAX_DEPTH} levels, found deeper"):
        canonical(value)


def test_deep_bytes_are_refused_on_decode() -> None:
    data = b"\x81" * (MAX_DEPTH + 1) + b"\x01"  # 17 one-item arrays around 1
    with pytest.raises(EncodingError, match="nesting of at most 16"):
        decode(data)


@pytest.mark.parametrize(("hex_bytes", "defect"), [
    ("a2616202616101", "unsorted map keys"),
    ("1805", "integer 5 in two bytes"),
    ("190001", "integer 1 in three bytes"),
    ("5801ff", "byte string length in an extra byte"),
    ("9f01ff", "indefinite-length array"),
    ("7f6161ff", "indefinite-length text"),
    ("a2616101616102", "duplicate map key"),
    ("0102", "trailing bytes"),
])
def test_non_canonical_bytes_are_refused(hex_bytes: str, defect: str) -> None:
    with pytest.raises(EncodingError, match="expected deterministic CBOR, found a non-canonical encoding"):
        decode(bytes.fromhex(hex_bytes))
    decode(bytes.fromhex(hex_bytes), require_canonical=False)  # well-formed all the same ({defect})


@pytest.mark.parametrize(("hex_bytes", "match"), [
    ("f93c00", "expected integers only, found float 1.0"),
    ("fb3ff8000000000000", "found float 1.5"),
    ("d86301", "expected an untagged data item, found tag 99"),
    ("c11a5bd05a00", "expected a CBOR data item, found datetime"),  # tag 1: cbor2 makes it a datetime
    ("81d86301", "expected a CBOR data item, found CBORTag"),
    ("ff", "expected well-formed CBOR"),
    ("", "expected well-formed CBOR"),
    ("62c3", "expected well-formed CBOR"),
])
def test_malformed_or_forbidden_bytes_are_refused(hex_bytes: str, match: str) -> None:
    with pytest.raises(EncodingError, match=match):
        decode(bytes.fromhex(hex_bytes))


def test_digest_is_sha256_of_the_canonical_bytes() -> None:
    value = {"wh": 1200, "start": 1_790_812_800, "owner": "gc1" + "0" * 40}
    assert digest(value) == hashlib.sha256(canonical(value)).digest() == sha256(canonical(value))
    assert digest(value) == digest(dict(reversed(list(value.items()))))


cbor_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**64), max_value=2**64 - 1) | st.text(max_size=20)
    | st.binary(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(cbor_values)
def test_round_trip_is_exact(value: Any) -> None:
    encoded = canonical(value)
    assert decode(encoded) == value
    assert canonical(decode(encoded)) == encoded


@settings(max_examples=300, deadline=None)
@given(cbor_values, st.booleans())
def test_canonical_check_agrees_with_encoding_again(value: Any, shuffle_first: bool) -> None:
    """``decode`` accepts exactly the bytes that encoding the decoded value again canonically reproduces,
    for maps in any key order (non-ASCII keys too: their UTF-8 length ranks them)."""
    if shuffle_first and isinstance(value, dict):
        value = dict(reversed(list(value.items())))
    data = cbor2.dumps(value)  # its maps in the order hypothesis made them, not sorted
    expected = cbor2.dumps(cbor2.loads(data), canonical=True) == data
    if expected:
        assert decode(data) == value
    else:
        with pytest.raises(EncodingError, match="found a non-canonical encoding"):
            decode(data)


@pytest.mark.parametrize(("keys", "in_order"), [
    (["a", "b"], True), (["b", "a"], False), (["z", "aa"], True), (["aa", "z"], False),
    (["é", "ab"], False), (["ab", "é"], True),  # "é" is two bytes of UTF-8: it ranks with the two-letter keys
    (["z", "é"], True), (["é", "z"], False), (["zz", "é"], True), (["é", "zz"], False),
])
def test_map_keys_rank_by_utf8_length_then_bytes(keys: list[str], in_order: bool) -> None:
    data = cbor2.dumps({"outer": [{key: 0 for key in keys}]})
    if in_order:
        assert list(decode(data)["outer"][0]) == keys
    else:
        with pytest.raises(EncodingError, match="non-canonical"):
            decode(data)
