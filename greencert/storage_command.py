"""``greencert storage``: the storage management server 350 with its battery 300 as one process, against a node.

The battery's nameplate (capacity, charge and discharge power, round-trip efficiency) is the one its key is
registered with on the ledger (role ``storage``); the server's records live in ``--data`` (SQLite, owner-only,
``field.trading.storage_records``), so a restart on the same file carries on. A new record file starts from what
the ledger last counted in the battery (the state of charge its previous server reported and kept since), as a
server newly installed on a battery in use would measure it. It reports its state of charge when
it starts and every ``--report-every`` seconds (mod 11), sending again what the ledger did not answer, until
SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend_client import ClientError, NodeClient, NotFound
from field.trading.battery import Battery, BatterySpec
from field.trading.errors import TradingError
from field.trading.storage_api import create_app
from field.trading.storage_records import StorageRecords
from field.trading.storage_server import StorageServer
from greencert.keystore import KeyFileError, load
from greencert.servers import BackgroundServer, PortInUse, bind
from ledger_lite import SigningKey
from ledger_lite import trading as contract

SPEC_ATTRS = ("capacity_wh", "max_charge_w", "max_discharge_w", "efficiency_pct")


class StartError(Exception):
    """Why the command cannot start, in one line."""


@dataclass(frozen=True)
class StorageOptions:
    node: str
    key: Path
    data: Path
    host: str = "127.0.0.1"
    port: int = 8740
    report_every: float = 300.0
    self_discharge_ppm_day: int = 500


def registered_as(node: NodeClient, key: SigningKey, role: str) -> dict[str, Any]:
    """The registry entry of ``key`` on the node, which must have ``role``; ``StartError`` otherwise."""
    try:
        value = node.value(f"registry/{key.address}").get("value")
    except NotFound:
        value = None
    except ClientError as exc:
        raise StartError(f"cannot reach the ledger node at {node.base_url}: {exc}") from exc
    if not isinstance(value, dict) or value.get("role") != role or value.get("removed"):
        found = "not registered" if not isinstance(value, dict) else f"registered as {value.get('role')!r}"
        raise StartError(f"expected the key {key.address} registered as {role!r} on the ledger, found it {found}")
    return value


def _spec(entry: dict[str, Any], self_discharge_ppm_day: int) -> tuple[str, BatterySpec]:
    attrs = entry.get("attrs") or {}
    try:
        spec = BatterySpec(**{name: attrs[name] for name in SPEC_ATTRS},
                           self_discharge_ppm_day=self_discharge_ppm_day)
    except (KeyError, TradingError) as exc:
        raise StartError(f"expected the storage entry to state {', '.join(SPEC_ATTRS)}, found {attrs}: "
                         f"{exc}") from exc
    return str(attrs["battery"]), spec


def _ledger_stored(node: NodeClient, battery_id: str, spec: BatterySpec) -> int:
    """What the ledger counts as stored in the battery (0 for a battery not on the ledger yet)."""
    try:
        account = node.value(f"trade/battery/{battery_id}").get("value")
    except NotFound:
        return 0
    except ClientError as exc:
        raise StartError(f"cannot read battery {battery_id} on the ledger node at {node.base_url}: {exc}") from exc
    stored = account.get("stored_wh") if isinstance(account, dict) else None
    if isinstance(stored, bool) or not isinstance(stored, int) or not 0 <= stored <= spec.capacity_wh:
        raise StartError(f"expected the ledger's battery {battery_id} to hold 0 to {spec.capacity_wh} Wh, found "
                         f"{stored!r:.40}")
    return stored


def run_storage(options: StorageOptions) -> int:
    try:
        key = load(options.key)
    except KeyFileError as exc:
        print(f"greencert storage: {exc}", file=sys.stderr)
        return 2
    try:
        listening = bind(options.host, options.port)
    except (PortInUse, OSError) as exc:
        print(f"greencert storage: {exc.strerror or exc} (--port {options.port})", file=sys.stderr)
        return 2
    node = NodeClient(options.node, timeout=30)
    records: StorageRecords | None = None
    try:
        try:
            chain_id = str(node.status()["chain_id"])
        except ClientError as exc:
            raise StartError(f"cannot reach the ledger node at {options.node}: {exc}") from exc
        battery_id, spec = _spec(registered_as(node, key, contract.STORAGE), options.self_discharge_ppm_day)
        records = StorageRecords(options.data.expanduser())
        stored = _ledger_stored(node, battery_id, spec) if records.is_new() else 0
        server = StorageServer(battery_id, key, Battery(spec, stored_wh=stored, time=int(time.time())), node,
                               chain_id, records=records)
    except (StartError, TradingError) as exc:
        listening.close()
        node.close()
        if records is not None:
            records.close()
        print(f"greencert storage: {exc}", file=sys.stderr)
        return 2
    http = BackgroundServer(create_app(server), options.host, options.port, sock=listening).start()
    print(f"Storage management server 350 for battery {battery_id}: {http.url}  (records {records.path}, "
          f"{server.battery.stored_wh:,} of {spec.capacity_wh:,} Wh stored, {server.pending()} to send again)",
          flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with contextlib.suppress(KeyboardInterrupt):
            while not stop.is_set():
                _report(server)
                stop.wait(options.report_every)
    finally:
        http.stop()
        node.close()
        records.close()
    return 0


def _report(server: StorageServer) -> None:
    """Mod 11: send what waits, then the state of charge; a ledger that refuses or is away is said, not fatal."""
    try:
        server.resend()
        server.report()
    except TradingError as exc:
        print(f"greencert storage: report not recorded: {exc.code}: {exc.message}", file=sys.stderr, flush=True)
