"""Private keys kept as files (hex seed, mode 0600, in a directory of mode 0700) in a data directory.

Every key of a running installation is random and made on first start: nothing that signs for a meter, the
intermediary or a validator may be derivable from public names.
"""

from __future__ import annotations

import os
from pathlib import Path

from ledger_lite import KeyFormatError, SigningKey


class KeyFileError(Exception):
    """A key file that is missing where it must exist, or does not hold a key."""


def private_dir(path: Path) -> Path:
    """``path`` as a directory only its owner may enter (made if missing, narrowed if it exists)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def load(path: Path) -> SigningKey:
    try:
        text = path.read_text().strip()
    except FileNotFoundError as exc:
        raise KeyFileError(f"expected a key file at {path}, found none") from exc
    try:
        return SigningKey.from_seed(bytes.fromhex(text))
    except (ValueError, KeyFormatError) as exc:
        raise KeyFileError(f"key file {path} does not hold a 32-byte hex Ed25519 seed: {exc}") from exc


def load_or_create(path: Path) -> SigningKey:
    """The key in ``path``; a new random one, written owner-only, if there is none yet."""
    if path.exists():
        return load(path)
    private_dir(path.parent)
    key = SigningKey.generate()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.seed().hex() + "\n")
    return key
