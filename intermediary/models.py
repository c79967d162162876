"""The business database (seed Figs. 9A-11B): consumers, contracts, history, applicants, sessions, certificates."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Wh amounts, Unix times and heights: 64-bit. PostgreSQL's INTEGER is 32-bit (2,147,483,647 Wh is a year of a
# large consumer; Unix times pass it in 2038); SQLite's INTEGER is 64-bit already and must stay "INTEGER" for a
# primary key to count by itself (migration 0002).
Wide = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Consumer(Base):
    """User management (Fig. 9A) + transaction content (Fig. 10A): who consumes, from whom, at what share."""

    __tablename__ = "consumers"
    consumer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ja: Mapped[str | None] = mapped_column(String(200), nullable=True)  # shown on Japanese pages (0005)
    ledger_address: Mapped[str] = mapped_column(String(64), unique=True)
    meter_key: Mapped[str] = mapped_column(String(64))  # hex Ed25519 public key of the consumer's smart meter
    renewable_target_pct: Mapped[int] = mapped_column(Integer)
    providers: Mapped[list[Any]] = mapped_column(JSON)  # selectable provider ids
    # Transaction content (Fig. 10A, S41-S48, migration 0003): the period of use as Unix times, start inclusive and
    # end exclusive (None: open; usage outside it gets no renewable allocation), the planned usage in Wh per hour,
    # and the region whose providers the consumer may choose (Fig. 9A: "limited to those ... in Tokyo and its
    # surrounding areas").
    usage_start: Mapped[int | None] = mapped_column(Wide, nullable=True)
    usage_end: Mapped[int | None] = mapped_column(Wide, nullable=True)
    planned_wh: Mapped[int | None] = mapped_column(Wide, nullable=True)
    region: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Provider(Base):
    """Provider management (Fig. 9B)."""

    __tablename__ = "providers"
    provider_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ja: Mapped[str | None] = mapped_column(String(200), nullable=True)  # shown on Japanese pages (0005)
    method: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(32), nullable=True)  # shown to the consumers of this region
    available_wh: Mapped[int | None] = mapped_column(Wide, nullable=True)  # Fig. 9B available amount, Wh per hour


class Usage(Base):
    """Transaction history (Fig. 10B): one row per consumer usage interval and how it was covered."""

    __tablename__ = "usage"
    __table_args__ = (UniqueConstraint("consumer_id", "start"),)
    id: Mapped[int] = mapped_column(Wide, primary_key=True)
    consumer_id: Mapped[str] = mapped_column(ForeignKey("consumers.consumer_id"))
    start: Mapped[int] = mapped_column(Wide)
    end: Mapped[int] = mapped_column(Wide)
    wh: Mapped[int] = mapped_column(Wide)
    renewable_wh: Mapped[int] = mapped_column(Wide, default=0)
    fossil_wh: Mapped[int] = mapped_column(Wide, default=0)
    unallocated_wh: Mapped[int] = mapped_column(Wide, default=0)
    tx_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # allocated | partial | failed


class UsageTotal(Base):
    """A consumer's running totals of its history (Fig. 10B total transaction volume): the sums of ``usage``'s
    ``renewable_wh`` and ``renewable_wh + fossil_wh`` over its rows, changed in the same transaction as each row so
    the allocation reads them in one lookup instead of re-summing a year of half hours (issue #17). A consumer
    without a row here has never had one written: its totals are then summed once from ``usage`` (a database from
    before this table) and stored."""

    __tablename__ = "usage_totals"
    consumer_id: Mapped[str] = mapped_column(ForeignKey("consumers.consumer_id"), primary_key=True)
    renewable_wh: Mapped[int] = mapped_column(Wide)
    total_wh: Mapped[int] = mapped_column(Wide)


ROLES = ("consumer", "producer", "issuer")


class Applicant(Base):
    """Applicant management (Fig. 11A): applicant ID, password hash, user name and lockout state.

    ``role`` (migration 0003): a ``consumer`` account belongs to ``consumer_id`` (the kiosk's applicants); a
    ``producer`` account to the provider ``provider_id``; an ``issuer`` (institution staff) to neither."""

    __tablename__ = "applicants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    applicant_id: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    consumer_id: Mapped[str | None] = mapped_column(ForeignKey("consumers.consumer_id"), nullable=True)
    role: Mapped[str] = mapped_column(String(16), default="consumer", server_default="consumer")
    provider_id: Mapped[str | None] = mapped_column(ForeignKey("providers.provider_id"), nullable=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[int] = mapped_column(Wide, default=0)


class SessionToken(Base):
    __tablename__ = "sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    applicant: Mapped[int] = mapped_column(ForeignKey("applicants.id"))
    expires_at: Mapped[int] = mapped_column(Wide)


class PortalSession(Base):
    """A log-in to the phone portal (``intermediary.portal``): the cookie's token by its hash, the session's CSRF
    token, when it expires (like a kiosk token) and when it was last used (the idle timeout)."""

    __tablename__ = "portal_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    applicant: Mapped[int] = mapped_column(ForeignKey("applicants.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[int] = mapped_column(Wide)
    last_seen: Mapped[int] = mapped_column(Wide)


class Item(Base):
    """An eligible-transaction row as shown to an applicant: a group of allocated assets."""

    __tablename__ = "items"
    item_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    consumer_id: Mapped[str] = mapped_column(ForeignKey("consumers.consumer_id"))
    method: Mapped[str] = mapped_column(String(32))
    period_start: Mapped[int] = mapped_column(Wide)
    period_end: Mapped[int] = mapped_column(Wide)
    amount_wh: Mapped[int] = mapped_column(Wide)
    assets: Mapped[list[Any]] = mapped_column(JSON)  # [[asset_id, start, wh], ...]


class Certificate(Base):
    __tablename__ = "certificates"
    certificate_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    consumer_id: Mapped[str] = mapped_column(ForeignKey("consumers.consumer_id"))
    type_id: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(16))
    amount_wh: Mapped[int] = mapped_column(Wide)
    period_start: Mapped[int] = mapped_column(Wide)
    period_end: Mapped[int] = mapped_column(Wide)
    issued_at: Mapped[int] = mapped_column(Wide)
    chain_id: Mapped[str] = mapped_column(String(64))
    block_height: Mapped[int] = mapped_column(Wide)
    payload: Mapped[str] = mapped_column(String(4096))
    profile: Mapped[list[Any]] = mapped_column(JSON)  # half-hourly Wh from period_start
    revoked_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)  # set by an issuer (issue 15)
    revoked_at: Mapped[int | None] = mapped_column(Wide, nullable=True)


class IssuanceRequest(Base):
    """One ``POST /certificates`` idempotency key of one applicant (issue #9). The row is inserted — the primary key
    makes the claim atomic — with the signed transaction's id before the node is asked; ``state`` says what became
    of it: ``pending`` (a worker is talking to the node since ``updated_at``), ``done`` (``certificate_id`` is in
    ``certificates``) or ``failed`` (the next request with this key tries again). ``tx_ids`` are every issuance
    transaction sent under this key, so a late commit of an earlier one is recognised as ours.
    (Replaces the table ``idempotency``, which had no state; old databases keep it, unused.)"""

    __tablename__ = "issuance_requests"
    applicant: Mapped[int] = mapped_column(ForeignKey("applicants.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    certificate_id: Mapped[str] = mapped_column(String(64))  # the latest issuance transaction id
    tx_ids: Mapped[list[Any]] = mapped_column(JSON)
    item_ids: Mapped[list[Any]] = mapped_column(JSON)
    type_id: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[int] = mapped_column(Wide)


class LoginFailures(Base):
    """Failed log-ins counted per scope (issue #9, policy in intermediary/auth.py): ``scope`` is a SHA-256 of
    ("account", applicant ID), ("client", address) or ("pair", applicant ID, address), whether the account exists
    or not. Failures older than a day are forgotten."""

    __tablename__ = "login_failures"
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure: Mapped[int] = mapped_column(Wide)
    blocked_until: Mapped[int] = mapped_column(Wide)
