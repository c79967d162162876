"""Issue 15 (Storage): the business database is brought to the newest Alembic revision at start-up — a new one on
SQLite or PostgreSQL, and a SQLite database made by the code before migrations (each schema it ever had, as the exact
DDL that code's ``create_all`` wrote, in tests/assets/intermediary_schemas/) keeps every row."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from intermediary.database import (
    DatabaseError,
    create_database_engine,
    current_revision,
    head_revision,
    open_database,
    upgrade,
)
from intermediary.models import Applicant, Base, Certificate, Consumer, Provider, Usage
from tests.helpers.postgres import PrivatePostgres

SCHEMAS = Path(__file__).parents[1] / "assets" / "intermediary_schemas"
# schema_<commit>.sql: what create_all made at that commit. Before e5177f6 the idempotency table had no item_ids or
# type_id; bffe002 replaced it with issuance_requests and login_failures (old files kept it); 8338753 added
# usage_totals and is the schema of the last code before migrations.
OLD_SCHEMAS = ["0c9d2a3", "e5177f6", "bffe002", "8338753"]
TODAY = {"consumers", "providers", "usage", "usage_totals", "applicants", "sessions", "items", "certificates",
         "issuance_requests", "login_failures", "portal_sessions"}
ROWS = 3
BIG = 3_000_000_000  # more than a 32-bit integer holds: Wh of a large consumer's year, Unix times after 2038


def _tables(con: sqlite3.Connection) -> list[str]:
    """The tables in creation order (parents before children)."""
    return [name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]


def _value(table: str, column: str, declared: str, row: int) -> Any:
    if column == "id" or column == "applicant":  # applicants.id and what refers to it
        return row
    if column == "consumer_id":
        return f"C{row}"
    if declared.startswith("INTEGER"):
        return BIG + row
    if declared.startswith("JSON"):
        return json.dumps([table, column, row, {"日本語": "ok"}], ensure_ascii=False)
    return f"{table}.{column}.{row} 再エネ"


def _fill_every_table(con: sqlite3.Connection) -> None:
    for table in _tables(con):
        columns = [(name, declared) for _cid, name, declared, *_ in con.execute(f'PRAGMA table_info("{table}")')]
        names = ", ".join(f'"{name}"' for name, _ in columns)
        marks = ", ".join("?" for _ in columns)
        for row in range(1, ROWS + 1):
            con.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                        [_value(table, name, declared, row) for name, declared in columns])
    con.commit()


def _columns(path: Path, tables: list[str]) -> dict[str, list[str]]:
    with sqlite3.connect(path) as con:
        found = {table: [row[1] for row in con.execute(f'PRAGMA table_info("{table}")')] for table in tables}
    con.close()
    return found


def _snapshot(path: Path, tables: list[str], columns: dict[str, list[str]] | None = None
              ) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``tables``: of the given ``columns`` only (the ones a table had before a migration added
    some), else of all."""
    names = columns or _columns(path, tables)
    with sqlite3.connect(path) as con:
        rows = {table: sorted(con.execute(f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in names[table])} '
                                          f'FROM "{table}"')) for table in tables}
    con.close()
    return rows


def _old_database(tmp_path: Path, commit: str) -> Path:
    path = tmp_path / f"old-{commit}.sqlite"
    with sqlite3.connect(path) as con:
        con.executescript((SCHEMAS / f"schema_{commit}.sql").read_text())
        _fill_every_table(con)
    con.close()
    return path


@pytest.mark.parametrize("commit", OLD_SCHEMAS)
def test_a_database_from_before_migrations_is_adopted_with_every_row(tmp_path: Path, commit: str) -> None:
    path = _old_database(tmp_path, commit)
    with sqlite3.connect(path) as con:
        old_tables = _tables(con)
    con.close()
    old_columns = _columns(path, old_tables)
    before = _snapshot(path, old_tables)
    assert all(len(rows) == ROWS for rows in before.values())

    engine = open_database(f"sqlite:///{path}")
    try:
        assert current_revision(engine) == head_revision()
        with Session(engine) as db:  # today's code reads the adopted rows
            assert [c.consumer_id for c in db.scalars(select(Consumer).order_by(Consumer.consumer_id))] == \
                ["C1", "C2", "C3"]
            assert db.scalars(select(Usage.wh)).all() == [BIG + 1, BIG + 2, BIG + 3]
            first = db.get(Certificate, "certificates.certificate_id.1 再エネ")
            assert first is not None and first.profile == ["certificates", "profile", 1, {"日本語": "ok"}]
            assert first.revoked_at is None and first.revoked_reason is None  # migration 0003
            # 0003: every applicant of before is a consumer's, with no provider
            assert [(a.role, a.consumer_id, a.provider_id) for a in
                    db.scalars(select(Applicant).order_by(Applicant.id))] == \
                [("consumer", "C1", None), ("consumer", "C2", None), ("consumer", "C3", None)]
            ca = db.get(Consumer, "C1")
            assert ca is not None and (ca.usage_start, ca.usage_end, ca.planned_wh, ca.region) == (None,) * 4
    finally:
        engine.dispose()
    with sqlite3.connect(path) as con:
        now_tables = set(_tables(con))
    con.close()
    assert now_tables >= TODAY | set(old_tables)  # the missing tables made; none dropped (idempotency kept)
    assert _snapshot(path, old_tables, old_columns) == before


