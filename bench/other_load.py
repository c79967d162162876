"""Some other load beside a benchmark (issue 16's ingest goal is on "a machine with some other load"): processes
that keep a share of one core busy each, started after a baseline is measured and killed at the end."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# busy ``share`` of every 20 ms; a share of 1 only spins
_BUSY = """
import sys, time
share = float(sys.argv[1])
while True:
    if share >= 1:
        continue
    end = time.perf_counter() + 0.02 * share
    while time.perf_counter() < end:
        pass
    time.sleep(0.02 * (1 - share))
"""


@contextmanager
def other_load(processes: int, share: float = 1.0) -> Iterator[None]:
    """``processes`` processes, each busy ``share`` (0 to 1) of one core, while the block runs."""
    if not 0 <= share <= 1:
        raise ValueError(f"expected a share of one core between 0 and 1, found {share}")
    busy = [subprocess.Popen([sys.executable, "-c", _BUSY, str(share)]) for _ in range(processes if share else 0)]
    try:
        yield
    finally:
        for process in busy:
            process.kill()
            process.wait()
