"""The registry: which keys may do what (validators, intermediaries, meters, user keys).

It lives in the state under ``registry/<address>``, is set in genesis and changed only by governance
transactions (``ledger/rules/governance.py``); a removed key leaves a tombstone (``is_removed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.errors import Rejected

ROLES = ("validator", "intermediary", "meter", "user")
RENEWABLE = ("solar", "wind", "hydro", "biomass", "geothermal", "solar_thermal", "atmospheric_heat")
FOSSIL = ("oil", "coal", "lng")
NUCLEAR = ("nuclear",)


def category_of(method: str) -> str:
    if method in RENEWABLE:
        return "renewable"
    if method in FOSSIL:
        return "fossil"
    if method in NUCLEAR:
        return "nuclear"
    raise Rejected("bad_method", f"expected a production method among {RENEWABLE + FOSSIL + NUCLEAR}, found {method!r}")


@dataclass(frozen=True)
class Entry:
    """One registered key. ``attrs`` holds role-specific fields:

    meter: provider, method, capacity_w; user: user_name; intermediary/validator: name.
    """

    address: str
    public_key: bytes
    role: str
    name: str
    attrs: dict[str, Any]

    def to_state(self) -> dict[str, Any]:
        return {"address": self.address, "key": self.public_key, "role": self.role, "name": self.name,
                "attrs": self.attrs}

    @classmethod
    def from_state(cls, value: dict[str, Any]) -> Entry:
        return cls(address=value["address"], public_key=value["key"], role=value["role"], name=value["name"],
                   attrs=dict(value["attrs"]))

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "public_key": self.public_key.hex(), "role": self.role,
                "name": self.name, "attrs": self.attrs}


def is_removed(value: Any) -> bool:
    """Whether a ``registry/<address>`` value is a tombstone written by ``registry.update``'s ``remove``."""
    return isinstance(value, dict) and value.get("removed") is True


def validate_entry(entry: Entry) -> None:
    if entry.role not in ROLES:
        raise Rejected("bad_registry", f"expected a role among {ROLES}, found {entry.role!r}")
    if entry.role == "meter":
        for name, kind in (("provider", str), ("method", str), ("capacity_w", int)):
            if not isinstance(entry.attrs.get(name), kind):
                raise Rejected("bad_registry", f"meter {entry.address} needs attribute {name!r} ({kind.__name__})")
        capacity = entry.attrs["capacity_w"]
        if isinstance(capacity, bool) or capacity <= 0:
            raise Rejected("bad_registry", f"meter {entry.address} needs a positive capacity_w, found {capacity!r}")
        category_of(entry.attrs["method"])
