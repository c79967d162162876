"""Assertions and look-ups shared by the node tests."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from ledger.errors import NotFound
from ledger.node import Node
from tests.helpers.ledger_world import GENESIS_TIME, HALF_HOUR, LedgerWorld, ManualClock


def assert_rejected(outcome: dict[str, Any], code: str, status: int, match: str) -> None:
    """``outcome`` (a settled block outcome) is a rejection with ``code``/``status`` whose message matches."""
    assert (outcome["code"], outcome["status"]) == (code, status), outcome
    assert re.search(match, outcome["message"]), f"{match!r} not in {outcome['message']!r}"


def fingerprint(node: Node) -> tuple[int, str, str]:
    """Height, state root and head hash: what a rejected transaction must not change."""
    status = node.status()
    return status["height"], status["state_root"], status["head_hash"]


def expires_of(node: Node, asset_id: str) -> int:
    value: dict[str, Any] = node.value(f"asset/{asset_id}")
    return int(value["expires"])


def reading_at(world: LedgerWorld, node: Node, clock: ManualClock) -> str:
    """Commit a reading of the half hour before the clock (a block at the clock's time); its asset id."""
    n = (clock() - GENESIS_TIME) // HALF_HOUR - 1
    return world.new_asset(node, n)


def in_state(node: Node, asset_id: str) -> bool:
    try:
        node.value(f"asset/{asset_id}")
    except NotFound:
        return False
    return True


def rows(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        found = conn.execute(sql, args).fetchall()
    conn.close()
    return found
