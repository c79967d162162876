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


@pytest.fixture
def pw_any(tmp_path: Path, db_url: str) -> Iterator[IntermediaryWorld]:
    """``pw`` once on each engine: SQLite, and a fresh database on the session's PostgreSQL server."""
    world = portal_world(tmp_path, db_url)
    yield world
    world.close()
