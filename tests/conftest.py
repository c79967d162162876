"""Checks on the whole suite's collection."""

from __future__ import annotations

from collections import Counter

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test item has its own node id: pytest-xdist hands items out by id, so items that share one would run
    only once (a parametrisation without ids, say) and the others would be lost without a word."""
    shared = sorted(node_id for node_id, count in Counter(item.nodeid for item in items).items() if count > 1)
    if shared:
        raise pytest.UsageError(f"expected one test item per node id, found {len(shared)} ids used more than once: "
                                f"{', '.join(shared[:5])}")
