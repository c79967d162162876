"""``ledger.lru_order.LruOrder`` and its compiled form ``_smt_native.LruOrder``: the order an ``OrderedDict`` keeps,
out of the cycle collector's sight."""

from __future__ import annotations

import gc
import random
from collections import OrderedDict

import pytest

from ledger.lru_order import LruOrder
from ledger_lite.smt_tree import NATIVE
from tests.helpers.packed_rows import packed

if NATIVE:
    from ledger_lite import _smt_native

# Both forms, the same tests: the stored tree takes the compiled one where the module was built.
ORDERS = [pytest.param(LruOrder, id="python"),
          pytest.param(_smt_native.LruOrder if NATIVE else None, id="compiled",
                       marks=pytest.mark.skipif(not NATIVE, reason="ledger_lite._smt_native was not built"))]


@pytest.mark.parametrize("order_type", ORDERS)
def test_it_keeps_the_order_of_an_ordered_dict_through_random_use(order_type: type[LruOrder]) -> None:
    rng = random.Random(16)
    order, expected = order_type(), OrderedDict[int, None]()
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


@pytest.mark.parametrize("order_type", ORDERS)
def test_keys_given_at_first_are_oldest_first(order_type: type[LruOrder]) -> None:
    order = order_type([5, 3, 9])
    order.touch(5)
    assert list(order) == [3, 9, 5]
    assert [order.pop_oldest() for _ in range(3)] == [3, 9, 5]


@pytest.mark.parametrize("order_type", ORDERS)
def test_taking_from_an_empty_order_says_so(order_type: type[LruOrder]) -> None:
    order = order_type([1])
    order.pop_oldest()
    with pytest.raises(KeyError, match="no keys"):
        order.pop_oldest()
    order.add(2)  # still usable afterwards
    assert order.pop_oldest() == 2


@pytest.mark.parametrize("order_type", ORDERS)
@pytest.mark.parametrize("key", [0, -3, -(2 ** 70)])
def test_a_key_that_is_no_heap_index_is_refused(order_type: type[LruOrder], key: int) -> None:
    order = order_type()
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


@pytest.mark.skipif(not NATIVE, reason="ledger_lite._smt_native was not built")
def test_the_compiled_order_holds_no_objects_for_the_collector_and_keys_either_side_of_a_word() -> None:
    order = _smt_native.LruOrder([2 ** 63 - 1, 2 ** 63, 2 ** 64 + 5, 1])
    assert not gc.is_tracked(order)
    order.touch(2 ** 63)
    order.touch_present([2 ** 64 + 5, 2 ** 64 + 6, "no key", 0])
    assert list(order) == [2 ** 63 - 1, 1, 2 ** 63, 2 ** 64 + 5]
    assert [order.pop_oldest() for _ in range(4)] == [2 ** 63 - 1, 1, 2 ** 63, 2 ** 64 + 5]
    order.add(2 ** 63)  # a key from 2^63 on that left comes back as new
    assert list(order) == [2 ** 63] and 2 ** 64 + 5 not in order


@pytest.mark.skipif(not NATIVE, reason="ledger_lite._smt_native was not built")
def test_the_compiled_order_touches_the_parents_of_written_rows_as_a_loop_of_touches_does() -> None:
    """``touch_parents``, ``StoredTree.written``'s loop: each row's parent in turn, those below the pinned ones left
    out (the root's parent, 0, among them), down to positions beyond a machine word."""
    rows = [(index, b"node") for index in [40, 41, 9, 2 ** 64 + 3, 20, 5, 1, 3, 2 ** 64 + 2]]
    compiled, python = _smt_native.LruOrder([2, 10, 20, 4, 7]), LruOrder([2, 10, 20, 4, 7])
    compiled.touch_parents(rows, 4)
    for index, _ in rows:
        if index >> 1 >= 4:
            python.touch(index >> 1)
    assert list(compiled) == list(python) == [2, 7, 20, 4, 10, 2 ** 63 + 1]
    with pytest.raises(ValueError, match="expected a position of at least 1"):
        compiled.touch_parents([(0, b"node")], 4)
    with pytest.raises(ValueError, match="expected packed positions of 8 bytes each, found 7"):
        compiled.touch_parents([], 4, bytes(7))
    with pytest.raises(ValueError, match="expected packed positions of at least 1"):
        compiled.touch_parents([], 4, bytes(8))
    with pytest.raises(TypeError, match="expected a row as"):
        compiled.touch_parents([(b"40", b"node")], 4)


@pytest.mark.skipif(not NATIVE, reason="ledger_lite._smt_native was not built")
def test_the_compiled_order_touches_the_parents_of_packed_positions_after_the_rows() -> None:
    """The positions ``_smt_native.pending`` packs (``ledger.tree_groups.PackedRows``: leaves flagged) are touched
    after the rows, as the same loop over both would."""
    rows = [(2 ** 64 + 3, b"node")]
    written = [(40, bytes(32)), (41, bytes(64)), (9, bytes(32)), (20, bytes(64)), (5, bytes(32)), (1, bytes(32))]
    compiled, python = _smt_native.LruOrder([2, 10, 20, 4, 7]), LruOrder([2, 10, 20, 4, 7])
    compiled.touch_parents(rows, 4, packed(written).indexes)
    for index in [2 ** 64 + 3, *(index for index, _ in written)]:
        if index >> 1 >= 4:
            python.touch(index >> 1)
    assert list(compiled) == list(python) == [2, 7, 2 ** 63 + 1, 20, 4, 10]
