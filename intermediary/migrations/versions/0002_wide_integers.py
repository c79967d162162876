"""Wide integers: Wh amounts, Unix times and block heights as 64-bit (BIGINT) on PostgreSQL.

PostgreSQL's INTEGER is 32-bit: a year of a large consumer's usage is more than 2,147,483,647 Wh and Unix times
pass 2**31 in 2038. SQLite stores every INTEGER in up to 8 bytes already, so nothing changes there.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

WIDE = {
    "usage": ["id", "start", "end", "wh", "renewable_wh", "fossil_wh", "unallocated_wh"],
    "usage_totals": ["renewable_wh", "total_wh"],
    "applicants": ["locked_until"],
    "sessions": ["expires_at"],
    "items": ["period_start", "period_end", "amount_wh"],
    "certificates": ["amount_wh", "period_start", "period_end", "issued_at", "block_height"],
    "issuance_requests": ["updated_at"],
    "login_failures": ["last_failure", "blocked_until"],
}


def _retype(to: type[sa.Integer], from_: type[sa.Integer]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in WIDE.items():
        for column in columns:
            op.alter_column(table, column, type_=to(), existing_type=from_(), existing_nullable=False)
    # usage.id counts from a sequence that SERIAL made 32-bit too
    op.execute(f"ALTER SEQUENCE usage_id_seq AS {'bigint' if to is sa.BigInteger else 'integer'}")


def upgrade() -> None:
    _retype(sa.BigInteger, sa.Integer)


def downgrade() -> None:
    _retype(sa.Integer, sa.BigInteger)
