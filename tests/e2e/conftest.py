"""End-to-end fixtures: the real ``greencert demo --headless`` as a subprocess and a private cupsd queue."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from tests.helpers.cupsd import PrivateCups

OFFSCREEN_NOISE = r"^This plugin does not support propagateSizeHints\(\)$"


@dataclass(frozen=True)
class RunningDemo:
    url: str
    node_url: str
    data_dir: Path
    output: list[str]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def demo_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    data_dir = tmp_path_factory.mktemp("demo")
    proc = subprocess.Popen(
        [sys.executable, "-m", "greencert.cli", "demo", "--headless", "--data-dir", str(data_dir), "--days", "3",
         "--port", "0", "--node-port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    urls: dict[str, str] = {}
    deadline = time.monotonic() + 120
    try:
        assert proc.stdout is not None
        while not any(line.startswith("Demo applicant") for line in output) and time.monotonic() < deadline:
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


@pytest.fixture(scope="package")
def cups(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PrivateCups, Path]]:
    out = tmp_path_factory.mktemp("printed") / "kiosk-output.pdf"
    with PrivateCups() as server:
        server.add_pdf_queue("kiosk", out)
        yield server, out
