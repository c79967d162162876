import os
import stat
from pathlib import Path

import pytest

from ledger.private_file import write_private


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        write_private(tmp_path / "evidence.json", b'{"a": 1}')
    finally:
        os.umask(old)
    assert (tmp_path / "evidence.json").read_bytes() == b'{"a": 1}'
    assert _mode(tmp_path / "evidence.json") == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["evidence.json"]  # no temporary file left


def test_an_existing_file_is_kept_unless_replacing(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    write_private(path, b"first")
    with pytest.raises(FileExistsError):
        write_private(path, b"second")
    assert path.read_bytes() == b"first"
    write_private(path, b"third", replace=True)
    assert path.read_bytes() == b"third" and _mode(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["key.pem"]


def test_a_file_that_cannot_be_written_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_private(tmp_path / "missing" / "evidence.json", b"x")
    assert list(tmp_path.iterdir()) == []
