"""The power network 500 between the houses and the battery, as the storage server sees it.

A home that exports ``wh`` toward the battery loses ``line_loss_ppm`` of it on the way; the battery's power control
unit 311 takes at most what it has room and power for, the rest flows on into the utility's grid. The grid side
then tells the storage server what arrived (S105): that is the reception the server records and signs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from field.trading.errors import TradingError

PPM = 1_000_000
REFUSALS_WITH_ROOM = ("battery_full", "power_limit")


class Storage(Protocol):
    def receive(self, home: str, start: int, end: int, wh: int) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Export:
    """What became of a home's export: ``sent_wh`` (its meter 103) reached the battery as ``received_wh``."""

    sent_wh: int
    received_wh: int
    reception: dict[str, Any]


def arrived(sent_wh: int, loss_ppm: int) -> int:
    return sent_wh - sent_wh * loss_ppm // PPM


def sent_for(received_wh: int, loss_ppm: int) -> int:
    """The largest export that arrives as at most ``received_wh``."""
    sent = received_wh * PPM // (PPM - loss_ppm)
    while arrived(sent, loss_ppm) > received_wh:
        sent -= 1
    return sent


class Grid:
    """The feeder lines: ``loss_ppm`` per home address, and the storage server to report arrivals to."""

    def __init__(self, storage: Storage, loss_ppm: dict[str, int]) -> None:
        self.storage = storage
        self.loss_ppm = dict(loss_ppm)

    def export(self, home: str, start: int, end: int, wh: int, *, minimum: int = 1) -> Export | None:
        """``home`` offers ``wh`` over ``[start, end)``; the battery takes what it can (None: nothing, or less
        than ``minimum`` — it all went to the utility)."""
        loss = self.loss_ppm.get(home, 0)
        received = arrived(wh, loss)
        try:
            reception = self.storage.receive(home, start, end, received)
        except TradingError as exc:
            room = exc.extra.get("accept_wh")
            if exc.code not in REFUSALS_WITH_ROOM or not isinstance(room, int):
                raise
            if room <= 0:
                return None  # full, or no charge power left this half hour: all of it to the utility
            sent = sent_for(min(room, received), loss)
            if sent < minimum or arrived(sent, loss) <= 0:
                return None
            received = arrived(sent, loss)
            reception = self.storage.receive(home, start, end, received)
            return Export(sent, received, reception)
        return Export(wh, received, reception)
