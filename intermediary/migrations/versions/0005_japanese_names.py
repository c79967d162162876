"""Japanese names beside the English ones (issue 15): ``providers.name_ja`` and ``consumers.name_ja``, shown on a
Japanese page of the portal instead of ``name`` when set (names were stored in English only before).

Only nullable columns are added; every row is kept and has no Japanese name until one is stored (the portal shows
``name`` then). Idempotent like 0003: a database that has the columns keeps them.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("providers", "consumers")


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table in TABLES:
        if "name_ja" not in {c["name"] for c in inspector.get_columns(table)}:
            op.add_column(table, sa.Column("name_ja", sa.String(200), nullable=True))


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column no key or index uses in place, as PostgreSQL does.
    for table in TABLES:
        op.drop_column(table, "name_ja")
