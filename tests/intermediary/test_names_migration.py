"""Migration 0005 (issue 15): Japanese names (``providers.name_ja``, ``consumers.name_ja``) are added to a database
at 0004 keeping every row (without a Japanese name until one is stored), match the models on both engines, and go
again on a downgrade that keeps the rows too."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from intermediary.database import MIGRATIONS, create_database_engine, current_revision, upgrade
from intermediary.models import Base

ROWS = {"providers": [("Aa", "Producer Aa"), ("Xk", "Kansai Solar Xk 再エネ")],
        "consumers": [("Ca", "Consumer Ca"), ("Cb", "需要家 Cb")]}


def _downgrade(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _names(engine: Engine) -> dict[str, list[tuple[str, str]]]:
    with engine.connect() as conn:
        return {"providers": [tuple(r) for r in conn.execute(text(
                    "SELECT provider_id, name FROM providers ORDER BY provider_id"))],
                "consumers": [tuple(r) for r in conn.execute(text(
                    "SELECT consumer_id, name FROM consumers ORDER BY consumer_id"))]}


def test_0005_adds_japanese_names_keeping_every_row_and_a_downgrade_removes_them(db_url: str) -> None:
    engine = create_database_engine(db_url)
    try:
        if current_revision(engine) is None:  # a new SQLite file (the PostgreSQL fixture is at the newest already)
            upgrade(engine, "0004")
        else:
            _downgrade(engine, "0004")
        assert current_revision(engine) == "0004"
        assert not {"name_ja"} & {c["name"] for c in inspect(engine).get_columns("providers")}
        with engine.begin() as conn:
            for pid, name in ROWS["providers"]:
                conn.execute(text("INSERT INTO providers (provider_id, name, method, category) "
                                  "VALUES (:p, :n, 'solar', 'renewable')"), {"p": pid, "n": name})
            for cid, name in ROWS["consumers"]:
                conn.execute(text("INSERT INTO consumers (consumer_id, name, ledger_address, meter_key, "
                                  "renewable_target_pct, providers) VALUES (:c, :n, :a, :k, 50, '[]')"),
                             {"c": cid, "n": name, "a": cid * 20, "k": "00" * 32})
        upgrade(engine)
        assert current_revision(engine) == "0005"
        assert _names(engine) == ROWS
        with engine.begin() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM providers WHERE name_ja IS NOT NULL")).scalar() == 0
            conn.execute(text("UPDATE providers SET name_ja = '生産者Aa' WHERE provider_id = 'Aa'"))
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert [d for d in compare_metadata(context, Base.metadata) if "name_ja" in str(d)] == []
        upgrade(engine)  # again: nothing to do
        _downgrade(engine, "0004")
        assert current_revision(engine) == "0004" and _names(engine) == ROWS
        assert "name_ja" not in {c["name"] for c in inspect(engine).get_columns("consumers")}
    finally:
        engine.dispose()
