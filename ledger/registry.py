"""The registry: which keys may do what (validators, intermediaries, meters, user keys; seed 003's homes and
storage servers, ``ledger_lite.trading``).

It lives in the state under ``registry/<address>``, is set in genesis and changed only by governance
transactions (``ledger/rules/governance.py``); a removed key leaves a tombstone (``is_removed``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ledger.errors import Rejected
from ledger_lite.keys import is_address

ROLES = ("validator", "intermediary", "meter", "user", "home", "storage")
BATTERY_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")  # a battery id is one part of a state key: no "/"
# Seed 003 (ledger_lite.trading): the attributes each trading role needs, with their types.
HOME_ATTRS: tuple[tuple[str, type], ...] = (("battery", str), ("node", str))
STORAGE_ATTRS: tuple[tuple[str, type], ...] = (
    ("battery", str), ("capacity_wh", int), ("max_charge_w", int), ("max_discharge_w", int),
    ("efficiency_pct", int), ("grid_node", str))
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

    meter: provider, method, capacity_w and, once its producer registered one (seed S21-S25), intermediary (the
    address of the intermediary it reports to: ``asset.generate`` then accepts no other owner); user: user_name;
    intermediary/validator: name;
    home: battery, node; storage: battery, capacity_wh, max_charge_w, max_discharge_w, efficiency_pct, grid_node.
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
        _validate_meter_intermediary(entry)
    elif entry.role in ("home", "storage"):
        _validate_trading(entry)


def _validate_meter_intermediary(entry: Entry) -> None:
    """S21-S25: a meter's ``intermediary``, when set, is the address of the intermediary it reports to."""
    if "intermediary" not in entry.attrs:
        return
    value: Any = entry.attrs["intermediary"]
    if not isinstance(value, str) or not is_address(value):
        found = f"{type(value).__name__} {value!r:.60}"
        raise Rejected("bad_registry", f"meter {entry.address} needs attribute 'intermediary' as an address "
                                       f"('gc1' + 40 hex digits), found {found}")


def _validate_trading(entry: Entry) -> None:
    role = entry.role
    for name, kind in HOME_ATTRS if role == "home" else STORAGE_ATTRS:
        value: Any = entry.attrs.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            found = "nothing" if value is None else f"{type(value).__name__} {value!r:.40}"
            raise Rejected("bad_registry", f"{role} {entry.address} needs attribute {name!r} ({kind.__name__}), "
                                           f"found {found}")
        if isinstance(value, str):
            if not value or any(not part for part in value.split("/")) or len(value) > 200:
                raise Rejected("bad_registry", f"{role} {entry.address} needs a non-empty {name!r} of 1 to 200 "
                                               f"characters with no empty '/' part, found {value!r:.60}")
            if name == "battery" and not BATTERY_ID.fullmatch(value):
                raise Rejected("bad_registry", f"{role} {entry.address} needs a battery id of 1 to 64 letters, "
                                               f"digits, '_', '.' or '-', found {value!r:.60}")
        elif isinstance(value, int) and value <= 0:
            raise Rejected("bad_registry", f"{role} {entry.address} needs a positive {name!r}, found {value}")
    if role == "storage" and entry.attrs["efficiency_pct"] > 100:
        raise Rejected("bad_registry", f"storage {entry.address} needs efficiency_pct between 1 and 100, found "
                                       f"{entry.attrs['efficiency_pct']}")
