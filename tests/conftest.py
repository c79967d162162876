"""Checks on the whole suite's collection, and what every test gets back as it was."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test item has its own node id: pytest-xdist hands items out by id, so items that share one would run
    only once (a parametrisation without ids, say) and the others would be lost without a word."""
    shared = sorted(node_id for node_id, count in Counter(item.nodeid for item in items).items() if count > 1)
    if shared:
        raise pytest.UsageError(f"expected one test item per node id, found {len(shared)} ids used more than once: "
                                f"{', '.join(shared[:5])}")


@pytest.fixture(autouse=True)
def _collector_as_it_was() -> Iterator[None]:
    """A test that runs a serving command in this process (``greencert demo``) freezes what the process holds out
    of the cycle collector's passes (``gc.freeze``) and may space its passes out (``gc.set_threshold``); both are
    undone after it, so that no later test inherits them."""
    thresholds = gc.get_threshold()
    yield
    if gc.get_freeze_count():
        gc.unfreeze()
    if gc.get_threshold() != thresholds:
        gc.set_threshold(*thresholds)
