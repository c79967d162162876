"""The ``greencert`` command as a real process for the command-line tests, and key files it reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ledger_lite import SigningKey

ROOT = Path(__file__).resolve().parents[2]


def greencert(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    """``python -m greencert ARGS`` from the project's root; its exit code and output, never raising on a failure."""
    return subprocess.run([sys.executable, "-m", "greencert", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)


def key_file(path: Path, key: SigningKey) -> str:
    """``key``'s seed in hex in an owner-only file at ``path`` (as the keystore writes it); its path."""
    path.write_text(key.seed().hex() + "\n")
    path.chmod(0o600)
    return str(path)
