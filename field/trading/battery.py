"""The storage battery 300 as a pure model: integer Wh and integer Unix seconds, no wall clock.

* capacity, maximum charge and discharge power (watts at the terminals);
* round-trip efficiency in integer percent, applied on discharge: giving ``wh`` at the terminals draws
  ``ceil(wh × 100 / efficiency)`` from the store (the difference is conversion loss);
* self-discharge in parts per million of the stored energy per day, applied as time passes, its fractions carried
  exactly so nothing is lost to rounding;
* power is accounted per half hour: what is charged (or discharged) in one half hour may not exceed
  ``max_w × 0.5 h``, however many operations share it.

``charge`` and ``discharge`` refuse what exceeds a limit with ``BatteryError`` and change nothing. Energy is
conserved::

    initial + received == stored + delivered + conversion_loss + self_discharge
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from field.trading.errors import BadInput, BatteryError
from ledger_lite.certificate import INTERVAL_S

DAY_S = 86_400
PPM = 1_000_000


def _int(name: str, value: object, *, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"expected {name} as an integer, found {type(value).__name__} {value!r}")
    if value < low:
        raise BadInput(f"expected {name} >= {low}, found {value}")
    return value


@dataclass(frozen=True)
class BatterySpec:
    """What the battery's nameplate says (the ``storage`` registry entry carries the same numbers)."""

    capacity_wh: int
    max_charge_w: int
    max_discharge_w: int
    efficiency_pct: int = 90
    self_discharge_ppm_day: int = 500  # 0.05 % a day, about 1.5 % a month (lithium-ion)

    def __post_init__(self) -> None:
        _int("capacity_wh", self.capacity_wh, low=1)
        _int("max_charge_w", self.max_charge_w, low=1)
        _int("max_discharge_w", self.max_discharge_w, low=1)
        _int("efficiency_pct", self.efficiency_pct, low=1)
        if self.efficiency_pct > 100:
            raise BadInput(f"expected efficiency_pct <= 100, found {self.efficiency_pct}")
        _int("self_discharge_ppm_day", self.self_discharge_ppm_day)
        if self.self_discharge_ppm_day >= PPM:
            raise BadInput(f"expected self_discharge_ppm_day < {PPM}, found {self.self_discharge_ppm_day}")

    def max_slot_wh(self, watts: int) -> int:
        """The most ``watts`` moves in one half hour, in Wh."""
        return watts * INTERVAL_S // 3600


def _slots(start: int, end: int) -> list[int]:
    _int("start", start)
    _int("end", end)
    if start % INTERVAL_S or end % INTERVAL_S or end <= start:
        raise BadInput(f"expected an interval of whole half hours (start < end, both multiples of {INTERVAL_S} s), "
                       f"found [{start}, {end})")
    return list(range(start, end, INTERVAL_S))


def _spread(wh: int, slots: list[int]) -> dict[int, int]:
    """``wh`` spread evenly over ``slots``, the remainder on the first ones."""
    share, rest = divmod(wh, len(slots))
    return {s: share + (1 if i < rest else 0) for i, s in enumerate(slots)}


