from __future__ import annotations

from collections.abc import Iterator

import pytest

from greencert.demo import Demo
from tests.helpers.demo import running_demo


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    # 35 days always span two calendar months: two rows per production method for Consumer Ca.
    with running_demo(tmp_path_factory.mktemp("demo"), days=35) as running:
        yield running
