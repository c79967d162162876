"""The storage management server 350: keeps the battery 300's records and signs them onto the ledger.

* S105–S106 / modification 9: the grid side tells it a home sent energy; it charges the battery, keeps the
  reception record (Fig. 7A: address, date, kWh) and signs a ``storage.receipt`` for the validators;
* S209–S210 / modification 11: asked for its state, it answers and signs a ``storage.report`` of the state of
  charge it measured;
* S213–S214: asked to execute a reservation, it reads the reservation on the ledger first, discharges the battery
  toward the home and signs a ``storage.delivery``.

It never trusts its caller for what the ledger says: homes are looked up in the registry (role ``home`` trading
with this battery), reservations in the state (``trade/reservation/<request tx>``). Times are those of the
records (simulated in the demo); ``clock`` only says "now" for reports asked without a time.

With ``records`` (``field.trading.storage_records``) every record, the battery's state and the signed
transactions the ledger has not answered yet are on disk before the server answers, and a server started on the
same file carries on: same battery state, same numbering and nonces, the unanswered transactions sent again
(``resend``).
"""

from __future__ import annotations

import threading
import time as wall
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from backend_client import ApiError, ClientError, NodeClient, NotFound
from field.trading.battery import Battery
from field.trading.errors import BadInput, BatteryError, LedgerRefused, RecordsError, TradingError, UnknownRecord
from field.trading.storage_records import StorageRecords, Unsent
from ledger_lite import SigningKey, Transaction, decode_tx
from ledger_lite import trading as contract
from ledger_lite.certificate import INTERVAL_S
from ledger_lite.keys import is_address

MAX_SPAN_S = 86_400  # a reception covers at most a day
KEEP = 2_000  # records kept in memory for the API (the ledger keeps them all)


@dataclass
class Reception:
    """One line of Fig. 7A's storage list, with what became of its receipt on the ledger."""

    number: int
    home: str
    start: int
    end: int
    wh: int
    receipt_tx: str
    status: str  # "recorded", "refused" or "unsent" (the ledger could not be reached; sent again later)
    reason: str = ""


@dataclass
class Delivery:
    reservation: str
    home: str
    start: int
    end: int
    wh: int
    drawn_wh: int
    delivery_tx: str
    status: str  # "recorded", "refused" or "unsent"
    reason: str = ""


def _wall() -> int:
    return int(wall.time())


