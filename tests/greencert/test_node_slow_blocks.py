"""``greencert node --slow-block-ms``: a block a client waited on that took that long is logged with its parts
(``ledger.block_timing``); a threshold that is no number of milliseconds is refused before anything is opened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from greencert.servers import bind
from tests.helpers.greencert_cli import ROOT, greencert, key_file
from tests.helpers.ledger_world import LedgerWorld, slot


def test_a_node_logs_each_waited_block_from_its_threshold_on(tmp_path: Path) -> None:
    world = LedgerWorld()
    world.genesis().save(tmp_path / "genesis.json")
    key = key_file(tmp_path / "validator.key", world.validator)
    (tmp_path / "clock").write_text(str(slot(40)))  # the readings' time, not today's
    listening = bind("127.0.0.1", 0)
    port = listening.getsockname()[1]
    listening.close()
    proc = subprocess.Popen([sys.executable, "-m", "greencert", "node", "--data-dir", str(tmp_path / "node"),
                             "--genesis", str(tmp_path / "genesis.json"), "--key", key, "--port", str(port),
                             "--clock-file", str(tmp_path / "clock"), "--slow-block-ms", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    said = ""
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # until it serves
            said += line
            if line.startswith("Ledger node API"):
                break
        tx = world.generate(slot(1), 1_000)
        outcome = httpx.post(f"http://127.0.0.1:{port}/v1/txs", params={"wait": "true"},
                             json={"tx": tx.encode().hex()}, timeout=30).json()
        assert outcome["code"] == "ok", outcome
        proc.terminate()  # asked to stop: what it logged is all there once it has
        said += proc.communicate(timeout=60)[0]
    finally:  # a failure above: killed (its admission workers, which hold its output too, end with it)
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)
        if proc.stdout is not None:
            proc.stdout.close()
    assert f"slow block {outcome['height']} (1 transaction, 1 waited on) took " in said, said


def test_a_threshold_that_is_no_duration_is_refused_plainly(tmp_path: Path) -> None:
    for bad in ("-5", "nan"):
        refused = greencert("node", "--data-dir", str(tmp_path / "node"), "--genesis", str(tmp_path / "genesis.json"),
                            "--key", str(tmp_path / "validator.key"), "--slow-block-ms", bad)
        assert refused.returncode == 2
        assert refused.stderr == f"greencert node: --slow-block-ms: expected 0 or more milliseconds, found {bad}\n"
        assert not (tmp_path / "node").exists()
    both = greencert("node", "--consortium", str(tmp_path / "config.toml"), "--slow-block-ms", "50")
    assert both.returncode == 2
    assert both.stderr == ("greencert node: --slow-block-ms is for a solo node (a consortium's blocks wait for its "
                           "validators)\n")
