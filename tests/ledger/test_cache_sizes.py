"""``ledger.cache_sizes``: the memory an operator gives a node's state caches, as cached tree nodes and values."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.cache_sizes import DEFAULT_CACHES, MIN_MEGABYTES, VALUE_BYTES, CacheSizeError, CacheSizes
from ledger.node import open_node
from ledger.state_stored import DEFAULT_VALUES
from ledger.state_tree import DEFAULT_CAPACITY, MAX_WRITE, NODES_PER_LEAF
from tests.helpers.ledger_world import LedgerWorld, ManualClock


def test_the_default_caches_are_the_stores_defaults_and_say_what_they_take() -> None:
    assert (DEFAULT_CACHES.tree, DEFAULT_CACHES.values) == (DEFAULT_CAPACITY, DEFAULT_VALUES)
    assert DEFAULT_CACHES.megabytes == 850
    assert DEFAULT_CACHES.describe() == ("4,600,000 state tree nodes (and up to 1,300,000 changed ones not "
                                         "written yet) and 98,304 state values, ~850 MB at most")


def test_a_budget_is_split_as_the_defaults_are() -> None:
    same = CacheSizes.from_megabytes(DEFAULT_CACHES.megabytes)
    assert abs(same.tree - DEFAULT_CACHES.tree) <= DEFAULT_CACHES.tree // 1000
    assert abs(same.values - DEFAULT_CACHES.values) <= DEFAULT_CACHES.values // 1000
    big = CacheSizes.from_megabytes(1000)
    assert big.megabytes == 1000
    values_share = DEFAULT_CACHES.values * VALUE_BYTES / DEFAULT_CACHES.bytes_at_most
    assert big.values * VALUE_BYTES / big.bytes_at_most == pytest.approx(values_share, rel=1e-3)
    for megabytes in (100, 2000):  # half again unwritten below twice MAX_WRITE entries, MAX_WRITE above
        sized = CacheSizes.from_megabytes(megabytes)
        assert sized.megabytes == megabytes
        assert (sized.tree < 2 * MAX_WRITE) == (megabytes == 100)
    assert CacheSizes.from_megabytes(MIN_MEGABYTES).tree >= 16


@pytest.mark.parametrize("leaves", [0, 100, 1_780_871, 10_000_000])
def test_the_budget_that_holds_a_tree_is_the_smallest_that_holds_it_and_a_tenth_more(leaves: int) -> None:
    wanted = leaves * NODES_PER_LEAF * 1.1
    sized = CacheSizes.holding(leaves)
    assert sized.tree >= wanted
    if sized.megabytes > MIN_MEGABYTES:
        assert CacheSizes.from_megabytes(sized.megabytes - 1).tree < wanted
    assert (sized.megabytes > DEFAULT_CACHES.megabytes) == (wanted > DEFAULT_CACHES.tree)


@pytest.mark.parametrize("leaves", [-1, 2.5, True, "10"])
def test_a_tree_size_that_is_not_a_count_is_refused(leaves: object) -> None:
    with pytest.raises(CacheSizeError) as refused:
        CacheSizes.holding(leaves)  # type: ignore[arg-type]
    assert refused.value.message == f"expected a number of leaves (a whole number, 0 or more), found {leaves!r}"


@pytest.mark.parametrize("megabytes", [MIN_MEGABYTES - 1, 0, -5, True, 310.5, "310"])
def test_a_budget_below_the_minimum_or_not_a_whole_number_is_refused(megabytes: object) -> None:
    with pytest.raises(CacheSizeError) as refused:
        CacheSizes.from_megabytes(megabytes)  # type: ignore[arg-type]
    assert refused.value.message == (f"expected a cache of at least {MIN_MEGABYTES} MB (a whole number), found "
                                     f"{megabytes!r}")


def test_a_node_opened_with_caches_holds_at_most_what_they_say(tmp_path: Path) -> None:
    world = LedgerWorld()
    caches = CacheSizes.from_megabytes(20)
    node = open_node(tmp_path / "node", world.genesis(), world.validator, clock=ManualClock(), caches=caches)
    try:
        assert (node.store.tree.capacity, node.store.value_cache) == (caches.tree, caches.values)
        assert caches.tree < DEFAULT_CAPACITY
    finally:
        node.close()
