"""S46-S47: the transaction content registration form's fields checked, as pure functions.

``check(fields, offered)`` gives either the contents to store, or each field's problem as a catalogue key and the
value it quotes; nothing is stored unless every field is right.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from intermediary.portal.dates import day_start

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
KWH = re.compile(r"\d{1,9}(\.\d{1,3})?")
PCT = re.compile(r"\d{1,3}")
QUOTED = 40  # characters of a wrong value quoted back


@dataclass(frozen=True)
class Fields:
    """What the form sent, as text."""

    usage_start: str = ""
    usage_end: str = ""
    planned_kwh: str = ""
    target_pct: str = ""
    providers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contents:
    """What is stored (Fig. 10A): the period of use as Unix times (end exclusive), Wh per hour, %, provider ids."""

    usage_start: int
    usage_end: int
    planned_wh: int
    target_pct: int
    providers: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    key: str         # catalogue key of the message
    value: str = ""  # the wrong value, quoted by the message


def _quoted(value: str) -> str:
    return value[:QUOTED] + ("…" if len(value) > QUOTED else "")


def _date(value: str) -> date | Problem:
    value = value.strip()
    if not value:
        return Problem("e_date_missing")
    if not DATE.fullmatch(value):
        return Problem("e_date_bad", _quoted(value))
    try:
        return date.fromisoformat(value)
    except ValueError:
        return Problem("e_date_bad", _quoted(value))


def check(fields: Fields, offered: Mapping[str, str]) -> Contents | dict[str, Problem]:
    """``offered``: the providers of the consumer's region, id → category (renewable | fossil)."""
    problems: dict[str, Problem] = {}
    start, end = _date(fields.usage_start), _date(fields.usage_end)
    if isinstance(start, Problem):
        problems["usage_start"] = start
    if isinstance(end, Problem):
        problems["usage_end"] = end
    if isinstance(start, date) and isinstance(end, date) and end <= start:
        problems["usage_end"] = Problem("e_end_before")
    planned = fields.planned_kwh.strip()
    if not KWH.fullmatch(planned):
        problems["planned_kwh"] = Problem("e_planned", _quoted(planned))
    pct = fields.target_pct.strip()
    if not PCT.fullmatch(pct) or int(pct) > 100:
        problems["target_pct"] = Problem("e_pct", _quoted(pct))
    chosen = tuple(dict.fromkeys(fields.providers))  # each once, in the order sent
    if any(p not in offered for p in chosen):
        problems["providers"] = Problem("e_foreign_provider")
    elif "target_pct" not in problems and int(pct) > 0 and not any(offered[p] == "renewable" for p in chosen):
        problems["providers"] = Problem("e_no_renewable")
    if problems:
        return problems
    assert isinstance(start, date) and isinstance(end, date)
    return Contents(usage_start=day_start(start), usage_end=day_start(end + timedelta(days=1)),
                    planned_wh=int(Decimal(planned) * 1000), target_pct=int(pct),
                    providers=tuple(p for p in offered if p in chosen))
