"""The stored form of an asset drops only what can be derived, and ``unpack`` restores it exactly."""

from __future__ import annotations

from typing import Any

from ledger.rules.asset_record import generated_record, pack, unpack

GENERATED: dict[str, Any] = {
    "id": "ab" * 32, "provider": "Aa", "meter": "gc1" + "0" * 40, "method": "solar", "category": "renewable",
    "start": 1800, "end": 3600, "generated_wh": 500, "wh": 500, "owner": "gc1" + "1" * 40, "expires": 9_999,
    "trade": "open", "cert": None, "parent": None, "parent_hash": None, "gen_tx": "ab" * 32,
    "usage_start": None, "usage_end": None}


def test_a_generated_asset_keeps_only_what_cannot_be_derived() -> None:
    stored = pack(GENERATED)
    assert set(stored) == {"provider", "meter", "method", "start", "end", "wh", "owner", "expires", "trade"}
    assert unpack(GENERATED["id"], stored) == GENERATED
    # What the generation rule writes directly is exactly that record.
    assert generated_record(*(GENERATED[k] for k in ("provider", "meter", "method", "start", "end", "wh", "owner",
                                                      "expires"))) == stored


def test_a_split_certified_child_round_trips() -> None:
    child = {**GENERATED, "id": "cd" * 32, "wh": 200, "owner": "gc1" + "2" * 40, "trade": "completed",
             "parent": "ab" * 32, "parent_hash": b"\x01" * 32, "usage_start": 0, "usage_end": 1800,
             "cert": "ef" * 32}
    stored = pack(child)
    assert stored["gen_tx"] == "ab" * 32 and stored["generated_wh"] == 500
    assert unpack(child["id"], stored) == child
