from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.intermediary_world import IntermediaryWorld
from tests.helpers.portal import portal_world


@pytest.fixture
def pw(tmp_path: Path) -> Iterator[IntermediaryWorld]:
    """A fresh intermediary (SQLite) over a fresh node, with the portal's providers and accounts."""
    world = portal_world(tmp_path)
    yield world
    world.close()
