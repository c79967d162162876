"""The stored eligible-transaction list (issue 16, ``intermediary.eligible_models``): followed consumers' allocated
assets, the rows grouped from them, and the cursor of the last block followed.

Only tables are added; nothing existing changes (a database that has them already keeps them). The tables start
empty: a consumer's rows are built from the node at its first list request, and followed from the blocks after
that.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _wide() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # A database adopted by 0001 (no alembic_version) may be one that had these tables already: keep them.
    present = set(sa.inspect(op.get_bind()).get_table_names())
    if {"eligible_assets", "eligible_rows", "eligible_consumers", "eligible_cursor"} <= present:
        return
    op.create_table(
        "eligible_assets",
        sa.Column("asset_id", sa.String(64), primary_key=True),
        sa.Column("consumer_id", sa.String(32), sa.ForeignKey("consumers.consumer_id"), nullable=False),
        sa.Column("group_key", sa.String(120), nullable=False),
        sa.Column("start", _wide(), nullable=False),
        sa.Column("end", _wide(), nullable=False),
        sa.Column("wh", _wide(), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("cert", sa.String(64), nullable=True))
    op.create_index("ix_eligible_assets_group", "eligible_assets", ["consumer_id", "group_key"])
    op.create_table(
        "eligible_rows",
        sa.Column("consumer_id", sa.String(32), sa.ForeignKey("consumers.consumer_id"), primary_key=True),
        sa.Column("item_id", sa.String(32), primary_key=True),
        sa.Column("group_key", sa.String(120), nullable=False),
        sa.Column("period_start", _wide(), nullable=False),
        sa.Column("period_end", _wide(), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("amount_wh", _wide(), nullable=False),
        sa.Column("certificate_id", sa.String(64), nullable=True),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("allocations", sa.Integer, nullable=False))
    op.create_table(
        "eligible_consumers",
        sa.Column("consumer_id", sa.String(32), sa.ForeignKey("consumers.consumer_id"), primary_key=True),
        sa.Column("as_of", _wide(), nullable=True),
        sa.Column("built_height", _wide(), nullable=False))
    op.create_table(
        "eligible_cursor",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("height", _wide(), nullable=False))


def downgrade() -> None:
    op.drop_table("eligible_cursor")
    op.drop_table("eligible_consumers")
    op.drop_table("eligible_rows")
    op.drop_index("ix_eligible_assets_group", table_name="eligible_assets")
    op.drop_table("eligible_assets")
