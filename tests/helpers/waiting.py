"""Waiting in tests for what another thread does (a node's producer when it is idle)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], object], seconds: float = 10.0) -> bool:
    """Whether ``condition()`` turns true within ``seconds``, asked every 20 ms."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return bool(condition())
