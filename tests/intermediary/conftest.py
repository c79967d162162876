from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from greencert.demo import Demo
from intermediary.database import open_database
from tests.helpers.demo import running_demo
from tests.helpers.intermediary_world import IntermediaryWorld
from tests.helpers.postgres import PrivatePostgres


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    # 35 days always span two calendar months: two rows per production method for Consumer Ca.
    with running_demo(tmp_path_factory.mktemp("demo"), days=35) as running:
        yield running


MIGRATED = "intermediary_migrated"  # a database on the session's server brought to the newest migration once


@pytest.fixture(scope="session")
def postgres() -> Iterator[PrivatePostgres]:
    """One private PostgreSQL server for the session (skips when PostgreSQL is not installed), with the template
    database ``MIGRATED`` that each test's database copies."""
    with PrivatePostgres() as server:
        open_database(server.new_database(name=MIGRATED)).dispose()
        yield server


@pytest.fixture
def postgres_url(postgres: PrivatePostgres) -> str:
    """A fresh database on the session's PostgreSQL server, already at the newest migration."""
    return postgres.new_database(MIGRATED)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The intermediary's database, once on each engine: a SQLite file in ``tmp_path``, or a fresh database on the
    session's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'intermediary' / 'intermediary.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def iw(tmp_path: Path, db_url: str) -> Iterator[IntermediaryWorld]:
    """A fresh intermediary (own DB, SQLite or PostgreSQL) over a fresh real node, in this process."""
    world = IntermediaryWorld.open(tmp_path, db_url=db_url)
    yield world
    world.close()
