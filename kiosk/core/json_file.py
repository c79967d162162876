"""Writing a kiosk's small JSON files (settings, pinned validator keys) so a crash or power cut mid-write never
leaves half a file: write a temporary file beside it, fsync, then rename over the old one."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_json_atomically(path: Path, document: Any, *, indent: int, ensure_ascii: bool = True) -> None:
    """Replace ``path`` with ``document`` as JSON in one step; raises ``OSError`` and leaves ``path`` as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=indent, ensure_ascii=ensure_ascii)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
