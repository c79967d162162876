"""Typed settings of the intermediary, validated once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ledger_lite import SigningKey


@dataclass(frozen=True)
class Settings:
    db_url: str                      # SQLAlchemy URL: sqlite:///... (default) or postgresql+psycopg://...
    node_url: str                    # the ledger node this intermediary submits to
    chain_id: str
    key: SigningKey                  # the intermediary's registered ledger key (signs allocations and payloads)
    pdf_dir: Path                    # rendered certificates are kept here
    session_ttl_s: int = 15 * 60
    max_failed_logins: int = 5
    lockout_s: int = 15 * 60
    name: str = "Intermediary Da"

    def __post_init__(self) -> None:
        if self.session_ttl_s <= 0 or self.lockout_s <= 0 or self.max_failed_logins <= 0:
            raise ValueError("session_ttl_s, lockout_s and max_failed_logins must be positive")
        if not self.db_url:
            raise ValueError("db_url must name a database")
