"""``ledger.state_encoding``: a map of text keys and values that are scalars or lists of them is written by the
compiled ``_state_codec.encode_map``, to the very bytes of cbor2's canonical encoder; anything else goes through
that encoder."""

from __future__ import annotations

import random
from typing import Any

import cbor2
import pytest

from ledger import state_encoding
from ledger.rules.asset_record import generated_record
from ledger.state_encoding import encode_state

if state_encoding.CODEC:
    from ledger import _state_codec

compiled = pytest.mark.skipif(not state_encoding.CODEC, reason="ledger/_state_codec is not built")

KEYS = ["a", "b", "wh", "end", "zz", "meter", "owner", "start", "trade", "method", "expires", "provider", "é", "ab",
        "ba", "x" * 23, "y" * 24, "z" * 255, "w" * 256, "v" * 70_000]
SCALARS: list[Any] = [0, 1, -1, 23, 24, -24, -25, 255, 256, 65_535, 65_536, 2**32 - 1, 2**32, -2**40, 2**63 - 1,
                      2**63, 2**64 - 1, -2**63, "", "text", "é" * 30, "x" * 300, b"", b"\x00" * 40, b"y" * 70_000,
                      True, False, None]


def canonical(value: Any) -> bytes:
    return bytes(cbor2.dumps(value, canonical=True))


def nested_list(rng: random.Random, depth: int) -> list[Any]:
    """A list of up to 30 scalars and, above ``depth`` 0, lists of them."""
    return [nested_list(rng, depth - 1) if depth and rng.random() < 0.3 else rng.choice(SCALARS)
            for _ in range(rng.choice((0, 1, 2, 3, 23, 24, 30)))]


def test_maps_in_any_order_with_any_scalars_give_the_canonical_bytes() -> None:
    rng = random.Random(3)
    for _ in range(3_000):
        keys = rng.sample(KEYS, rng.randint(0, len(KEYS)))
        value: dict[str, Any] = {key: rng.choice(SCALARS) for key in keys}
        if state_encoding.CODEC:
            assert _state_codec.encode_map(value) == canonical(value), value
        assert encode_state(value) == canonical(value), value


def test_lists_of_scalars_nested_up_to_four_deep_give_the_canonical_bytes() -> None:
    rng = random.Random(4)
    for _ in range(1_500):
        keys = rng.sample(KEYS[:12], rng.randint(0, 12))
        value: dict[str, Any] = {key: nested_list(rng, 3) if rng.random() < 0.5 else rng.choice(SCALARS)
                                 for key in keys}
        if state_encoding.CODEC:
            assert _state_codec.encode_map(value) == canonical(value), value
        assert encode_state(value) == canonical(value), value
    intervals = {"covered": [[1_790_780_400, 1_790_782_200], [1_790_800_000, 1_790_900_000]]}  # a meter's record
    assert encode_state(intervals) == canonical(intervals)


@pytest.mark.parametrize("value", [
    {"a": {"b": 1, "a": 2}}, {"a": [{"zz": 1, "a": 0}]}, {"a": [1, [2, 1.5]]}, {"a": (1, 2)}, {"a": [[[[[1]]]]]},
    {"a": [1, [2, 2**64]]}, {"a": 1.5}, {"a": 2**64}, {"a": -2**63 - 1},
    {1: "x", "a": 2}, {b"a": 1}, {"a": "\ud800"}, {"\ud800": 1}, {f"k{n}": n for n in range(65)},
    [{"b": 1, "a": 2}], "text", 7, None,
], ids=["map inside", "map in a list", "float in a list", "tuple", "five lists deep", "2**64 in a list", "float",
        "2**64", "below -2**63", "int key", "bytes key", "lone surrogate value",
        "lone surrogate key", "65 keys", "a list", "text", "int", "null"])
@compiled
def test_anything_else_is_left_to_cbor2(value: Any) -> None:
    assert _state_codec.encode_map(value) is None
    try:
        expected = canonical(value)
    except (ValueError, UnicodeEncodeError, cbor2.CBOREncodeError) as exc:  # cbor2 refuses a lone surrogate
        with pytest.raises(type(exc)):
            encode_state(value)
    else:
        assert encode_state(value) == expected


@compiled
def test_a_dict_subclass_or_a_text_subclass_is_left_to_cbor2() -> None:
    class Text(str):
        pass

    class Map(dict[str, Any]):
        pass

    class Items(list[int]):
        pass

    assert _state_codec.encode_map(Map(a=1)) is None
    assert _state_codec.encode_map({Text("a"): 1}) is None
    assert _state_codec.encode_map({"a": Text("x")}) is None
    assert _state_codec.encode_map({"a": Items([1])}) is None
    assert _state_codec.encode_map({"a": [Text("x")]}) is None
    assert encode_state(Map(a=1)) == canonical({"a": 1})


def test_records_the_rules_write_give_the_canonical_bytes() -> None:
    record = generated_record("P1", "gc1" + "a" * 40, "wind", 1_790_780_400, 1_790_782_200, 10_000, "gc1" + "b" * 40,
                              1_793_460_000)
    certified = {**record, "trade": "completed", "cert": "c" * 64}  # ``cert`` last, as ledger.rules.certificates
    for value in (record, certified):
        assert encode_state(value) == canonical(value)
    assert list(certified)[-1] == "cert"  # the value itself is left as the rule wrote it


def test_without_the_compiled_encoder_the_bytes_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    values = [{key: rng.choice(SCALARS) for key in rng.sample(KEYS, 6)} for _ in range(50)]
    compiled = [encode_state(value) for value in values]
    monkeypatch.setattr(state_encoding, "CODEC", False)
    assert [encode_state(value) for value in values] == compiled
