"""The schema as the intermediary made it with ``create_all`` before migrations (commit 8338753, issue #17).

A new database gets every table. A database made by earlier code (no ``alembic_version``) is adopted: the tables
it lacks are created (``usage_totals`` before issue #17; ``issuance_requests`` and ``login_failures`` before issue
#9), the ones it has are checked for today's columns and kept with every row. The old ``idempotency`` table
(before issue #9) is left as it is, unused, like the code before migrations left it.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the tables as they were at this revision (later model changes get their own revisions).
schema = sa.MetaData()
sa.Table("consumers", schema,
         sa.Column("consumer_id", sa.String(32), primary_key=True),
         sa.Column("name", sa.String(200), nullable=False),
         sa.Column("ledger_address", sa.String(64), nullable=False, unique=True),
         sa.Column("meter_key", sa.String(64), nullable=False),
         sa.Column("renewable_target_pct", sa.Integer, nullable=False),
         sa.Column("providers", sa.JSON, nullable=False))
sa.Table("providers", schema,
         sa.Column("provider_id", sa.String(32), primary_key=True),
         sa.Column("name", sa.String(200), nullable=False),
         sa.Column("method", sa.String(32), nullable=False),
         sa.Column("category", sa.String(16), nullable=False))
sa.Table("login_failures", schema,
         sa.Column("scope", sa.String(64), primary_key=True),
         sa.Column("failures", sa.Integer, nullable=False),
         sa.Column("last_failure", sa.Integer, nullable=False),
         sa.Column("blocked_until", sa.Integer, nullable=False))
sa.Table("usage", schema,
         sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("consumer_id", sa.String(32), sa.ForeignKey("consumers.consumer_id"), nullable=False),
         sa.Column("start", sa.Integer, nullable=False),
         sa.Column("end", sa.Integer, nullable=False),
         sa.Column("wh", sa.Integer, nullable=False),
         sa.Column("renewable_wh", sa.Integer, nullable=False),
         sa.Column("fossil_wh", sa.Integer, nullable=False),
         sa.Column("unallocated_wh", sa.Integer, nullable=False),
         sa.Column("tx_id", sa.String(64), nullable=True),
         sa.Column("status", sa.String(16), nullable=False),
         sa.UniqueConstraint("consumer_id", "start"))
sa.Table("usage_totals", schema,
         sa.Column("consumer_id", sa.String(32), sa.ForeignKey("consumers.consumer_id"), primary_key=True),
         sa.Column("renewable_wh", sa.Integer, nullable=False),
         sa.Column("total_wh", sa.Integer, nullable=False))
sa.Table("applicants", schema,
         sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("applicant_id", sa.String(64), nullable=False, unique=True),
         sa.Column("password_hash", sa.String(256), nullable=False),
         sa.Column("consumer_id", sa.String(32), sa.ForeignKey("consumers.consumer_id"), nullable=False),
         sa.Column("failed_logins", sa.Integer, nullable=False),
         sa.Column("locked_until", sa.Integer, nullable=False))
sa.Table("items", schema,
         sa.Column("item_id", sa.String(32), primary_key=True),
         sa.Column("consumer_id", sa.String(32), sa.ForeignKey("consumers.consumer_id"), nullable=False),
         sa.Column("method", sa.String(32), nullable=False),
         sa.Column("period_start", sa.Integer, nullable=False),
         sa.Column("period_end", sa.Integer, nullable=False),
         sa.Column("amount_wh", sa.Integer, nullable=False),
         sa.Column("assets", sa.JSON, nullable=False))
sa.Table("certificates", schema,
         sa.Column("certificate_id", sa.String(64), primary_key=True),
         sa.Column("consumer_id", sa.String(32), sa.ForeignKey("consumers.consumer_id"), nullable=False),
         sa.Column("type_id", sa.String(64), nullable=False),
         sa.Column("method", sa.String(32), nullable=False),
         sa.Column("category", sa.String(16), nullable=False),
         sa.Column("amount_wh", sa.Integer, nullable=False),
         sa.Column("period_start", sa.Integer, nullable=False),
         sa.Column("period_end", sa.Integer, nullable=False),
         sa.Column("issued_at", sa.Integer, nullable=False),
         sa.Column("chain_id", sa.String(64), nullable=False),
         sa.Column("block_height", sa.Integer, nullable=False),
         sa.Column("payload", sa.String(4096), nullable=False),
         sa.Column("profile", sa.JSON, nullable=False))
sa.Table("sessions", schema,
         sa.Column("token_hash", sa.String(64), primary_key=True),
         sa.Column("applicant", sa.Integer, sa.ForeignKey("applicants.id"), nullable=False),
         sa.Column("expires_at", sa.Integer, nullable=False))
sa.Table("issuance_requests", schema,
         sa.Column("applicant", sa.Integer, sa.ForeignKey("applicants.id"), primary_key=True),
         sa.Column("key", sa.String(100), primary_key=True),
         sa.Column("state", sa.String(16), nullable=False),
         sa.Column("certificate_id", sa.String(64), nullable=False),
         sa.Column("tx_ids", sa.JSON, nullable=False),
         sa.Column("item_ids", sa.JSON, nullable=False),
         sa.Column("type_id", sa.String(64), nullable=False),
         sa.Column("updated_at", sa.Integer, nullable=False))


class AdoptionError(Exception):
    """An existing table lacks columns this revision expects: not a database the intermediary made."""


def upgrade() -> None:
    connection = op.get_bind()
    inspector = sa.inspect(connection)
    present = set(inspector.get_table_names())
    for table in schema.sorted_tables:
        if table.name not in present:
            table.create(connection)
            continue
        found = {column["name"] for column in inspector.get_columns(table.name)}
        missing = [column.name for column in table.columns if column.name not in found]
        if missing:
            raise AdoptionError(f"table {table.name!r} cannot be adopted: expected the columns "
                                f"{[c.name for c in table.columns]}, found {sorted(found)} "
                                f"(missing {missing})")


def downgrade() -> None:
    for table in reversed(schema.sorted_tables):
        op.drop_table(table.name)
