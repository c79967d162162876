"""What a verifier says about a certificate's transfers and retirements (issue 15; ``ledger_lite.lifecycle``).

Read from the certificate's record once its state proof checked (``verification.verify_issuance``): step
``lifecycle`` for each move, newest ``SHOWN_MOVES`` only ("transferred <Wh> to <address>", "retired for
<beneficiary> (<Wh>)"), then what is still held, or that the whole amount is retired. None of them fails: a
transferred or retired certificate is still genuine, and a fully retired one carries a note saying so, so that an
auditor checking a claim sees for whom it was retired. A record without moves gives no step at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger_lite.verification import Step, clip

SHOWN_MOVES = 10


def _wh(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _text(value: Any) -> str:
    return clip(value) if value is not None else ""


def lifecycle_steps(record: Mapping[str, Any]) -> list[Step]:
    """The ``lifecycle`` steps of a proven certificate record (none when it never moved)."""
    raw = record.get("moves")
    if not isinstance(raw, list) or not raw:
        return []
    shown = [m for m in raw if isinstance(m, dict)][-SHOWN_MOVES:]
    steps = []
    if len(raw) > len(shown):
        earlier = len(raw) - len(shown)
        steps.append(Step("lifecycle", True, f"{earlier} earlier transfers or retirements are not listed",
                          code="lifecycle.earlier", params={"count": earlier}))
    for move in shown:
        wh, height = _wh(move.get("wh")), _wh(move.get("height"))
        if move.get("kind") == "retire":
            beneficiary, purpose = _text(move.get("beneficiary")), _text(move.get("purpose"))
            year = _text(move.get("year"))
            steps.append(Step("lifecycle", True, f"retired for {beneficiary} ({wh} Wh): {purpose}, reporting year "
                                                 f"{year} (block {height})",
                              code="lifecycle.retired", params={"beneficiary": beneficiary, "amount_wh": wh,
                                                                "purpose": purpose, "year": year,
                                                                "height": height}))
        else:
            to = _text(move.get("to"))
            steps.append(Step("lifecycle", True, f"transferred {wh} Wh to {to} (block {height})",
                              code="lifecycle.transferred", params={"amount_wh": wh, "to": to, "height": height}))
    held = record.get("held")
    amounts = [v for v in held.values() if _wh(v)] if isinstance(held, dict) else []
    if amounts:
        steps.append(Step("lifecycle", True, f"{sum(amounts)} Wh not retired, held by {len(amounts)} "
                                                 f"holder{'' if len(amounts) == 1 else 's'}",
                          code="lifecycle.held", params={"amount_wh": sum(amounts), "holders": len(amounts)}))
    else:
        total = _wh(record.get("wh"))
        steps.append(Step("lifecycle", True, f"all {total} Wh of this certificate are retired",
                          code="lifecycle.all_retired", params={"amount_wh": total}))
    return steps


def fully_retired(record: Mapping[str, Any]) -> bool:
    """Whether every Wh of the certificate is retired (it moved, and nobody holds any of it any more)."""
    held = record.get("held")
    return bool(record.get("moves")) and isinstance(held, dict) and not any(_wh(v) for v in held.values())


FULLY_RETIRED_NOTE = ("this certificate is genuine and fully retired: its energy was claimed for the beneficiaries "
                      "named above and can be claimed by no one else")

__all__ = ["FULLY_RETIRED_NOTE", "SHOWN_MOVES", "fully_retired", "lifecycle_steps"]
