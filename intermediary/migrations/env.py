"""Alembic's entry point, run only through ``intermediary.database.upgrade`` with a connection already open (no
``alembic.ini``, no URL of its own): the caller's connection and transaction carry every revision."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from intermediary.models import Base

# Two intermediaries starting on one PostgreSQL database take turns: a transaction-scoped advisory lock, released
# at commit. The number is fixed and arbitrary ("GCMIGRAT" read as ASCII bytes, within a signed 64-bit integer).
ADVISORY_LOCK = 0x47434D4947524154


def run() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("intermediary migrations run through intermediary.database.upgrade with a connection; "
                           f"found {type(connection).__name__}")
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()


run()
