"""The certificates an auditor can pick from a USB stick (issue #13): ``*.pdf``, ``*.png``, ``*.jpg`` under the
configured roots, newest first. No Qt here; the verify flow runs ``find_documents`` on the worker (a USB stick
can be slow).

Where USB sticks appear: ``/media/<user>/<label>`` (udisks on Debian), ``/run/media/<user>/<label>`` (other
distributions) and, on a desktop, the user's ``Downloads``. The walk is bounded (depth, files looked at, files
listed), skips hidden folders and never follows a symbolic link out of a root, so a stick full of files or a link
loop cannot hang the kiosk.

``mounted_folders`` lists the drives mounted under ``/media``, ``/mnt`` and ``/run/media`` (one or two levels down:
``/mnt/usb``, ``/media/<user>/<label>``), the folders staff can add to that list at the panel.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.auditor import DOCUMENT_SUFFIXES
from kiosk.core.config import DEFAULT_VERIFY_ROOTS as DEFAULT_ROOTS

MAX_DEPTH = 5
MAX_SCANNED = 20_000  # directory entries looked at in all
MAX_LISTED = 200
MAX_FILE_BYTES = 50 * 1024 * 1024  # a certificate PDF is ~100 KB, a phone photo a few MB
MOUNT_BASES = ("/media", "/mnt", "/run/media")
MAX_MOUNTS = 64  # folders offered at the panel
MAX_MOUNT_ENTRIES = 256  # entries looked at under each base and each user folder


@dataclass(frozen=True)
class Document:
    path: Path
    root: Path  # the configured root it was found under
    size: int
    modified: float  # Unix time

    @property
    def folder(self) -> str:
        """Where it is, relative to its root ("" at the root itself)."""
        relative = self.path.parent.relative_to(self.root)
        return "" if str(relative) == "." else relative.as_posix()


def expand_roots(roots: Sequence[str]) -> list[Path]:
    return [Path(os.path.expanduser(r)) for r in roots]


def find_documents(roots: Sequence[str | Path], *, limit: int = MAX_LISTED) -> list[Document]:
    """Every readable ``DOCUMENT_SUFFIXES`` file under ``roots`` (depth ≤ ``MAX_DEPTH``), newest first."""
    found: list[Document] = []
    seen: set[tuple[int, int]] = set()
    budget = [MAX_SCANNED]
    for root in roots:
        base = Path(os.path.expanduser(str(root)))
        _walk(base, base, 0, found, seen, budget)
    found.sort(key=lambda d: (-d.modified, d.path.name))
    return found[:limit]


def _walk(root: Path, folder: Path, depth: int, found: list[Document], seen: set[tuple[int, int]],
          budget: list[int]) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # not there (no stick), not allowed: nothing to list
    for entry in sorted(entries, key=lambda e: e.name):
        budget[0] -= 1
        if budget[0] < 0:
            return
        if entry.name.startswith("."):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode):
            if depth < MAX_DEPTH and (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                _walk(root, Path(entry.path), depth + 1, found, seen, budget)
        elif stat.S_ISREG(info.st_mode) and Path(entry.name).suffix.lower() in DOCUMENT_SUFFIXES \
                and 0 < info.st_size <= MAX_FILE_BYTES and os.access(entry.path, os.R_OK):
            found.append(Document(Path(entry.path), root, info.st_size, info.st_mtime))


def _folders(path: Path) -> list[Path]:
    """The visible sub-folders of ``path`` (no symbolic links), sorted; none when it cannot be read."""
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)[:MAX_MOUNT_ENTRIES]
    except OSError:
        return []
    found = []
    for entry in entries:
        try:
            if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
                found.append(Path(entry.path))
        except OSError:
            continue
    return found


def mounted_folders(bases: Sequence[str | Path] = MOUNT_BASES, *,
                    is_mount: Callable[[Path], bool] = os.path.ismount) -> list[Path]:
    """The drives mounted one level under ``bases`` (``/mnt/usb``) or two (``/media/<user>/<label>``, as udisks
    mounts a USB stick), in order, at most ``MAX_MOUNTS``."""
    found: list[Path] = []
    for base in bases:
        for child in _folders(Path(base)):
            if is_mount(child):
                found.append(child)
            else:
                found += [grandchild for grandchild in _folders(child) if is_mount(grandchild)]
    return found[:MAX_MOUNTS]


__all__ = ["DEFAULT_ROOTS", "MOUNT_BASES", "Document", "expand_roots", "find_documents", "mounted_folders"]