class Battery:
    """The state of charge of one battery and the energy it has moved."""

    def __init__(self, spec: BatterySpec, *, stored_wh: int = 0, time: int = 0) -> None:
        _int("stored_wh", stored_wh)
        if stored_wh > spec.capacity_wh:
            raise BadInput(f"expected stored_wh <= capacity {spec.capacity_wh}, found {stored_wh}")
        self.spec = spec
        self.stored_wh = stored_wh
        self.initial_wh = stored_wh
        self.time = _int("time", time)
        self.received_wh = 0
        self.delivered_wh = 0
        self.conversion_loss_wh = 0
        self.self_discharge_wh = 0
        self._leak_rest = 0  # self-discharge not yet a whole Wh, in Wh × PPM × DAY_S
        self._charged: dict[int, int] = {}  # half-hour start → Wh charged in it
        self._discharged: dict[int, int] = {}

    # --- time ----------------------------------------------------------------------------------------------
    def advance(self, to: int) -> int:
        """Let time pass until ``to`` (never backwards); returns the Wh lost to self-discharge meanwhile."""
        _int("time", to)
        if to <= self.time:
            return 0
        leak = self.stored_wh * self.spec.self_discharge_ppm_day * (to - self.time) + self._leak_rest
        lost, self._leak_rest = divmod(leak, PPM * DAY_S)
        lost = min(lost, self.stored_wh)
        self.stored_wh -= lost
        self.self_discharge_wh += lost
        self.time = to
        horizon = to - DAY_S  # power bookkeeping older than a day can no longer matter
        for book in (self._charged, self._discharged):
            for slot in [s for s in book if s < horizon]:
                del book[slot]
        return lost

    # --- limits --------------------------------------------------------------------------------------------
    def charge_room(self, start: int, end: int) -> int:
        """The most that can be charged over ``[start, end)`` now: capacity left and power left in each slot."""
        slots = _slots(start, end)
        per_slot = self.spec.max_slot_wh(self.spec.max_charge_w)
        power = sum(max(0, per_slot - self._charged.get(s, 0)) for s in slots)
        return min(power, self.spec.capacity_wh - self.stored_wh)

    def discharge_room(self, start: int, end: int) -> int:
        """The most that can be given at the terminals over ``[start, end)`` now (efficiency applied)."""
        slots = _slots(start, end)
        per_slot = self.spec.max_slot_wh(self.spec.max_discharge_w)
        power = sum(max(0, per_slot - self._discharged.get(s, 0)) for s in slots)
        return min(power, self.stored_wh * self.spec.efficiency_pct // 100)

    def drawn_for(self, wh: int) -> int:
        """What giving ``wh`` at the terminals takes from the store (round-trip efficiency, rounded up)."""
        return -(-wh * 100 // self.spec.efficiency_pct)

    # --- moving energy -------------------------------------------------------------------------------------
    def charge(self, wh: int, start: int, end: int) -> None:
        """Store ``wh`` received over ``[start, end)``; ``BatteryError`` (nothing changes) beyond a limit."""
        _int("wh", wh, low=1)
        slots = _slots(start, end)
        self.advance(end)
        if self.stored_wh + wh > self.spec.capacity_wh:
            raise BatteryError(f"expected at most {self.spec.capacity_wh - self.stored_wh} Wh of room "
                               f"(capacity {self.spec.capacity_wh} Wh, stored {self.stored_wh} Wh), found {wh} Wh",
                               code="battery_full", accept_wh=self.charge_room(start, end))
        self._check_power(self._charged, _spread(wh, slots), self.spec.max_charge_w, "charge", start, end)
        for slot, part in _spread(wh, slots).items():
            self._charged[slot] = self._charged.get(slot, 0) + part
        self.stored_wh += wh
        self.received_wh += wh

    def discharge(self, wh: int, start: int, end: int) -> int:
        """Give ``wh`` at the terminals over ``[start, end)``; returns the Wh drawn from the store."""
        _int("wh", wh, low=1)
        slots = _slots(start, end)
        self.advance(end)
        drawn = self.drawn_for(wh)
        if drawn > self.stored_wh:
            raise BatteryError(f"expected at most {self.stored_wh * self.spec.efficiency_pct // 100} Wh deliverable "
                               f"(stored {self.stored_wh} Wh at {self.spec.efficiency_pct} % efficiency), "
                               f"found {wh} Wh", code="battery_empty",
                               give_wh=self.discharge_room(start, end))
        self._check_power(self._discharged, _spread(wh, slots), self.spec.max_discharge_w, "discharge", start, end)
        for slot, part in _spread(wh, slots).items():
            self._discharged[slot] = self._discharged.get(slot, 0) + part
        self.stored_wh -= drawn
        self.delivered_wh += wh
        self.conversion_loss_wh += drawn - wh
        return drawn

    def _check_power(self, book: dict[int, int], parts: dict[int, int], watts: int, what: str,
                     start: int, end: int) -> None:
        per_slot = self.spec.max_slot_wh(watts)
        for slot, part in parts.items():
            if book.get(slot, 0) + part > per_slot:
                room = self.charge_room(start, end) if what == "charge" else self.discharge_room(start, end)
                raise BatteryError(f"expected at most {per_slot} Wh per half hour ({watts} W {what} power), "
                                   f"found {book.get(slot, 0)} Wh already and {part} Wh more in the half hour "
                                   f"from {slot}", code="power_limit",
                                   **({"accept_wh": room} if what == "charge" else {"give_wh": room}))

    # --- bookkeeping ---------------------------------------------------------------------------------------
    def losses_wh(self) -> int:
        return self.conversion_loss_wh + self.self_discharge_wh

    def balanced(self) -> bool:
        """Energy conservation: everything received is stored, delivered or lost."""
        return self.initial_wh + self.received_wh == self.stored_wh + self.delivered_wh + self.losses_wh()

    def soc_pct(self) -> int:
        """State of charge in whole percent (rounded down)."""
        return self.stored_wh * 100 // self.spec.capacity_wh

    # --- kept across restarts (``field.trading.storage_records``) ---------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Everything that changes, as JSON-able integers: ``restore`` brings back exactly this battery."""
        return {"stored_wh": self.stored_wh, "initial_wh": self.initial_wh, "time": self.time,
                "received_wh": self.received_wh, "delivered_wh": self.delivered_wh,
                "conversion_loss_wh": self.conversion_loss_wh, "self_discharge_wh": self.self_discharge_wh,
                "leak_rest": self._leak_rest, "charged": sorted(self._charged.items()),
                "discharged": sorted(self._discharged.items())}

    @classmethod
    def restore(cls, spec: BatterySpec, snapshot: dict[str, Any]) -> Battery:
        """The battery a ``snapshot`` was taken of; ``BadInput`` if it does not hold one for ``spec``."""
        try:
            battery = cls(spec, stored_wh=snapshot["initial_wh"], time=snapshot["time"])
            battery.stored_wh = _int("stored_wh", snapshot["stored_wh"])
            for name in ("received_wh", "delivered_wh", "conversion_loss_wh", "self_discharge_wh"):
                setattr(battery, name, _int(name, snapshot[name]))
            battery._leak_rest = _int("leak_rest", snapshot["leak_rest"])
            battery._charged = {_int("slot", s): _int("wh", w) for s, w in snapshot["charged"]}
            battery._discharged = {_int("slot", s): _int("wh", w) for s, w in snapshot["discharged"]}
        except (KeyError, TypeError, ValueError) as exc:
            raise BadInput(f"expected a battery snapshot with every field, found {exc!r:.80}") from exc
        if battery.stored_wh > spec.capacity_wh:
            raise BadInput(f"expected a stored energy within the capacity {spec.capacity_wh} Wh, found "
                           f"{battery.stored_wh} Wh")
        return battery
