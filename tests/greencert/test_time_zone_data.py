"""Time-zone data comes with the Python packages, not from the machine (a bare Debian has no /usr/share/zoneinfo)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_asia_tokyo_resolves_without_the_systems_zone_files() -> None:
    # PYTHONTZPATH="" hides every system zone directory from zoneinfo, as on a machine without Debian's tzdata.
    code = ("import datetime, zoneinfo; "
            "print(datetime.datetime(2026, 11, 30, tzinfo=zoneinfo.ZoneInfo('Asia/Tokyo')).utcoffset())")
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONTZPATH": ""},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "9:00:00"
