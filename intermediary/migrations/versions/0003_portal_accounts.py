"""The phone portal (issue 15): accounts with a role, consumers' transaction contents, regions, revocations and
portal sessions.

* ``applicants``: ``role`` (consumer | producer | issuer; every existing row is a consumer), ``provider_id`` (a
  producer account's provider) and ``consumer_id`` nullable (producers and issuers have none);
* ``consumers``: the seed's transaction contents (Fig. 10A, S41-S48): ``usage_start``/``usage_end`` (the period
  of use), ``planned_wh`` (planned usage) and ``region``;
* ``providers``: ``region`` and ``available_wh`` (Fig. 9B available amount);
* ``certificates``: ``revoked_reason`` and ``revoked_at``;
* ``portal_sessions``: the portal's server-side sessions.

Every row is kept: columns are only added, and ``applicants.consumer_id`` loses its NOT NULL. SQLite cannot alter a
column, and rebuilding ``applicants`` (which ``sessions`` and ``issuance_requests`` refer to) fails the foreign keys
the intermediary turns on; so its NOT NULL is removed with the procedure SQLite documents for removing a NOT NULL
constraint (https://sqlite.org/lang_altertable.html, "otheralter"): the table's stored SQL is rewritten in the
same transaction, which changes nothing on disk.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Wide = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CONSUMER_ID_NOT_NULL = re.compile(r'(\n\s*"?consumer_id"?\s+VARCHAR\(32\))\s+NOT NULL')


class SchemaError(Exception):
    """The applicants table is not as the intermediary made it."""


def _sqlite_consumer_id_nullable(connection: sa.Connection) -> None:
    (sql,) = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'applicants'").one()
    new, count = CONSUMER_ID_NOT_NULL.subn(r"\1", sql)
    if count != 1:
        raise SchemaError(f"expected one consumer_id VARCHAR(32) column in the applicants table, found {sql!r}")
    (version,) = connection.exec_driver_sql("PRAGMA schema_version").one()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    connection.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'applicants'",
                               (new,))
    connection.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    connection.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    """Idempotent, like 0001's adoption: a database this code made and then lost its ``alembic_version`` (adopted
    again from 0001) has the columns already, and keeps them."""
    connection = op.get_bind()
    inspector = sa.inspect(connection)
    present = {table: {c["name"] for c in inspector.get_columns(table)}
               for table in ("applicants", "consumers", "providers", "certificates")}

    def add(table: str, column: sa.Column[Any]) -> None:
        if column.name not in present[table]:
            op.add_column(table, column)

    add("applicants", sa.Column("role", sa.String(16), nullable=False, server_default="consumer"))
    if "provider_id" not in present["applicants"]:
        if connection.dialect.name == "sqlite":  # SQLite adds a column's foreign key only inline (Alembic: batch)
            op.execute("ALTER TABLE applicants ADD COLUMN provider_id VARCHAR(32) REFERENCES providers (provider_id)")
        else:
            op.add_column("applicants", sa.Column("provider_id", sa.String(32),
                                                  sa.ForeignKey("providers.provider_id"), nullable=True))
    consumer_id = next(c for c in inspector.get_columns("applicants") if c["name"] == "consumer_id")
    if not consumer_id["nullable"]:
        if connection.dialect.name == "sqlite":
            _sqlite_consumer_id_nullable(connection)
        else:
            op.alter_column("applicants", "consumer_id", existing_type=sa.String(32), nullable=True)
    for column in ("usage_start", "usage_end", "planned_wh"):
        add("consumers", sa.Column(column, Wide, nullable=True))
    add("consumers", sa.Column("region", sa.String(32), nullable=True))
    add("providers", sa.Column("region", sa.String(32), nullable=True))
    add("providers", sa.Column("available_wh", Wide, nullable=True))
    add("certificates", sa.Column("revoked_reason", sa.String(500), nullable=True))
    add("certificates", sa.Column("revoked_at", Wide, nullable=True))
    if "portal_sessions" not in inspector.get_table_names():
        op.create_table("portal_sessions",
                        sa.Column("token_hash", sa.String(64), primary_key=True),
                        sa.Column("applicant", sa.Integer, sa.ForeignKey("applicants.id"), nullable=False),
                        sa.Column("csrf_token", sa.String(64), nullable=False),
                        sa.Column("expires_at", Wide, nullable=False),
                        sa.Column("last_seen", Wide, nullable=False))


def downgrade() -> None:
    """PostgreSQL only: SQLite cannot drop a column a foreign key uses (``applicants.provider_id``) without
    rebuilding ``applicants``, which its referring tables forbid; restore the backup taken before upgrading."""
    if op.get_bind().dialect.name == "sqlite":
        raise SchemaError("expected PostgreSQL to downgrade below revision 0003, found SQLite: restore the "
                          "database file saved before the upgrade")
    op.drop_table("portal_sessions")
    op.execute("DELETE FROM applicants WHERE consumer_id IS NULL")  # producers and issuers did not exist before
    for table, columns in (("certificates", ("revoked_reason", "revoked_at")),
                           ("providers", ("region", "available_wh")),
                           ("consumers", ("usage_start", "usage_end", "planned_wh", "region")),
                           ("applicants", ("provider_id", "role"))):
        for column in columns:
            op.drop_column(table, column)
    op.alter_column("applicants", "consumer_id", existing_type=sa.String(32), nullable=False)
