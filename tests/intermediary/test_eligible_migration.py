"""Migration 0004 (issue 16): the stored eligible list's tables are added to a database at 0003 without touching
its rows, match ``intermediary.eligible_models`` on both engines, and go again on a downgrade."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

import intermediary.eligible_models as eligible_models
from intermediary.database import MIGRATIONS, create_database_engine, current_revision, upgrade
from intermediary.models import Base, Consumer

TABLES = {"eligible_assets", "eligible_rows", "eligible_consumers", "eligible_cursor"}


def test_0004_adds_the_eligible_tables_keeping_every_row_and_a_downgrade_removes_them(db_url: str) -> None:
    assert eligible_models.EligibleRow.__tablename__ in Base.metadata.tables
    engine = create_database_engine(db_url)
    try:
        if current_revision(engine) is None:  # a new SQLite file (the PostgreSQL fixture is at the newest already)
            upgrade(engine, "0003")
        else:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.downgrade(config, "0003")
        assert current_revision(engine) == "0003" and not TABLES & set(inspect(engine).get_table_names())
        with engine.begin() as conn:  # in SQL: the model has columns of later revisions (0005 name_ja)
            conn.execute(text("INSERT INTO consumers (consumer_id, name, ledger_address, meter_key, "
                              "renewable_target_pct, providers) VALUES ('Ca', '需要家 Ca', :a, :k, 50, '[\"Aa\"]')"),
                         {"a": "a" * 40, "k": "00" * 32})
        upgrade(engine, "0004")
        assert current_revision(engine) == "0004"
        assert set(inspect(engine).get_table_names()) >= TABLES
        with Session(engine) as db:
            assert db.scalars(select(Consumer.name)).all() == ["需要家 Ca"]
            assert db.scalars(select(eligible_models.EligibleRow)).all() == []
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, Base.metadata) if any(t in str(d) for t in TABLES)]
            assert differences == []
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0003")
        assert not TABLES & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
