"""Admission's envelope decoding (``ledger.envelope``): the compiled ``_state_codec.decode_canonical`` answers only
what ``ledger_lite.encoding.decode`` (the reference) answers, with the same value, and leaves everything else to it."""

from __future__ import annotations

import random
from typing import Any

import pytest

from ledger import state_encoding
from ledger.envelope import decode_envelope
from ledger_lite import EncodingError, SigningKey, decode_tx, sign_tx
from ledger_lite.encoding import MAX_DEPTH, canonical, decode

if state_encoding.CODEC:
    from ledger import _state_codec

pytestmark = pytest.mark.skipif(not state_encoding.CODEC, reason="ledger/_state_codec is not built")

KEY = SigningKey.generate()


def same(a: Any, b: Any) -> bool:
    """Equal and of the very same types all through (``True == 1`` in Python, not here), map keys in order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def agrees(data: bytes) -> bool:
    """``decode_canonical`` answers None, or what the reference decodes (and the reference does not refuse)."""
    answer = _state_codec.decode_canonical(data)
    if answer is None:
        return True
    try:
        return same(answer, decode(data))
    except EncodingError:
        return False


def envelopes() -> list[bytes]:
    bodies: list[dict[str, Any]] = [
        {"provider": "P1", "method": "solar", "start": 1_790_780_400, "end": 1_790_782_200, "wh": 1_000,
         "owner": "gc" + "ab" * 20},
        {"to": "gc" + "cd" * 20, "usage_start": 0, "usage_end": 1, "parts": [{"asset": "ef" * 32, "wh": 5}] * 3},
        {"nested": [[[]], {"": None, "a": True, "b": False}], "neg": -(2**64), "big": 2**64 - 1, "raw": b"\x00\xff",
         "text": "需要家 Ca", "emoji": "\U0001F600"},
        {},
    ]
    return [sign_tx(KEY, chain="test", type="t.x", body=body, nonce=n, time=n * 7).encode()
            for n, body in enumerate(bodies)]


def test_canonical_envelopes_decode_to_the_same_transaction() -> None:
    for raw in envelopes():
        assert same(_state_codec.decode_canonical(raw), decode(raw))
        fast, reference = decode_envelope(raw), decode_tx(raw)
        assert fast == reference and fast.tx_id == reference.tx_id
        assert fast.signing_bytes() == reference.signing_bytes()
        fast.verify_signature()


def test_mutated_envelopes_are_never_taken_unless_the_reference_takes_them_alike() -> None:
    rng = random.Random(16)
    taken = 0
    for raw in envelopes():
        for _ in range(3_000):
            data = bytearray(raw)
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(len(data))
                kind = rng.randrange(4)
                if kind == 0:
                    data[at] ^= 1 << rng.randrange(8)
                elif kind == 1:
                    data[at] = rng.randrange(256)
                elif kind == 2:
                    data.insert(at, rng.randrange(256))
                elif len(data) > 1:
                    del data[at]
            assert agrees(bytes(data)), bytes(data).hex()
            taken += _state_codec.decode_canonical(bytes(data)) is not None
    assert taken > 0  # some mutations stay canonical (a changed byte inside a string, say)


@pytest.mark.parametrize("data", [
    b"", b"\x18\x05", b"\x19\x00\xff", b"\x1a\x00\x00\xff\xff", b"\x1b\x00\x00\x00\x00\xff\xff\xff\xff",  # long heads
    b"\x5f\x41\x00\xff", b"\x7f\x61a\xff", b"\x9f\x01\xff", b"\xbf\x61a\x01\xff",  # indefinite lengths
    b"\xc2\x49\x01\x00\x00\x00\x00\x00\x00\x00\x00",  # a bignum (the reference takes it)
    b"\xc1\x01", b"\xf9\x3c\x00", b"\xfb" + bytes(8), b"\xf7", b"\xf0", b"\xf8\x20", b"\xff",  # tags, floats, simple
    b"\xa2\x61a\x01\x61a\x02", b"\xa2\x61b\x01\x61a\x02", b"\xa2\x62aa\x01\x61b\x02", b"\xa1\x01\x02",  # map keys
    b"\x62\xff\xfe", b"\x63\xed\xa0\x80", b"\xa1\x62\xc3\x28\x01",  # invalid UTF-8, a surrogate
    b"\x01\x02", b"\x82\x01", b"\x42\x01", b"\x9b" + b"\xff" * 8, b"\xbb" + b"\xff" * 8,  # left over, cut short
    b"\x1b" + b"\xff" * 8, b"\x3b" + b"\xff" * 8, b"\x3b\x7f" + b"\xff" * 7, b"\xf6", b"\xf5", b"\xa0", b"\x80",
])
def test_edges_agree_with_the_reference(data: bytes) -> None:
    assert agrees(data)


def test_the_deepest_nesting_the_reference_takes_is_taken() -> None:
    deepest: Any = 1
    for _ in range(MAX_DEPTH):
        deepest = [deepest]
    assert same(_state_codec.decode_canonical(canonical(deepest)), deepest)
    too_deep = bytes([0x81]) * (MAX_DEPTH + 1) + b"\x01"
    assert _state_codec.decode_canonical(too_deep) is None
    with pytest.raises(EncodingError):
        decode(too_deep)


def random_value(rng: random.Random, depth: int = 0) -> Any:
    """A value of what the ledger encodes: integers of up to 64 bits, bytes, text of 1- to 4-byte characters, booleans,
    null, and (up to 5 levels) arrays and maps."""
    kind = rng.randrange(9 if depth < 5 else 7)
    if kind == 0:
        return rng.randint(-(2**64), 2**64 - 1)
    if kind == 1:
        return rng.randint(-30, 30)
    if kind == 2:
        return rng.randbytes(rng.randrange(30))
    if kind == 3:
        points = (rng.choice([rng.randrange(32, 127), rng.randrange(0x80, 0x800), rng.randrange(0xE000, 0x110000)])
                  for _ in range(rng.randrange(8)))
        return "".join(map(chr, points))
    if kind < 7:
        return (True, False, None)[kind - 4]
    if kind == 7:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {f"k{rng.randrange(100)}": random_value(rng, depth + 1) for _ in range(rng.randrange(5))}


def test_random_canonical_values_decode_alike() -> None:
    rng = random.Random(3)
    for _ in range(2_000):
        data = canonical(random_value(rng))
        answer, reference = _state_codec.decode_canonical(data), decode(data)
        assert (answer is None and reference is None) or same(answer, reference), data.hex()


def test_a_refused_envelope_is_refused_with_the_reference_s_words() -> None:
    raw = envelopes()[0]
    with pytest.raises(EncodingError) as fast:
        decode_envelope(raw + b"\x00")
    with pytest.raises(EncodingError) as reference:
        decode_tx(raw + b"\x00")
    assert str(fast.value) == str(reference.value)
