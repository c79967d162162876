"""A running embedded demo (node + intermediary on free loopback ports, a few days of field data): in this
process (``running_demo``) or as the real ``greencert demo`` command (``demo_process``)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from greencert.demo import Demo, start_demo


@contextmanager
def running_demo(data_dir: Path, days: int = 2) -> Iterator[Demo]:
    demo = start_demo(data_dir, port=0, node_port=0, days=days, progress=lambda _: None)
    try:
        yield demo
    finally:
        demo.stop()


@dataclass(frozen=True)
class RunningDemo:
    """A ``greencert demo --headless`` subprocess: its URLs, data directory and what it printed."""

    url: str
    node_url: str
    data_dir: Path
    output: list[str]


@contextmanager
def demo_process(data_dir: Path, *extra: str, days: int = 3, timeout: float = 120) -> Iterator[RunningDemo]:
    """Run the real command as a user would, wait until it serves, and stop it (by its PID) afterwards."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "greencert.cli", "demo", "--headless", "--data-dir", str(data_dir), "--days",
         str(days), "--port", "0", "--node-port", "0", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    urls: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    try:
        assert proc.stdout is not None
        while not any(line.startswith("Serving until") for line in output) and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            output.append(line.rstrip())
            match = re.match(r"(Intermediary API|Ledger node API):\s+(http://\S+?)/(api/)?v1", line)
            if match:
                urls[match.group(1)] = match.group(2)
        assert len(urls) == 2, "demo did not print its URLs:\n" + "\n".join(output)
        yield RunningDemo(urls["Intermediary API"], urls["Ledger node API"], data_dir, output)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
