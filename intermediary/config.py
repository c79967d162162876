"""Typed settings of the intermediary, validated once at start-up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from backend_client import split_urls
from ledger_lite import SigningKey


@dataclass(frozen=True)
class Settings:
    db_url: str                      # SQLAlchemy URL: sqlite:///... (default) or postgresql+psycopg://...
    node_url: str | Sequence[str]    # the ledger node this intermediary submits to, or several validator nodes
    #                                  (a list, or URLs separated by commas) it fails over between
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
        bad = [url for url in self.node_urls if not url.startswith(("http://", "https://"))]
        if bad:
            raise ValueError(f"node_url must be http(s) URLs, got {', '.join(bad)}")

    @property
    def node_urls(self) -> tuple[str, ...]:
        """The ledger nodes, in the order to try them."""
        return split_urls(self.node_url)
