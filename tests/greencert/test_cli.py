"""The ``greencert`` command line as a shell runs it: a reader that goes away early (``greencert verify … | head``) ends
the command quietly with the status a closed pipe gives, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from greencert.cli import CLOSED_PIPE

ROOT = Path(__file__).resolve().parents[2]


def run_into(stdout: int, trust: Path) -> subprocess.CompletedProcess[bytes]:
    """``greencert verify --offline`` of a payload, with no trust list at ``trust`` (a report of a few lines, the same
    on any machine: not the user's cached list), its output into ``stdout``."""
    return subprocess.run([sys.executable, "-m", "greencert.cli", "verify", "--offline", "--trust", str(trust),
                           "GC1:xyz", "--lang", "en"],
                          stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT, timeout=120, check=False)


def test_a_report_read_to_its_end_keeps_the_verdict_as_its_status(tmp_path: Path) -> None:
    done = run_into(subprocess.PIPE, tmp_path / "trust.json")
    assert done.returncode == 2  # COULD NOT CHECK: no trust list
    assert done.stdout.decode().splitlines()[-1] == "verdict: COULD NOT CHECK"


def test_a_reader_that_went_away_ends_the_command_quietly(tmp_path: Path) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    try:
        done = run_into(write, tmp_path / "trust.json")
    finally:
        os.close(write)
    assert (done.returncode, done.stderr.decode()) == (CLOSED_PIPE, "")