def test_opening_again_changes_nothing(tmp_path: Path) -> None:
    path = _old_database(tmp_path, OLD_SCHEMAS[-1])
    open_database(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as con:
        tables = _tables(con)
    con.close()
    before = _snapshot(path, tables)
    engine = open_database(f"sqlite:///{path}")
    assert current_revision(engine) == head_revision()
    engine.dispose()
    assert _snapshot(path, tables) == before


def test_a_database_that_is_not_ours_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "foreign.sqlite"
    with sqlite3.connect(path) as con:
        con.executescript((SCHEMAS / f"schema_{OLD_SCHEMAS[-1]}.sql").read_text())
        con.execute("DROP TABLE certificates")  # the adoption gets past several tables before this one
        con.execute("CREATE TABLE certificates (certificate_id VARCHAR(64) PRIMARY KEY, pdf BLOB)")
        con.execute("INSERT INTO certificates VALUES ('c1', x'00')")
        con.execute("DROP TABLE login_failures")  # a table the adoption would create
    con.close()
    before = _snapshot(path, ["certificates"])
    with sqlite3.connect(path) as con:
        tables = _tables(con)
    con.close()

    with pytest.raises(DatabaseError, match=r"table 'certificates' cannot be adopted: expected the columns "
                                            r"\[.*'payload'.*\], found \['certificate_id', 'pdf'\]"):
        open_database(f"sqlite:///{path}")
    with sqlite3.connect(path) as con:
        assert _tables(con) == tables  # no login_failures, no alembic_version: nothing changed
    con.close()
    assert _snapshot(path, ["certificates"]) == before


def test_a_url_of_another_database_is_refused() -> None:
    with pytest.raises(DatabaseError, match=r"expected a SQLite or PostgreSQL database URL, found one for 'mysql'"):
        open_database("mysql://u@127.0.0.1/x")
    with pytest.raises(DatabaseError, match=r"expected a database URL"):
        open_database("not a url")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database nothing has touched: a new SQLite file, or a new empty database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'new.sqlite'}"
    server: PrivatePostgres = request.getfixturevalue("postgres")
    return server.new_database()


def test_a_new_database_is_migrated_to_match_the_models(empty_db_url: str) -> None:
    untouched = create_database_engine(empty_db_url)
    try:
        assert current_revision(untouched) is None
    finally:
        untouched.dispose()
    engine = open_database(empty_db_url)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_wide_amounts_and_times_round_trip(db_url: str) -> None:
    engine = open_database(db_url)
    try:
        with Session(engine) as db:
            db.add(Consumer(consumer_id="Ca", name="需要家 Ca", ledger_address="a" * 64, meter_key="00" * 32,
                            renewable_target_pct=50, providers=["Aa"]))
            db.flush()
            db.add(Usage(consumer_id="Ca", start=2**33, end=2**33 + 1800, wh=BIG, renewable_wh=BIG, fossil_wh=0,
                         unallocated_wh=0, status="allocated"))
            db.commit()
        with Session(engine) as db:
            usage = db.scalars(select(Usage)).one()
            assert (usage.start, usage.wh, usage.id > 0) == (2**33, BIG, True)
    finally:
        engine.dispose()


def test_an_adopted_database_takes_producer_and_issuer_accounts_and_still_checks_foreign_keys(tmp_path: Path) -> None:
    """0003 removes applicants.consumer_id's NOT NULL on SQLite by rewriting the table's SQL: the table then takes
    accounts without a consumer, and its foreign keys still hold."""
    path = _old_database(tmp_path, OLD_SCHEMAS[-1])
    engine = open_database(f"sqlite:///{path}")
    try:
        with Session(engine) as db:
            provider = db.scalars(select(Provider)).first()
            assert provider is not None
            db.add_all([Applicant(applicant_id="issuer", password_hash="x", consumer_id=None, role="issuer"),
                        Applicant(applicant_id="producer", password_hash="x", consumer_id=None, role="producer",
                                  provider_id=provider.provider_id)])
            db.commit()
            assert db.scalars(select(Applicant.role).where(Applicant.consumer_id.is_(None))).all() == \
                ["issuer", "producer"]
        with Session(engine) as db, pytest.raises(IntegrityError):
            db.add(Applicant(applicant_id="ghost", password_hash="x", consumer_id=None, role="producer",
                             provider_id="no such provider"))
            db.commit()
    finally:
        engine.dispose()
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()


def test_0003_keeps_the_applicants_and_makes_them_consumers_on_both_engines(empty_db_url: str) -> None:
    """A database at 0002 with an applicant and a certificate, brought to the newest revision: the applicant is a
    consumer's, the certificate is not revoked, and an account without a consumer can be added."""
    engine = create_database_engine(empty_db_url)
    try:
        upgrade(engine, "0002")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO consumers VALUES ('C1', '需要家', 'a', 'k', 40, '[\"Aa\"]')"))
            conn.execute(text("INSERT INTO providers VALUES ('Aa', 'Producer Aa', 'solar', 'renewable')"))
            conn.execute(text("INSERT INTO applicants (applicant_id, password_hash, consumer_id, failed_logins, "
                              "locked_until) VALUES ('demo', 'h', 'C1', 0, 0)"))
        upgrade(engine)
        with Session(engine) as db:
            applicant = db.scalars(select(Applicant)).one()
            assert (applicant.role, applicant.consumer_id, applicant.provider_id) == ("consumer", "C1", None)
            consumer = db.get(Consumer, "C1")
            assert consumer is not None and (consumer.name, consumer.providers, consumer.region) == \
                ("需要家", ["Aa"], None)
            db.add(Applicant(applicant_id="producer-aa", password_hash="h", consumer_id=None, role="producer",
                             provider_id="Aa"))
            db.commit()
            assert db.scalars(select(Applicant.applicant_id).order_by(Applicant.id)).all() == ["demo", "producer-aa"]
    finally:
        engine.dispose()
