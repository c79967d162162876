"""S202/S207 for the manual flow: which of the applicant's rows a typed-in request covers (no Qt here).

The applicant enters a usage period as two dates (Fig. 21B: 2020-01-01 to 2020-01-31), both inclusive, in the
kiosk's time zone. A row is covered when its whole period lies inside ``[first day 00:00, day after the last
day 00:00)``. The intermediary groups a month's assets of one production method into one row, so a period that
cuts a month in two covers none of that month's rows: ``Pick.partial`` counts them, and ``Pick.cut`` holds the open
ones. An intermediary certifies a period itself (``issue_for_period``, S203): exactly the allocations inside it,
so the part of a cut row inside the period is certified too; a kiosk without one (direct mode) says the period
must cover whole months.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from backend_client import EligibleItem


@dataclass(frozen=True)
class ManualRequest:
    """What the applicant entered on the certificate issuance screen (Fig. 21A)."""

    applicant_id: str
    password: str = field(repr=False)
    first_day: date
    last_day: date
    method: str
    type_id: str

    def bounds(self, timezone: str | None) -> tuple[int, int]:
        """``[start, end)`` in Unix seconds: 00:00 on the first day to 00:00 after the last day."""
        return day_start(self.first_day, timezone), day_start(self.last_day + timedelta(days=1), timezone)


@dataclass(frozen=True)
class Pick:
    open: tuple[EligibleItem, ...]  # covered and not certified yet: these are issued as one certificate
    issued: tuple[EligibleItem, ...]  # covered but certified already (S208 "issued")
    partial: int  # rows of the method that overlap the period without lying inside it
    cut: tuple[EligibleItem, ...] = ()  # those of them not certified yet: part of each lies inside the period

    @property
    def certificate_ids(self) -> list[str]:
        """The certificates of the covered certified rows, each once, in list order."""
        return list(dict.fromkeys(item.certificate_id for item in self.issued if item.certificate_id))


def day_start(day: date, timezone: str | None) -> int:
    zone = ZoneInfo(timezone) if timezone else None
    moment = datetime.combine(day, time(0, 0), tzinfo=zone)
    return int(moment.timestamp() if zone else moment.astimezone().timestamp())


def pick_rows(items: Iterable[EligibleItem], method: str, start: int, end: int) -> Pick:
    """The rows of ``method`` inside ``[start, end)``, split into open and already certified ones."""
    open_rows: list[EligibleItem] = []
    issued: list[EligibleItem] = []
    cut: list[EligibleItem] = []
    partial = 0
    for item in items:
        if item.production_method != method:
            continue
        if start <= item.period_start and item.period_end <= end:
            (issued if item.issued else open_rows).append(item)
        elif item.period_start < end and item.period_end > start:
            partial += 1
            if not item.issued:
                cut.append(item)
    return Pick(tuple(open_rows), tuple(issued), partial, tuple(cut))


def previous_month(today: date) -> tuple[date, date]:
    """The default period: the whole month before ``today``'s (Fig. 21B asks for a month)."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last
