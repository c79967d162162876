"""``greencert node --cache-mb``: the memory a solo node's state caches may take (``ledger.cache_sizes``), said
when it opens; a budget it cannot use is refused before anything is opened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers.greencert_cli import ROOT, greencert, key_file
from tests.helpers.ledger_world import LedgerWorld


def test_a_node_says_the_caches_its_budget_gives(tmp_path: Path) -> None:
    world = LedgerWorld()
    world.genesis().save(tmp_path / "genesis.json")
    key = key_file(tmp_path / "validator.key", world.validator)
    proc = subprocess.Popen([sys.executable, "-m", "greencert", "node", "--data-dir", str(tmp_path / "node"),
                             "--genesis", str(tmp_path / "genesis.json"), "--key", key, "--port", "0",
                             "--cache-mb", "64"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stderr is not None
        said = ""
        for line in proc.stderr:  # until the line that says the ledger opened (or the process ends)
            said += line
            if line.startswith("Ledger opened: "):
                break
    finally:  # a node is crash-safe: killed, not asked to stop, so no test waits on a slow shutdown
        proc.kill()
        proc.wait(timeout=60)
        if proc.stderr is not None:
            proc.stderr.close()
    assert ("Caches: 296,166 state tree nodes (and up to 148,083 changed ones not written yet) and 7,402 state "
            "values, ~64 MB at most." in said), said


def test_a_budget_it_cannot_use_is_refused_plainly(tmp_path: Path) -> None:
    small = greencert("node", "--data-dir", str(tmp_path / "node"), "--genesis", str(tmp_path / "genesis.json"),
                      "--key", str(tmp_path / "validator.key"), "--cache-mb", "8")
    assert small.returncode == 2
    assert small.stderr == ("greencert node: --cache-mb: expected a cache of at least 16 MB (a whole number), "
                            "found 8\n")
    assert not (tmp_path / "node").exists()
    both = greencert("node", "--consortium", str(tmp_path / "config.toml"), "--cache-mb", "100")
    assert both.returncode == 2
    assert both.stderr == ("greencert node: --cache-mb is for a solo node; a consortium node's is cache_mb in its "
                           "configuration\n")
