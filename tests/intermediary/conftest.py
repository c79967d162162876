from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from greencert.demo import Demo
from tests.helpers.demo import running_demo
from tests.helpers.intermediary_world import IntermediaryWorld


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    # 35 days always span two calendar months: two rows per production method for Consumer Ca.
    with running_demo(tmp_path_factory.mktemp("demo"), days=35) as running:
        yield running


@pytest.fixture
def iw(tmp_path: Path) -> Iterator[IntermediaryWorld]:
    """A fresh intermediary (own DB) over a fresh real node, in this process."""
    world = IntermediaryWorld.open(tmp_path)
    yield world
    world.close()
