"""Private keys kept as files (hex seed, mode 0600) in a data directory."""

from __future__ import annotations

import os
from pathlib import Path

from ledger_lite import KeyFormatError, SigningKey


def load_or_create(path: Path) -> SigningKey:
    if path.exists():
        try:
            return SigningKey.from_seed(bytes.fromhex(path.read_text().strip()))
        except (ValueError, KeyFormatError) as exc:
            raise SystemExit(f"key file {path} does not hold a 32-byte hex Ed25519 seed: {exc}") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    key = SigningKey.generate()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.seed().hex() + "\n")
    return key
