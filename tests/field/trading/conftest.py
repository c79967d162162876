from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.field.trading.world import TradingNode, open_trading_node


@pytest.fixture
def trading_node(tmp_path: Path) -> Iterator[TradingNode]:
    yield from open_trading_node(tmp_path)
