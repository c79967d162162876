"""Where the demo listens and keeps its data by default: light, so that every command can read it at start-up
without importing the servers."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_PORT = 8700
DEFAULT_NODE_PORT = 8701


def default_data_dir() -> Path:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "greencert" / "demo"
