"""Issue 15 (Storage): ``greencert demo --database-url`` runs the intermediary on a real PostgreSQL database (the
session's private server) as a real process, and finds its data again after a restart; a URL it cannot use stops
it with one line and exit 2."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

GREENCERT = str(Path(sys.executable).parent / "greencert")
START_TIMEOUT = 240


@contextmanager
def _demo(data_dir: Path, db_url: str) -> Iterator[str]:
    """A headless demo process over ``db_url``; yields its API base URL, stops it (SIGINT to its PID) after."""
    proc = subprocess.Popen([GREENCERT, "demo", "--headless", "--data-dir", str(data_dir), "--days", "1",
                             "--port", "0", "--node-port", "0", "--database-url", db_url],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("Intermediary API:"):
                yield line.split()[2]
                break
        else:
            pytest.fail(f"the demo ended without serving: {''.join(seen)[-2000:]}")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


def _rows(api: str) -> list[dict[str, Any]]:
    with httpx.Client(timeout=30) as http:
        login = http.post(f"{api}/sessions", json={"applicant_id": "demo", "password": "demo"})
        assert login.status_code == 201, login.text
        answer = http.get(f"{api}/eligible-transactions", headers={"Authorization": f"Bearer {login.json()['token']}"})
        assert answer.status_code == 200, answer.text
        rows: list[dict[str, Any]] = answer.json()["items"]
        return rows


@pytest.mark.postgres
@pytest.mark.timeout(START_TIMEOUT * 2)
def test_the_demo_serves_from_postgresql_and_again_after_a_restart(tmp_path: Path, postgres_url: str) -> None:
    with _demo(tmp_path, postgres_url) as api:
        first = _rows(api)
    assert first and all(row["amount_wh"] > 0 for row in first)
    with _demo(tmp_path, postgres_url) as api:
        assert _rows(api) == first


def test_a_database_it_cannot_reach_stops_the_demo_with_one_line(tmp_path: Path) -> None:
    done = subprocess.run([GREENCERT, "demo", "--headless", "--data-dir", str(tmp_path), "--days", "1",
                           "--port", "0", "--node-port", "0", "--database-url", "mysql://app@127.0.0.1/x"],
                          capture_output=True, text=True, timeout=START_TIMEOUT, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == "greencert demo: expected a SQLite or PostgreSQL database URL, found one for 'mysql'"
