"""The light node's trust anchor in direct mode: the ledger's validator keys, pinned on first use (no Qt here).

The first time the kiosk needs them it asks the node for its chain id (``GET /v1/status``) and registry
(``GET /v1/registry``) and keeps the chain id and the live validators' public keys in ``validators.json`` in the
kiosk's config dir. From then on only that file counts: a block is final for the kiosk when a quorum of *these*
keys signed it, whatever the node says later.

This is trust on first use (TOFU): the very first answer is believed. An operator who does not want that copies
a ``validators.json`` taken from a trusted machine into the config dir before the kiosk's first issuance (the
format is below). The pin does not follow later changes of the validator set: after a governance change the
kiosk refuses the new blocks until an operator removes (or replaces) the file::

    {"version": 1, "chain_id": "greencert-demo", "validators": ["<hex public key>", ...],
     "pinned_from": "http://127.0.0.1:8701", "pinned_at": 1790812800}
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend_client import ClientError, NodeClient, Unreachable
from kiosk.core.json_file import write_json_atomically
from kiosk.direct.errors import NodeUnreachable, TrustError
from ledger_lite import KeyFormatError, PublicKey

VERSION = 1


@dataclass(frozen=True)
class PinnedTrust:
    chain_id: str
    validators: tuple[PublicKey, ...]
    pinned_from: str
    pinned_at: int

    def to_json(self) -> dict[str, Any]:
        return {"version": VERSION, "chain_id": self.chain_id, "validators": [v.hex() for v in self.validators],
                "pinned_from": self.pinned_from, "pinned_at": self.pinned_at}

    @classmethod
    def from_json(cls, value: Any, where: str) -> PinnedTrust:
        try:
            if value["version"] != VERSION:
                raise ValueError(f"version {value['version']!r}, expected {VERSION}")
            validators = tuple(PublicKey.from_hex(v) for v in value["validators"])
            if not validators or not isinstance(value["chain_id"], str) or not value["chain_id"]:
                raise ValueError("no validator keys or no chain id")
            return cls(value["chain_id"], validators, str(value.get("pinned_from", "")), int(value["pinned_at"]))
        except (KeyError, TypeError, ValueError, KeyFormatError) as exc:
            raise TrustError(f"{where}: expected the pinned chain id and validator keys, found a problem: "
                             f"{exc}") from None


class TrustStore:
    """``validators.json``: read once, written once (atomically, owner-only). Safe to share between threads."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._pinned: PinnedTrust | None = None

    def pinned(self) -> PinnedTrust | None:
        """The pinned trust, or None before first use; raises ``TrustError`` for an unreadable file."""
        with self._lock:
            return self._read()

    def _read(self) -> PinnedTrust | None:
        if self._pinned is None:
            try:
                text = self.path.read_text(encoding="utf-8")
            except FileNotFoundError:
                return None
            except OSError as exc:
                raise TrustError(f"{self.path}: cannot be read ({exc.strerror or exc})") from None
            try:
                value = json.loads(text)
            except ValueError as exc:
                raise TrustError(f"{self.path}: expected JSON, found a syntax error ({exc})") from None
            self._pinned = PinnedTrust.from_json(value, str(self.path))
        return self._pinned

    def get(self, node: NodeClient) -> PinnedTrust:
        """The pinned trust; on first use fetched from ``node`` and pinned."""
        with self._lock:
            pinned = self._read()
            if pinned is not None:
                return pinned
            try:
                chain_id = str(node.status()["chain_id"])
                registry = node.registry()
            except Unreachable as exc:
                raise NodeUnreachable(f"cannot fetch the validator keys to pin: {exc}", exc.failures) from exc
            except (ClientError, KeyError, TypeError) as exc:
                raise TrustError(f"the node's status or registry is not usable: {exc}") from exc
            keys = [e.get("public_key") for e in registry
                    if isinstance(e, dict) and e.get("role") == "validator" and not e.get("removed")]
            pinned = PinnedTrust.from_json({"version": VERSION, "chain_id": chain_id, "validators": keys,
                                            "pinned_from": node.base_url, "pinned_at": int(self._clock())},
                                           f"the registry of {node.base_url}")
            self._write(pinned)
            self._pinned = pinned
            return pinned

    def _write(self, pinned: PinnedTrust) -> None:
        try:
            write_json_atomically(self.path, pinned.to_json(), indent=1)
        except OSError as exc:
            raise TrustError(f"{self.path}: cannot be written ({exc.strerror or exc})") from None
