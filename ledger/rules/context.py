"""What a rule sees while it executes one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.errors import Rejected
from ledger.registry import Entry, is_removed
from ledger.state import Overlay


@dataclass
class Context:
    state: Overlay
    time: int     # block time, Unix seconds
    height: int   # height of the block being built

    def entry(self, address: str) -> Entry | None:
        value = self.state.get(f"registry/{address}")
        return None if value is None or is_removed(value) else Entry.from_state(value)

    def require_role(self, address: str, *roles: str) -> Entry:
        entry = self.entry(address)
        if entry is None:
            raise Rejected("unknown_signer", f"expected a registered key, found unregistered {address}", 403)
        if entry.role not in roles:
            raise Rejected("wrong_role", f"expected a key with role {' or '.join(roles)}, found {entry.role} "
                                         f"for {address}", 403)
        return entry


def field(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        found = "nothing" if value is None else type(value).__name__
        raise Rejected("bad_body", f"expected body field {name!r} of type {kind.__name__}, found {found}", 400)
    return value
