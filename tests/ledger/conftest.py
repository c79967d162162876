"""Fixtures for the node tests: the shared ledger world (tests/helpers/ledger_world.py)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `tests.helpers` is imported by its full name
    sys.path.insert(0, str(ROOT))

from tests.helpers.ledger_world import ledger_clock, ledger_node, ledger_world  # noqa: E402

__all__ = ["ledger_clock", "ledger_node", "ledger_world"]
