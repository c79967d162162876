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
    session_ttl_s: int = 15 * 60    # kiosk tokens and phone-portal sessions expire this long after log-in
    portal_idle_s: int = 10 * 60    # a phone-portal session unused this long ends (intermediary.portal)
    # How usage is allocated (issue 15, intermediary.interval_allocation): "seed" (S86-S93 as written),
    # "time_matched" (the same half hour first) or "optimised" (time-matched, a short supply shared fairly).
    allocation_rule: str = "time_matched"
    max_failed_logins: int = 5
    lockout_s: int = 15 * 60
    name: str = "Intermediary Da"
    # This intermediary's own public address (e.g. "https://green.example.jp"): printed certificates' QR codes
    # link to its /verify page and the address is printed under them; "" keeps each format's own (issue 15).
    public_url: str = ""
    # Who writes certificate PDFs: "intermediary" (S212a, from our record) or "node" (Modification 1, S311a: the
    # node side, from the ledger's records; intermediary.node_render). Both give the same bytes.
    render_at: str = "intermediary"

    def __post_init__(self) -> None:
        if self.allocation_rule not in ("seed", "time_matched", "optimised"):
            raise ValueError(f"allocation_rule must be 'seed', 'time_matched' or 'optimised', got "
                             f"{self.allocation_rule[:40]!r}")
        if self.session_ttl_s <= 0 or self.lockout_s <= 0 or self.max_failed_logins <= 0 or self.portal_idle_s <= 0:
            raise ValueError("session_ttl_s, portal_idle_s, lockout_s and max_failed_logins must be positive")
        if not self.db_url:
            raise ValueError("db_url must name a database")
        bad = [url for url in self.node_urls if not url.startswith(("http://", "https://"))]
        if bad:
            raise ValueError(f"node_url must be http(s) URLs, got {', '.join(bad)}")
        if self.public_url:
            from printing.errors import RenderError
            from printing.qr import verify_link  # a QR link's rules: http(s), letters, digits and ".-/:"

            try:
                verify_link("GC1:", self.public_url)
            except RenderError as exc:
                raise ValueError(f"public_url: {exc}") from None
        if self.render_at not in ("intermediary", "node"):
            raise ValueError(f"render_at must be 'intermediary' or 'node', got {self.render_at[:40]!r}")

    @property
    def node_urls(self) -> tuple[str, ...]:
        """The ledger nodes, in the order to try them."""
        return split_urls(self.node_url)
