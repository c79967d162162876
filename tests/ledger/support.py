"""Assertions shared by the node tests."""

from __future__ import annotations

import re
from typing import Any

from ledger.node import Node


def assert_rejected(outcome: dict[str, Any], code: str, status: int, match: str) -> None:
    """``outcome`` (a settled block outcome) is a rejection with ``code``/``status`` whose message matches."""
    assert (outcome["code"], outcome["status"]) == (code, status), outcome
    assert re.search(match, outcome["message"]), f"{match!r} not in {outcome['message']!r}"


def fingerprint(node: Node) -> tuple[int, str, str]:
    """Height, state root and head hash: what a rejected transaction must not change."""
    status = node.status()
    return status["height"], status["state_root"], status["head_hash"]
