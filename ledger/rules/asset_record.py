"""How an asset is stored: only what cannot be derived, so a node holding a million readings stays small.

The full asset (what rules and the API see) has every field; the stored record drops ``id`` (it is in the key
``asset/<id>``), ``category`` (it follows from ``method``), ``gen_tx`` when it equals ``id`` (a generated, not
split, asset), ``generated_wh`` when it equals ``wh`` and the optional fields that are still null. ``unpack``
restores exactly what ``pack`` dropped; the state root commits to the stored record.
"""

from __future__ import annotations

from typing import Any

from ledger.registry import category_of
from ledger.state import Overlay

PREFIX = "asset/"
OPTIONAL = ("cert", "parent", "parent_hash", "usage_start", "usage_end")


def asset_key(asset_id: str) -> str:
    return PREFIX + asset_id


def pack(asset: dict[str, Any]) -> dict[str, Any]:
    stored = {k: v for k, v in asset.items() if k not in ("id", "category") and not (k in OPTIONAL and v is None)}
    if stored.get("gen_tx") == asset["id"]:
        del stored["gen_tx"]
    if stored.get("generated_wh") == asset["wh"]:
        del stored["generated_wh"]
    return stored


def unpack(asset_id: str, stored: dict[str, Any]) -> dict[str, Any]:
    asset: dict[str, Any] = dict.fromkeys(OPTIONAL)
    asset.update(stored)
    asset["id"] = asset_id
    asset["category"] = category_of(stored["method"])
    asset.setdefault("gen_tx", asset_id)
    asset.setdefault("generated_wh", stored["wh"])
    return asset


def generated_record(provider: str, meter: str, method: str, start: int, end: int, wh: int, owner: str,
                     expires: int) -> dict[str, Any]:
    """The stored record of a freshly generated asset: ``pack`` of the full asset, built directly because it
    is written once per meter reading, its keys in canonical order (``ledger.state_encoding``: then encoded
    without sorting them)."""
    return {"wh": wh, "end": end, "meter": meter, "owner": owner, "start": start, "trade": "open", "method": method,
            "expires": expires, "provider": provider}


def get_asset(state: Overlay, asset_id: str) -> dict[str, Any] | None:
    stored = state.get(asset_key(asset_id))
    return None if stored is None else unpack(asset_id, stored)


def put_asset(state: Overlay, asset: dict[str, Any]) -> None:
    state.put(asset_key(asset["id"]), pack(asset))
