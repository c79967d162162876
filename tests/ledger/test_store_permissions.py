"""A node's ledger files are its owner's only, like its key."""

from __future__ import annotations

import stat
from pathlib import Path

from ledger.node import Node, open_node
from tests.helpers.ledger_world import LedgerWorld, ManualClock


def test_a_new_ledger_and_its_directory_are_owner_only(tmp_path: Path, ledger_world: LedgerWorld,
                                                       ledger_clock: ManualClock) -> None:
    node: Node = open_node(tmp_path / "node", ledger_world.genesis(), ledger_world.validator, clock=ledger_clock)
    try:
        node.start()
        ledger_world.new_asset(node, 0, 1_000)  # a committed block: the WAL file exists too
    finally:
        node.close()
    assert stat.S_IMODE((tmp_path / "node").stat().st_mode) == 0o700
    files = list((tmp_path / "node").iterdir())
    assert any(f.name == "ledger.sqlite" for f in files)
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
