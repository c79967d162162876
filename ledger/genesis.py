"""Genesis: the chain id, its start time and the initial registry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.errors import Error
from ledger.registry import Entry, validate_entry
from ledger_lite import PublicKey, address_of


@dataclass(frozen=True)
class Genesis:
    chain_id: str
    time: int
    entries: tuple[Entry, ...]

    def validators(self) -> list[PublicKey]:
        return [PublicKey(e.public_key) for e in self.entries if e.role == "validator"]

    def to_json(self) -> dict[str, Any]:
        return {"chain_id": self.chain_id, "time": self.time, "registry": [e.to_json() for e in self.entries]}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Genesis:
        try:
            entries = tuple(
                Entry(address=address_of(bytes.fromhex(e["public_key"])), public_key=bytes.fromhex(e["public_key"]),
                      role=e["role"], name=e["name"], attrs=dict(e.get("attrs", {})))
                for e in value["registry"])
            genesis = cls(chain_id=str(value["chain_id"]), time=int(value["time"]), entries=entries)
        except (KeyError, TypeError, ValueError) as exc:
            raise Error(f"expected a genesis document with chain_id, time and registry, found error {exc!r}") from exc
        for entry in entries:
            validate_entry(entry)
        if not genesis.validators():
            raise Error("expected at least one validator in the genesis registry, found none")
        return genesis

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Genesis:
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise Error(f"cannot read genesis file {path}: {exc}") from exc


def entry(key: PublicKey, role: str, name: str, **attrs: Any) -> Entry:
    return Entry(address=key.address, public_key=key.raw, role=role, name=name, attrs=attrs)
