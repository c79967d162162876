"""``greencert node --audit`` (issue #16): the full recomputation over a node's store, progress in percent on
stderr, exit 0 when the store matches its signed header and 1 with a plain message when it does not."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from ledger.compact import FORM_RAW, pack_key, unpack_value
from ledger_lite import canonical
from tests.helpers.ledger_world import LedgerWorld, ManualClock


def audit(data_dir: Path, genesis: Path, key: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "greencert.cli", "node", "--audit", "--data-dir", str(data_dir),
                           "--genesis", str(genesis), "--key", str(key)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_audit_passes_then_refuses_an_edited_value(tmp_path: Path) -> None:
    w = LedgerWorld()
    data_dir = tmp_path / "node"
    node = w.open_node(data_dir, ManualClock())
    try:
        asset = w.new_asset(node, 2, 10_000)
        height = node.status()["height"]
    finally:
        node.close()
    genesis, key = tmp_path / "genesis.json", tmp_path / "validator.key"
    w.genesis().save(genesis)
    key.write_text(w.validator.seed().hex())

    passed = audit(data_dir, genesis, key)
    assert passed.returncode == 0, passed.stderr
    assert "  0% (reading " in passed.stderr and "100% (recomputed the state root over " in passed.stderr
    assert "Audit passed: " in passed.stderr and f"at height {height} hash to the state root" in passed.stderr

    db = sqlite3.connect(data_dir / "ledger.sqlite")
    with db:
        blob = db.execute("SELECT value FROM state WHERE key = ?", (pack_key(f"asset/{asset}"),)).fetchone()[0]
        _, value = unpack_value(f"asset/{asset}", bytes(blob))
        db.execute("UPDATE state SET value = ? WHERE key = ?",
                   (bytes((FORM_RAW,)) + canonical({**value, "wh": 99_000}), pack_key(f"asset/{asset}")))
    db.close()
    refused = audit(data_dir, genesis, key)
    assert refused.returncode == 1
    assert "greencert node --audit: the store does not match its signed header: the stored state values hash to " \
           "root " in refused.stderr
    assert f"but the signed header of block {height} commits to " in refused.stderr
    assert "Traceback" not in refused.stderr
