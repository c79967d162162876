"""``greencert node --cache-mb``: the memory a solo node's state caches may take (``ledger.cache_sizes``), said
when it opens; a budget it cannot use is refused before anything is opened."""

from __future__ import annotations

import signal
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
                             "--cache-mb", "64"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        served = proc.stdout.readline()  # printed once the API serves, after the opening lines on stderr
        assert served.startswith("Ledger node API:  http://127.0.0.1:"), served
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert ("Caches: 154,986 state tree nodes (and up to half as many changed ones not written yet) and 9,687 state "
            "values, ~64 MB at most." in err), err
    assert proc.returncode == 0, err


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
