from __future__ import annotations

from collections.abc import Iterator

import pytest

from greencert.demo import Demo
from tests.helpers.demo import running_demo


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory.mktemp("demo"), days=2) as running:
        yield running
