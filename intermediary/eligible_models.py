"""The stored eligible-transaction list (issue 16): each consumer's allocated assets and the rows grouped from them,
kept up to date from the node's blocks so a list request reads a few rows instead of a year of assets.

* ``eligible_assets``: one per asset allocated to a followed consumer (``GET /v1/assets`` fields the rows need) with
  the group it belongs to (``group_key``: ``open:<JST month>:<method>`` or ``cert:<certificate id>``);
* ``eligible_rows``: the rows of each group, as ``ledger_lite.certificate.group_rows`` makes them;
* ``eligible_consumers``: the consumers followed (their assets and rows are complete up to the cursor) and the
  end of their newest allocation (the list's ``as_of``);
* ``eligible_cursor``: one row, the height of the last block whose transactions are in the tables.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from intermediary.models import Base, Wide


class EligibleAsset(Base):
    __tablename__ = "eligible_assets"
    __table_args__ = (Index("ix_eligible_assets_group", "consumer_id", "group_key"),)
    asset_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    consumer_id: Mapped[str] = mapped_column(ForeignKey("consumers.consumer_id"))
    group_key: Mapped[str] = mapped_column(String(120))
    start: Mapped[int] = mapped_column(Wide)
    end: Mapped[int] = mapped_column(Wide)
    wh: Mapped[int] = mapped_column(Wide)
    method: Mapped[str] = mapped_column(String(32))
    cert: Mapped[str | None] = mapped_column(String(64), nullable=True)


class EligibleRow(Base):
    __tablename__ = "eligible_rows"
    consumer_id: Mapped[str] = mapped_column(ForeignKey("consumers.consumer_id"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    group_key: Mapped[str] = mapped_column(String(120))
    period_start: Mapped[int] = mapped_column(Wide)
    period_end: Mapped[int] = mapped_column(Wide)
    method: Mapped[str] = mapped_column(String(32))
    amount_wh: Mapped[int] = mapped_column(Wide)
    certificate_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    category: Mapped[str] = mapped_column(String(16))
    allocations: Mapped[int] = mapped_column(Integer)


class EligibleConsumer(Base):
    __tablename__ = "eligible_consumers"
    consumer_id: Mapped[str] = mapped_column(ForeignKey("consumers.consumer_id"), primary_key=True)
    as_of: Mapped[int | None] = mapped_column(Wide, nullable=True)
    built_height: Mapped[int] = mapped_column(Wide)  # the node's height when its assets were first listed


class EligibleCursor(Base):
    __tablename__ = "eligible_cursor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    height: Mapped[int] = mapped_column(Wide)
