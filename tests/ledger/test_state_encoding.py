"""``ledger.state_encoding``: a flat map of text keys is encoded by the plain encoder in canonical key order (put
in that order first when it is not), to the very bytes of the canonical encoder; anything else goes through the
canonical encoder."""

from __future__ import annotations

import random
from typing import Any

import cbor2

from ledger import state_encoding
from ledger.rules.asset_record import generated_record
from ledger.state_encoding import encode_state

KEYS = ["a", "b", "wh", "end", "zz", "meter", "owner", "start", "trade", "method", "expires", "provider", "é",
        "x" * 23, "y" * 24, "z" * 300]
SCALARS: list[Any] = [0, 1, -1, 23, 24, 255, 256, 2**32, -2**40, 2**64 - 1, "", "text", "é" * 30, b"", b"\x00" * 40,
                      True, False, None]


def canonical(value: Any) -> bytes:
    return bytes(cbor2.dumps(value, canonical=True))


def test_maps_in_any_order_with_any_values_give_the_canonical_bytes() -> None:
    rng = random.Random(3)
    for _ in range(2_000):
        keys = rng.sample(KEYS, rng.randint(0, len(KEYS)))
        if rng.random() < 0.5:
            keys.sort(key=lambda k: (len(k.encode()), k.encode()))  # canonical order: the plain encoder's path
        value: dict[str, Any] = {key: rng.choice(SCALARS) for key in keys}
        if keys and rng.random() < 0.2:  # something inside that only the canonical encoder sorts
            value[keys[0]] = rng.choice([{"b": 1, "a": 2}, [{"zz": 1, "a": 0}], [1, 2]])
        assert encode_state(value) == canonical(value), value
    assert encode_state([{"b": 1, "a": 2}]) == canonical([{"b": 1, "a": 2}])
    assert encode_state({1: "x", "a": 2}) == canonical({1: "x", "a": 2})  # a key that is not text


def test_a_new_readings_asset_takes_the_path_without_sorting() -> None:
    record = generated_record("P1", "gc1" + "a" * 40, "wind", 1_790_780_400, 1_790_782_200, 10_000, "gc1" + "b" * 40,
                              1_793_460_000)
    assert encode_state(record) == canonical(record)
    assert state_encoding._SHAPES[tuple(record)] is True


def test_a_certified_asset_is_put_in_canonical_order_once_its_shape_is_known() -> None:
    record = generated_record("P1", "gc1" + "a" * 40, "wind", 1_790_780_400, 1_790_782_200, 10_000, "gc1" + "b" * 40,
                              1_793_460_000)
    certified = {**record, "trade": "completed", "cert": "c" * 64}
    assert encode_state(certified) == canonical(certified)
    order = state_encoding._SHAPES[tuple(certified)]
    assert order == ("wh", "end", "cert", "meter", "owner", "start", "trade", "method", "expires", "provider")
    assert list(certified)[-1] == "cert"  # the value itself is left as the rule wrote it


def test_the_remembered_shapes_stay_bounded() -> None:
    for n in range(state_encoding._MAX_SHAPES + 10):
        value = {f"k{n}": 1, "a": 2}
        assert encode_state(value) == canonical(value)
    assert len(state_encoding._SHAPES) <= state_encoding._MAX_SHAPES
