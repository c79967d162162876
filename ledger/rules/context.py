"""What a rule sees while it executes one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.errors import Rejected
from ledger.registry import Entry, is_removed
from ledger.state import Overlay

# Registry entries are read for almost every transaction; parsing them once per stored value saves a tenth
# of a block's work. Keyed by address, valid only while the state holds the identical value object.
_ENTRIES: dict[str, tuple[Any, Entry]] = {}


@dataclass
class Context:
    state: Overlay
    time: int     # block time, Unix seconds
    height: int   # height of the block being built

    def entry(self, address: str) -> Entry | None:
        value = self.state.get(f"registry/{address}")
        if value is None or is_removed(value):
            return None
        cached = _ENTRIES.get(address)
        if cached is not None and cached[0] is value:  # the very same stored value: its Entry is unchanged
            return cached[1]
        entry = Entry.from_state(value)
        _ENTRIES[address] = (value, entry)
        return entry

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
