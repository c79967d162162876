"""Seed 003's devices as real processes for the command tests: a solo ``greencert node`` whose genesis registers a
storage server and the demo's first homes, ``greencert storage`` and ``greencert home`` on free loopback ports,
each with its own key file (random, owner-only) in a temp dir.

    with TradingProcs(tmp_path) as procs:
        procs.start_node()
        storage = procs.start_storage()            # waits until its API answers; ``procs.storage_url``
        storage.kill()                              # SIGKILL; ``procs.start_storage()`` again on the same file
        home = procs.start_home("H01")              # waits until its page answers; ``procs.home_url``

Every process started is stopped on exit (SIGTERM, then SIGKILL), by its own PID.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from field.trading.homes import demo_homes
from field.trading.neighbourhood import DEFAULT_SPEC, genesis_entries
from greencert.keystore import load_or_create
from greencert.servers import free_port
from ledger.genesis import Genesis, entry
from ledger_lite import PublicKey, SigningKey

HOMES = 3
READY_S = 60.0
ROOT = Path(__file__).resolve().parents[2]


class Proc:
    def __init__(self, name: str, args: list[str], log: Path) -> None:
        self.name = name
        self.log = log
        self._out = log.open("ab")
        self.popen = subprocess.Popen([sys.executable, "-m", "greencert", *args], cwd=ROOT, stdout=self._out,
                                      stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)
        self._out.close()

    def terminate(self, timeout: float = 20.0) -> int:
        """SIGTERM and wait; its exit code (SIGKILL if it did not stop in ``timeout``)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)
        self._out.close()
        return self.popen.returncode


def wait_answers(url: str, proc: Proc, timeout: float = READY_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise AssertionError(f"{proc.name} exited with {proc.popen.returncode}: {proc.output()[-2000:]}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{proc.name} did not answer at {url} within {timeout} s: {proc.output()[-2000:]}")


class TradingProcs:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.keys = root / "keys"
        self.validator = load_or_create(self.keys / "validator.key")
        self.storage_key = load_or_create(self.keys / "storage.key")
        self.homes = demo_homes(HOMES)
        self.home_keys = {h.id: load_or_create(self.keys / f"home-{h.id}.key") for h in self.homes}
        self.node_port, self.storage_port, self.home_port = free_port(), free_port(), free_port()
        self.node_url = f"http://127.0.0.1:{self.node_port}"
        self.storage_url = f"http://127.0.0.1:{self.storage_port}"
        self.home_url = f"http://127.0.0.1:{self.home_port}"
        self.records = root / "storage.db"
        self.started: list[Proc] = []

    def __enter__(self) -> TradingProcs:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        for proc in reversed(self.started):
            if proc.popen.poll() is None:
                proc.terminate()

    def start(self, name: str, args: list[str]) -> Proc:
        """Start ``greencert <args>`` (stopped on exit with the others)."""
        return self._start(name, args)

    def _start(self, name: str, args: list[str]) -> Proc:
        proc = Proc(name, args, self.root / f"{name}.log")
        self.started.append(proc)
        return proc

    def genesis(self) -> Path:
        now = int(time.time())
        entries = [entry(self.validator.public, "validator", "Validator")]
        entries += [entry(PublicKey(e["public_key"]), e["role"], e["name"], **e["attrs"])
                    for e in genesis_entries(self.homes, self.home_keys, self.storage_key, spec=DEFAULT_SPEC)]
        path = self.root / "genesis.json"
        Genesis(chain_id="greencert-trading-test", time=now - now % 86_400 - 86_400,
                entries=tuple(entries)).save(path)
        return path

    def start_node(self) -> Proc:
        proc = self._start("node", ["node", "--data-dir", str(self.root / "node"), "--genesis", str(self.genesis()),
                                    "--key", str(self.keys / "validator.key"), "--port", str(self.node_port)])
        wait_answers(f"{self.node_url}/v1/status", proc)
        return proc

    def storage_args(self) -> list[str]:
        return ["storage", "--node", self.node_url, "--key", str(self.keys / "storage.key"), "--data",
                str(self.records), "--port", str(self.storage_port), "--report-every", "3600"]

    def start_storage(self) -> Proc:
        proc = self._start("storage", self.storage_args())
        wait_answers(f"{self.storage_url}/state", proc)
        return proc

    def start_home(self, home: str, *extra: str) -> Proc:
        proc = self._start(f"home-{home}", ["home", "--node", self.node_url, "--storage", self.storage_url,
                                            "--key", str(self.keys / f"home-{home}.key"), "--home", home,
                                            "--port", str(self.home_port), *extra])
        wait_answers(f"{self.home_url}/api/view", proc)
        return proc

    def key(self, home: str) -> SigningKey:
        return self.home_keys[home]
