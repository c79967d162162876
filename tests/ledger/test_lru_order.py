"""``ledger.lru_order.LruOrder``: the order an ``OrderedDict`` keeps, out of the cycle collector's sight."""

from __future__ import annotations

import gc
import random
from collections import OrderedDict

import pytest

from ledger.lru_order import LruOrder


def test_it_keeps_the_order_of_an_ordered_dict_through_random_use() -> None:
    rng = random.Random(16)
    order, expected = LruOrder(), OrderedDict[int, None]()
    # Keys past a machine word too: they do not fit the array the order is copied into.
    keys = [*range(1, 300), *(2 ** 64 + k for k in range(40)), *(2 ** 200 + k for k in range(5))]
    for step in range(30_000):
        key, action = rng.choice(keys), rng.random()
        if action < 0.35:
            order.touch(key)
            expected[key] = None
            expected.move_to_end(key)
        elif action < 0.6:
            order.add(key)
            expected.setdefault(key, None)
        elif action < 0.75:
            present = rng.sample(keys, 5)
            order.touch_present(present)
            for k in present:
                if k in expected:
                    expected.move_to_end(k)
        elif expected:
            assert order.pop_oldest() == expected.popitem(last=False)[0]
        if step % 1000 == 0:
            assert list(order) == list(expected)
        assert len(order) == len(expected)
        assert (key in order) == (key in expected)
    assert list(order) == list(expected)
    while expected:
        assert order.pop_oldest() == expected.popitem(last=False)[0]
    assert len(order) == 0 and list(order) == []


def test_keys_given_at_first_are_oldest_first() -> None:
    order = LruOrder([5, 3, 9])
    order.touch(5)
    assert list(order) == [3, 9, 5]
    assert [order.pop_oldest() for _ in range(3)] == [3, 9, 5]


def test_taking_from_an_empty_order_says_so() -> None:
    order = LruOrder([1])
    order.pop_oldest()
    with pytest.raises(KeyError, match="no keys"):
        order.pop_oldest()
    order.add(2)  # still usable afterwards
    assert order.pop_oldest() == 2


@pytest.mark.parametrize("key", [0, -3])
def test_a_key_that_is_no_heap_index_is_refused(key: int) -> None:
    order = LruOrder()
    with pytest.raises(ValueError, match=f"expected a positive key, found {key}"):
        order.add(key)
    with pytest.raises(ValueError, match="expected a positive key"):
        order.touch(key)
    assert len(order) == 0


def test_the_cycle_collector_does_not_track_what_it_holds() -> None:
    order = LruOrder(range(1, 10_000))
    for key in range(1, 10_000, 3):
        order.touch(key)
    for _ in range(5_000):
        order.pop_oldest()  # one turn: the young keys became old, copied into the array
    # (The array is tracked, but it holds machine words, not objects: a pass has nothing in it to walk.)
    assert not gc.is_tracked(order._young) and not gc.is_tracked(order._old)
    assert len(order._queue) > 0