class StorageServer:
    """One battery's management server. Thread-safe: the API calls it from worker threads."""

    def __init__(self, battery_id: str, key: SigningKey, battery: Battery, node: NodeClient, chain_id: str, *,
                 clock: Callable[[], int] = _wall, commit_timeout: float = 10.0,
                 records: StorageRecords | None = None) -> None:
        if not battery_id:
            raise BadInput("expected a non-empty battery id, found ''")
        self.battery_id = battery_id
        self.key = key
        self.battery = battery
        self.node = node
        self.chain_id = chain_id
        self.clock = clock
        self.commit_timeout = commit_timeout
        self.receptions: list[Reception] = []
        self.deliveries: dict[str, Delivery] = {}
        self.last_report: dict[str, Any] | None = None
        self._homes: set[str] = set()
        self._reported_leak = 0  # self-discharge the ledger has been told of (storage.report)
        self._outbox: list[tuple[Reception | Delivery, Transaction]] = []  # records the ledger did not get yet
        self._next_nonce = 1
        self._next_number = 1
        self._lock = threading.RLock()
        self.records = records
        if records is not None:
            self._carry_on(records)

    @property
    def address(self) -> str:
        return self.key.address

    # --- S105–S106: a home sent energy ---------------------------------------------------------------------
    def receive(self, home: str, start: int, end: int, wh: int) -> Reception:
        """Record ``wh`` received from ``home`` over ``[start, end)`` and sign its receipt (Fig. 7A, mod 9)."""
        if not isinstance(home, str) or not is_address(home):
            raise BadInput(f"expected home as a ledger address ('gc1' + 40 hex digits), found {home!r:.60}",
                           code="bad_home")
        if end - start > MAX_SPAN_S:
            raise BadInput(f"expected a reception of at most {MAX_SPAN_S} s, found {end - start} s",
                           code="bad_interval")
        with self._lock:
            self._check_home(home)
            try:
                self._check_ledger_room(wh, start, end)
                self.battery.charge(wh, start, end)  # BatteryError: nothing charged, nothing recorded
            except TradingError:
                self._persist(durable=False)  # time passed for the battery (self-discharge)
                raise
            body = contract.receipt_body(self.battery_id, home, start, end, wh)
            tx = self._sign(contract.STORAGE_RECEIPT, body, end)
            reception = Reception(self._next_number, home, start, end, wh, tx.tx_id, "unsent")
            self._next_number += 1
            self.receptions.append(reception)
            del self.receptions[:-KEEP]
            self._persist(reception, unsent=tx)  # on disk before the ledger or the grid hears of it
        self._record(reception, tx)
        return reception

    def _check_ledger_room(self, wh: int, start: int, end: int) -> None:
        """The ledger counts self-discharge only when a report says so: until then it sees the battery fuller than
        it is, and a receipt beyond that view would be refused after the energy was taken. Take only what both
        the battery and the ledger's view have room for."""
        self.battery.advance(end)
        unreported = self.battery.self_discharge_wh - self._reported_leak
        room = self.battery.spec.capacity_wh - self.battery.stored_wh - unreported
        if wh > room:
            raise BatteryError(f"expected at most {max(room, 0)} Wh of room as the ledger counts it (capacity "
                               f"{self.battery.spec.capacity_wh} Wh, stored {self.battery.stored_wh} Wh, "
                               f"{unreported} Wh of self-discharge not yet reported), found {wh} Wh",
                               code="battery_full", accept_wh=max(0, min(room, self.battery.charge_room(start, end))))

    def _check_home(self, home: str) -> None:
        if home in self._homes:
            return
        try:
            entry = self.node.value(f"registry/{home}").get("value")
        except NotFound:
            entry = None
        except ClientError as exc:
            raise LedgerRefused(f"cannot check home {home} in the registry: {exc}", code="ledger_unreachable",
                                status=503) from exc
        if not isinstance(entry, dict) or entry.get("role") != contract.HOME or entry.get("removed"):
            raise BadInput(f"expected a registered home, found {home} "
                           f"({'not registered' if entry is None else 'role ' + str(entry.get('role'))})",
                           code="unknown_home")
        battery = (entry.get("attrs") or {}).get("battery")
        if battery != self.battery_id:
            raise BadInput(f"expected a home trading with battery {self.battery_id}, found {home} trading with "
                           f"{battery!r}", code="unknown_home")
        self._homes.add(home)

    def _record(self, record: Reception | Delivery, tx: Transaction) -> None:
        try:
            self.node.submit(tx, wait=True, timeout=self.commit_timeout)
            record.status, record.reason = "recorded", ""
        except ApiError as exc:
            if exc.code == "duplicate":  # sent before a restart: the ledger has it already
                record.status, record.reason = "recorded", ""
            elif exc.status >= 500:
                record.status, record.reason = "unsent", f"{exc.code}: {exc.message}"
                self._outbox.append((record, tx))
            else:
                record.status, record.reason = "refused", f"{exc.code}: {exc.message}"
        except ClientError as exc:
            record.status, record.reason = "unsent", str(exc)
            self._outbox.append((record, tx))
        with self._lock:  # lost to a power cut, the record is only sent again (the ledger calls it a duplicate)
            self._persist(record, sent=None if record.status == "unsent" else tx.tx_id, durable=False)

    # --- kept on disk (``records``) --------------------------------------------------------------------------
    def _identity(self) -> dict[str, Any]:
        return {"battery_id": self.battery_id, "address": self.address, "spec": asdict(self.battery.spec)}

    def _carry_on(self, records: StorageRecords) -> None:
        """Start from what ``records`` hold (a restart), or write this server's identity into a new file."""
        loaded = records.load(KEEP)
        meta = loaded.meta
        if "identity" not in meta:
            self._persist()
            return
        if meta["identity"] != self._identity():
            raise RecordsError(f"expected the records of battery {self.battery_id} with storage key {self.address} "
                               f"and spec {asdict(self.battery.spec)}, found {meta['identity']} in {records.path}")
        try:
            self.battery = Battery.restore(self.battery.spec, meta["battery"])
            self._next_nonce, self._next_number = int(meta["nonce"]), int(meta["number"])
            self._reported_leak, self.last_report = int(meta["reported_leak"]), meta["last_report"]
            self.receptions = [Reception(**r) for r in loaded.receptions]
            self.deliveries = {d["reservation"]: Delivery(**d) for d in loaded.deliveries}
            numbered = {r.number: r for r in self.receptions}
            for kind, record, data in loaded.outbox:
                held: Reception | Delivery
                if kind == "reception":
                    held = numbered.get(record["number"]) or Reception(**record)
                else:
                    held = self.deliveries.get(record["reservation"]) or Delivery(**record)
                self._outbox.append((held, decode_tx(data)))
        except (KeyError, TypeError, ValueError, BadInput) as exc:
            raise RecordsError(f"the storage records in {records.path} are not whole: {exc!r:.120}") from exc

    def _persist(self, record: Reception | Delivery | None = None, *, unsent: Transaction | None = None,
                 sent: str | None = None, durable: bool = True) -> None:
        """Write the server's state (and ``record``) to its records, if it keeps any; called under the lock."""
        if self.records is None:
            return
        meta = {"identity": self._identity(), "battery": self.battery.snapshot(), "nonce": self._next_nonce,
                "number": self._next_number, "reported_leak": self._reported_leak, "last_report": self.last_report}
        kind, ref = ("reception", str(record.number)) if isinstance(record, Reception) else \
            ("delivery", record.reservation if record is not None else "")
        self.records.save(meta, reception=asdict(record) if isinstance(record, Reception) else None,
                          delivery=asdict(record) if isinstance(record, Delivery) else None,
                          unsent=None if unsent is None else Unsent(unsent.tx_id, kind, ref, unsent.encode()),
                          sent=sent, durable=durable)

    def pending(self) -> int:
        """Records signed that the ledger has not answered yet (sent again by ``resend``)."""
        with self._lock:
            return len(self._outbox)

    def resend(self) -> int:
        """Send again the records the ledger could not be reached for; returns how many are still unsent."""
        with self._lock:
            waiting, self._outbox = self._outbox, []
        for record, tx in waiting:
            self._record(record, tx)
        return len(self._outbox)

    # --- S209–S210 / mod 11: the state of charge -----------------------------------------------------------
    def state(self, *, limit: int = 50) -> dict[str, Any]:
        with self._lock:
            spec = self.battery.spec
            return {"battery": self.battery_id, "address": self.address, "time": self.battery.time,
                    "stored_wh": self.battery.stored_wh,
                    "deliverable_wh": self.battery.stored_wh * spec.efficiency_pct // 100,
                    "capacity_wh": spec.capacity_wh, "soc_pct": self.battery.soc_pct(),
                    "max_charge_w": spec.max_charge_w, "max_discharge_w": spec.max_discharge_w,
                    "efficiency_pct": spec.efficiency_pct, "self_discharge_ppm_day": spec.self_discharge_ppm_day,
                    "received_wh": self.battery.received_wh, "delivered_wh": self.battery.delivered_wh,
                    "losses_wh": self.battery.losses_wh(), "last_report": self.last_report,
                    "receptions": [asdict(r) for r in self.receptions[-limit:]],
                    "deliveries": [asdict(d) for d in list(self.deliveries.values())[-limit:]]}

    def report(self, at: int | None = None) -> dict[str, Any]:
        """Sign and record a ``storage.report`` of the stored energy at ``at`` (default: now)."""
        with self._lock:
            time = self.clock() if at is None else at
            if isinstance(time, bool) or not isinstance(time, int) or time < 0:
                raise BadInput(f"expected a time as non-negative integer seconds, found {time!r}")
            if time < self.battery.time:
                raise BadInput(f"expected a report time at or after the battery's last record {self.battery.time}, "
                               f"found {time}", code="stale_time")
            self.battery.advance(time)
            leak = self.battery.self_discharge_wh
            body = contract.report_body(self.battery_id, time, self.battery.stored_wh)
            tx = self._sign(contract.STORAGE_REPORT, body, time)
            self._persist()
        try:
            outcome = self.node.submit(tx, wait=True, timeout=self.commit_timeout)
        except ApiError as exc:
            raise LedgerRefused(f"the ledger refused the report: {exc.code}: {exc.message}",
                                code=exc.code, status=409 if exc.status < 500 else 502) from exc
        except ClientError as exc:
            raise LedgerRefused(f"cannot reach the ledger: {exc}", code="ledger_unreachable", status=503) from exc
        with self._lock:
            self._reported_leak = max(self._reported_leak, leak)
            self.last_report = {"time": time, "stored_wh": body["stored_wh"], "report_tx": tx.tx_id,
                                "height": outcome.get("height")}
            self._persist()
            return self.last_report

    # --- S213–S214: execute a reservation ------------------------------------------------------------------
    def transmit(self, reservation: str, start: int | None = None) -> Delivery:
        """Deliver what the ledger reserved under ``reservation`` (a request's tx id) and sign the delivery."""
        if not isinstance(reservation, str) or len(reservation) != 64 or not _is_hex(reservation):
            raise BadInput(f"expected a reservation id of 64 lowercase hex digits, found {reservation!r:.80}",
                           code="bad_reservation")
        with self._lock:
            done = self.deliveries.get(reservation)
            if done is None and self.records is not None:
                on_disk = self.records.delivery(reservation)
                done = None if on_disk is None else Delivery(**on_disk)
            if done is not None and done.status != "refused":
                raise TradingError(f"reservation {reservation} was already delivered ({done.status}, "
                                   f"delivery {done.delivery_tx})", code="already_delivered", status=409)
            held = self._reservation(reservation)
            matched, until = _int_field(held, "time"), _int_field(held, "end")
            begin = matched - matched % INTERVAL_S if start is None else start
            if isinstance(begin, bool) or not isinstance(begin, int) or begin % INTERVAL_S:
                raise BadInput(f"expected a delivery start aligned to {INTERVAL_S} s, found {begin!r}",
                               code="bad_interval")
            # The contract takes a delivery from the match on (± TIME_WINDOW_S) until the reservation lapses.
            if not matched - contract.TIME_WINDOW_S <= begin <= until + contract.TIME_WINDOW_S:
                raise BadInput(f"expected a delivery start between the match at {matched} and the reservation's end "
                               f"{until} (± {contract.TIME_WINDOW_S} s), found {begin}", code="outside_window")
            end = begin + INTERVAL_S
            wh, home = _int_field(held, "wh"), held.get("home")
            if not isinstance(home, str) or not is_address(home):
                raise LedgerRefused(f"expected the reservation to name a home address, found {home!r:.60}",
                                    code="bad_reservation", status=502)
            drawn = self.battery.discharge(wh, begin, end)  # BatteryError: nothing sent, nothing recorded
            body = contract.delivery_body(self.battery_id, reservation, begin, end, wh)
            tx = self._sign(contract.STORAGE_DELIVERY, body, end)
            delivery = Delivery(reservation, home, begin, end, wh, drawn, tx.tx_id, "unsent")
            self.deliveries[reservation] = delivery
            self._persist(delivery, unsent=tx)
        self._record(delivery, tx)
        return delivery

    def _reservation(self, reservation: str) -> dict[str, Any]:
        try:
            value = self.node.value(f"trade/reservation/{reservation}").get("value")
        except NotFound:
            value = None
        except ClientError as exc:
            raise LedgerRefused(f"cannot read reservation {reservation} on the ledger: {exc}",
                                code="ledger_unreachable", status=503) from exc
        if not isinstance(value, dict):
            raise UnknownRecord(f"expected a reservation recorded on the ledger, found none for {reservation}",
                                code="unknown_reservation")
        if value.get("battery", self.battery_id) != self.battery_id:
            raise BadInput(f"expected a reservation on battery {self.battery_id}, found one on "
                           f"{value.get('battery')!r}", code="wrong_battery")
        if value.get("status", "reserved") != "reserved" or value.get("delivery"):
            raise TradingError(f"expected a reservation still to deliver, found reservation {reservation} "
                               f"{value.get('status')} on the ledger", code="already_settled", status=409)
        return value

    def _sign(self, kind: str, body: dict[str, Any], time: int) -> Transaction:
        with self._lock:
            nonce, self._next_nonce = self._next_nonce, self._next_nonce + 1
        return contract.signed(self.key, self.chain_id, kind, body, nonce=nonce, time=time)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def _int_field(value: dict[str, Any], name: str) -> int:
    found = value.get(name)
    if isinstance(found, bool) or not isinstance(found, int) or found < 0:
        raise LedgerRefused(f"expected the reservation's {name} as a non-negative integer, found {found!r:.40}",
                            code="bad_reservation", status=502)
    return found


__all__ = ["BatteryError", "Delivery", "Reception", "StorageServer"]
