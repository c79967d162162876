"""A file only its owner may read (mode 0600 from its creation: no moment when another user could read it),
written whole or not at all: under a temporary name in the same directory, fsynced, then linked (or, to replace
one, renamed) into place, so a reader or a crash never meets half a file. Keys and certificates
(``ledger.consortium.tls``) and a halted validator's evidence (``ledger.consortium.node``) are written so."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_private(path: Path, data: bytes, *, replace: bool = False) -> None:
    """Write ``data`` to ``path`` as the module docstring says. Without ``replace``, a file already at ``path`` is
    left as it is and ``FileExistsError`` raised."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)  # exactly 0600 whatever the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        if temporary.exists():
            os.unlink(temporary)
    directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
