"""Fixtures for the auditor's Qt-free core: the shared ledger world (tests/helpers/ledger_world.py)."""

from __future__ import annotations

from tests.helpers.ledger_world import ledger_clock, ledger_node, ledger_world

__all__ = ["ledger_clock", "ledger_node", "ledger_world"]
