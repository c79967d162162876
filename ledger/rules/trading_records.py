"""Seed 003's state on the ledger: state keys, the battery's account, points and the origin lots (FIFO).

Every value is a new map (the state's values are shared with the layers below and never changed in place).
The battery's account ``trade/battery/<battery>`` keeps, besides its server and limits in force::

    stored_wh        energy the ledger says the battery holds (= the sum of its lots)
    reserved_wh      of that, promised to matched requests (never more than stored_wh)
    received_wh      every Wh received from homes (storage.receipt)
    delivered_wh     every Wh delivered to homes (storage.delivery)
    loss_wh          round-trip losses of deliveries
    self_discharge_wh  what reports found missing (self-discharge, metering)

so that ``received_wh == stored_wh + delivered_wh + loss_wh + self_discharge_wh`` always (energy conservation).
Lots ``trade/lot/<battery>/<n>`` for ``lot_head <= n < lot_tail`` hold the origin of the stored energy (home,
receipt, interval, Wh left): what leaves the battery leaves oldest lot first.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import Rejected, shown
from ledger.registry import BATTERY_ID, Entry
from ledger.rules.context import Context, field
from ledger_lite.trading import HOME, STORAGE

PREFIX = "trade/"


def battery_key(battery: str) -> str:
    return f"{PREFIX}battery/{battery}"


def lot_key(battery: str, n: int) -> str:
    return f"{PREFIX}lot/{battery}/{n}"


def open_key(battery: str) -> str:
    return f"{PREFIX}open/{battery}"


def unsold_key(battery: str, home: str) -> str:
    return f"{PREFIX}unsold/{battery}/{home}"


def receipt_key(tx_id: str) -> str:
    return f"{PREFIX}receipt/{tx_id}"


def sale_key(tx_id: str) -> str:
    return f"{PREFIX}sale/{tx_id}"


def request_key(tx_id: str) -> str:
    return f"{PREFIX}request/{tx_id}"


def reservation_key(request_id: str) -> str:
    return f"{PREFIX}reservation/{request_id}"


def points_key(address: str) -> str:
    return f"{PREFIX}points/{address}"


def token_key(tx_id: str) -> str:
    return f"{PREFIX}token/{tx_id}"


def held(ctx: Context, key: str) -> dict[str, Any]:
    """The value at ``key``, which the trading rules wrote before (an index names it)."""
    value: dict[str, Any] | None = ctx.state.get(key)
    if value is None:
        raise Rejected("battery_inconsistent", f"expected a value at {key}, which an index names, found none", 500)
    return value


def exact_body(body: dict[str, Any], required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
    """The body has every ``required`` field and nothing but those and ``optional`` ones."""
    unknown = sorted(str(k) for k in body if k not in required and k not in optional)
    missing = sorted(k for k in required if k not in body)
    if unknown or missing:
        raise Rejected("bad_body", f"expected body fields {list(required)}"
                                   f"{f' (optionally {list(optional)})' if optional else ''}, found "
                                   f"{sorted(map(str, body))}", 400)


def interval(body: dict[str, Any]) -> tuple[int, int]:
    start, end = field(body, "start", int), field(body, "end", int)
    if not 0 <= start < end:
        raise Rejected("bad_interval", f"expected 0 <= start < end, found {start}..{end}", 400)
    return start, end


def positive(body: dict[str, Any], name: str) -> int:
    value: int = field(body, name, int)
    if value <= 0:
        raise Rejected("bad_body", f"expected a positive {name!r}, found {value}", 400)
    return value


def battery_id(body: dict[str, Any]) -> str:
    battery: str = field(body, "battery", str)
    if not BATTERY_ID.fullmatch(battery):
        raise Rejected("bad_body", f"expected a battery id of 1 to 64 letters, digits, '_', '.' or '-', found "
                                   f"{shown(battery)}", 400)
    return battery


def own_storage(ctx: Context, signer: str, battery: str) -> Entry:
    """The signer is the storage server of ``battery`` (mod 9: it signs its own records, for its battery only)."""
    server = ctx.require_role(signer, STORAGE)
    if server.attrs["battery"] != battery:
        raise Rejected("wrong_battery", f"storage key {signer} serves battery {server.attrs['battery']!r}, found "
                                        f"a record for battery {battery!r}", 403)
    return server


def home_of(ctx: Context, address: str, battery: str, *, code: str = "unknown_home") -> Entry:
    """The registered home at ``address`` that trades with ``battery``."""
    home = ctx.entry(address)
    if home is None or home.role != HOME:
        found = "an unregistered address" if home is None else f"a key with role {home.role}"
        raise Rejected(code, f"expected a registered home, found {found} {address}", 404)
    if home.attrs["battery"] != battery:
        raise Rejected("wrong_battery", f"home {address} trades with battery {home.attrs['battery']!r}, found "
                                        f"battery {battery!r}", 403)
    return home


def new_battery(battery: str, server: Entry) -> dict[str, Any]:
    return {"battery": battery, "server": server.address, "stored_wh": 0, "reserved_wh": 0, "received_wh": 0,
            "delivered_wh": 0, "loss_wh": 0, "self_discharge_wh": 0, "lot_head": 0, "lot_tail": 0,
            "match_time": None, "report": None}


def get_battery(ctx: Context, battery: str) -> dict[str, Any]:
    record: dict[str, Any] | None = ctx.state.get(battery_key(battery))
    if record is None:
        raise Rejected("unknown_battery", f"expected a battery on the ledger (its server reports first), found no "
                                          f"battery {shown(battery)}", 404)
    return record


def server_of(ctx: Context, record: dict[str, Any]) -> Entry:
    """The registered storage server of a battery on the ledger, with its limits in force."""
    server = ctx.entry(record["server"])
    if server is None or server.role != STORAGE or server.attrs["battery"] != record["battery"]:
        raise Rejected("unknown_battery", f"battery {record['battery']!r} has no registered storage server (was "
                                          f"{record['server']})", 404)
    return server


def account(ctx: Context, battery: str, server: Entry) -> dict[str, Any]:
    """The battery's account for a record its own server signs; created on its first record."""
    record: dict[str, Any] | None = ctx.state.get(battery_key(battery))
    return new_battery(battery, server) if record is None else {**record, "server": server.address}


