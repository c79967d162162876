"""Genesis documents and registry entries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ledger.errors import Error, Rejected
from ledger.genesis import Genesis
from ledger.registry import category_of
from tests.helpers.ledger_world import LedgerWorld


def test_genesis_round_trips_through_a_file(tmp_path: Path, ledger_world: LedgerWorld) -> None:
    genesis = ledger_world.genesis()
    genesis.save(tmp_path / "genesis.json")
    assert Genesis.load(tmp_path / "genesis.json") == genesis
    assert genesis.validators() == [ledger_world.validator.public]


@pytest.mark.parametrize(("change", "match"), [
    (lambda d: d.pop("chain_id"), "expected a genesis document with chain_id, time and registry"),
    (lambda d: d.__setitem__("time", "noon"), "expected a genesis document"),
    (lambda d: d["registry"][0].__setitem__("public_key", "zz"), "expected a genesis document"),
    (lambda d: d.__setitem__("registry", [e for e in d["registry"] if e["role"] != "validator"]),
     "expected at least one validator in the genesis registry, found none"),
])
def test_malformed_genesis_is_refused(ledger_world: LedgerWorld, change: Any, match: str) -> None:
    document = ledger_world.genesis().to_json()
    change(document)
    with pytest.raises(Error, match=match):
        Genesis.from_json(document)


@pytest.mark.parametrize(("attrs", "role", "match"), [
    ({}, "auditor", "expected a role among"),
    ({"provider": "Aa", "method": "solar"}, "meter", "needs attribute 'capacity_w' \\(int\\)"),
    ({"provider": "Aa", "method": "solar", "capacity_w": "50kW"}, "meter", "needs attribute 'capacity_w'"),
    ({"provider": "Aa", "method": "plutonium", "capacity_w": 1}, "meter", "expected a production method among"),
])
def test_invalid_registry_entry_is_refused(ledger_world: LedgerWorld, attrs: dict[str, Any], role: str,
                                           match: str) -> None:
    document = ledger_world.genesis().to_json()
    document["registry"].append({"public_key": ledger_world.outsider.public.hex(), "role": role, "name": "x",
                                 "attrs": attrs})
    with pytest.raises(Rejected, match=match):
        Genesis.from_json(document)


def test_unreadable_genesis_file(tmp_path: Path) -> None:
    with pytest.raises(Error, match="cannot read genesis file"):
        Genesis.load(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(Error, match="cannot read genesis file"):
        Genesis.load(tmp_path / "bad.json")


@pytest.mark.parametrize(("method", "category"), [("solar", "renewable"), ("wind", "renewable"),
                                                  ("hydro", "renewable"), ("oil", "fossil"), ("lng", "fossil"),
                                                  ("nuclear", "nuclear")])
def test_categories(method: str, category: str) -> None:
    assert category_of(method) == category
