"""Issue #9 (5): the intermediary's SQLite files hold password and token hashes: owner-only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from intermediary.service import make_engine


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    old = os.umask(0o022)  # what most shells use: files 0644, folders 0755 unless we say otherwise
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_folder_are_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "fresh" / "intermediary.sqlite"
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert mode(db.with_name(db.name + "-wal")) == 0o600
    engine.dispose()
    assert mode(db) == 0o600
    assert mode(db.parent) == 0o700


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    make_engine(f"sqlite:///{db}").dispose()
    db.chmod(0o644)
    make_engine(f"sqlite:///{db}").dispose()
    assert mode(db) == 0o600


def test_the_pdf_folder_is_owner_only_when_we_create_it(tmp_path: Path) -> None:
    from intermediary.config import Settings
    from intermediary.service import build_service
    from ledger_lite import SigningKey

    settings = Settings(db_url=f"sqlite:///{tmp_path / 'db' / 'i.sqlite'}", node_url="http://127.0.0.1:9",
                        chain_id="c", key=SigningKey.derive("test/x"), pdf_dir=tmp_path / "pdfs")
    service = build_service(settings)
    service.engine.dispose()
    service.node.close()
    assert mode(tmp_path / "pdfs") == 0o700
    assert mode(tmp_path / "db" / "i.sqlite") == 0o600
