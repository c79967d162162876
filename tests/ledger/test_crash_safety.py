"""SIGKILL at any moment: the node restarts into a consistent state and has every transaction it acknowledged
as committed (one SQLite transaction per block, fsync before the acknowledgement)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from greencert.servers import free_port
from ledger.genesis import Genesis, entry
from ledger_lite import SigningKey, sign_tx

CHAIN = "crash-test"
START = (int(time.time()) - 7 * 86400) // 1800 * 1800  # the node runs on the wall clock: readings of last week


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start_node(data_dir: Path, genesis: Path, key: Path, port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "greencert.cli", "node", "--data-dir", str(data_dir),
                             "--genesis", str(genesis), "--key", str(key), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:  # after "Opening the ledger…" and "Ledger opened…" (stderr)
        seen.append(line)
        if "Ledger node API" in line:
            return proc
    raise AssertionError("".join(seen))


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path, list[SigningKey], str]:
    validator, intermediary = SigningKey.generate(), SigningKey.generate()
    meters = [SigningKey.generate() for _ in range(4)]
    key_file = tmp_path / "validator.key"
    key_file.write_text(validator.seed().hex())
    genesis = Genesis(CHAIN, START, (entry(validator.public, "validator", "V"),
                                     entry(intermediary.public, "intermediary", "Da"),
                                     *(entry(m.public, "meter", f"m{i}", provider=f"P{i}", method="wind",
                                             capacity_w=10_000) for i, m in enumerate(meters))))
    genesis_file = tmp_path / "genesis.json"
    genesis.save(genesis_file)
    return genesis_file, key_file, meters, intermediary.address


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_loses_nothing_acknowledged(world: tuple[Path, Path, list[SigningKey], str], tmp_path: Path,
                                            seed: int) -> None:
    genesis_file, key_file, meters, owner = world
    data_dir = tmp_path / "node"
    rng = random.Random(seed)
    acknowledged: list[str] = []
    slot = 0
    for _round in range(2):
        port = free_port()
        proc = start_node(data_dir, genesis_file, key_file, port)
        stop = threading.Event()

        def feed(port: int = port, stop: threading.Event = stop) -> None:
            nonlocal slot
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
                while not stop.is_set():
                    start = START + slot * 1800
                    slot += 1
                    txs = [sign_tx(m, chain=CHAIN, type="asset.generate",
                                   body={"provider": f"P{i}", "method": "wind", "start": start, "end": start + 1800,
                                         "wh": 100 + i, "owner": owner}, nonce=slot, time=start + 1800)
                           for i, m in enumerate(meters)]
                    try:
                        results = http.post("/v1/txs/batch", params={"wait": "true"},
                                            json={"txs": [t.encode().hex() for t in txs]}).json()["results"]
                    except (httpx.HTTPError, ValueError):
                        return  # killed mid-request: nothing of this batch was acknowledged to us
                    acknowledged.extend(r["tx_id"] for r in results if r.get("code") == "ok")

        feeder = threading.Thread(target=feed)
        feeder.start()
        time.sleep(rng.uniform(0.3, 1.2))
        helpers = descendants(proc.pid)  # the admission worker processes the node started
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stop.set()
        feeder.join()
        assert proc.stdout is not None
        proc.stdout.close()
        deadline = time.monotonic() + 10
        while any(alive(p) for p in helpers) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [p for p in helpers if alive(p)]
        for pid in left:  # only processes this test's node started
            os.kill(pid, signal.SIGKILL)
        assert left == [], "worker processes outlived their SIGKILLed node"
    assert acknowledged, "the feeder never got an acknowledgement"
    # The state tree's rows were written with their blocks: every stored value recomputes the signed root.
    audit = subprocess.run([sys.executable, "-m", "greencert.cli", "node", "--audit", "--data-dir", str(data_dir),
                            "--genesis", str(genesis_file), "--key", str(key_file)],
                           capture_output=True, text=True, timeout=120, check=False)
    assert audit.returncode == 0, audit.stderr
    assert "Audit passed: " in audit.stderr and "100%" in audit.stderr
    port = free_port()
    proc = start_node(data_dir, genesis_file, key_file, port)  # start-up checks the tree's root against the signed head
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            missing = [t for t in acknowledged if http.get(f"/v1/txs/{t}").status_code != 200]
            status = http.get("/v1/status").json()
        assert missing == [], f"{len(missing)} acknowledged transactions lost after SIGKILL"
        assert status["height"] >= 1
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        assert proc.stdout is not None
        proc.stdout.close()