def get_points(ctx: Context, address: str) -> dict[str, Any]:
    record: dict[str, Any] | None = ctx.state.get(points_key(address))
    return {"balance": 0, "reserved": 0, "earned": 0, "spent": 0} if record is None else dict(record)


def put_points(ctx: Context, address: str, record: dict[str, Any]) -> None:
    if record["balance"] < 0 or not 0 <= record["reserved"] <= record["balance"]:  # guarded by the rules
        raise Rejected("insufficient_points", f"points of {address} would be {record['balance']} with "
                                              f"{record['reserved']} reserved", 409)
    ctx.state.put(points_key(address), record)


def add_lot(ctx: Context, record: dict[str, Any], lot: dict[str, Any]) -> dict[str, Any]:
    """Append an origin lot; returns the battery record with its tail moved."""
    ctx.state.put(lot_key(record["battery"], record["lot_tail"]), lot)
    return {**record, "lot_tail": record["lot_tail"] + 1}


def take_lots(ctx: Context, record: dict[str, Any], wh: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Take ``wh`` from the oldest lots on (first in, first out); returns the battery record with its head moved
    and what was taken of each lot (``{receipt, home, start, end, wh}``). ``wh`` <= the stored energy."""
    taken: list[dict[str, Any]] = []
    head, left = record["lot_head"], wh
    while left > 0:
        if head >= record["lot_tail"]:  # the lots always add up to stored_wh
            raise Rejected("battery_inconsistent", f"battery {record['battery']}: lots ran out with {left} Wh to "
                                                   f"take", 500)
        key = lot_key(record["battery"], head)
        lot = held(ctx, key)
        part = min(left, lot["wh"])
        taken.append({**lot, "wh": part})
        left -= part
        if part == lot["wh"]:
            ctx.state.put(key, {**lot, "wh": 0})  # no delete in the state: an empty lot stays, behind the head
            head += 1
        else:
            ctx.state.put(key, {**lot, "wh": lot["wh"] - part})
    return {**record, "lot_head": head}, taken
