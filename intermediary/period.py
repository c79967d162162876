"""The main embodiment's request (S203/S205/S207): a period and a production method, not rows of the list.

The node is asked for the applicant's allocations (``trade`` "completed") of that method whose generation lies
inside ``[start, end)``; exactly those not yet certified are issued, whatever the eligible list's month rows are,
so a period that cuts a month certifies the part of the month inside it. What the request may not do: name an
empty period, find no allocation (404 ``no_allocations``, nothing issued), find only certified ones (409
``already_issued`` naming the certificate, S208/S209b), or more than ``CHUNK`` open ones (400
``selection_too_large``: one certificate is one issuance transaction; ask for a shorter period).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend_client import ClientError, NodeClient
from intermediary.errors import AlreadyIssued, BadInput, LedgerUnavailable, NotFound, shown
from ledger_lite.certificate import CHUNK, METHOD_CATEGORY

MAX_SPAN_S = 400 * 86_400  # the longest period one request may name (a certificate's chart covers ~400 days)


class NoAllocations(NotFound):
    code = "no_allocations"


@dataclass(frozen=True)
class Period:
    start: int  # Unix seconds, inclusive
    end: int  # Unix seconds, exclusive
    method: str

    @property
    def key(self) -> str:
        """What the request's idempotency record remembers in place of row ids."""
        return f"period:{self.start}:{self.end}:{self.method}"

    def check(self) -> None:
        if not 0 <= self.start < self.end:
            raise BadInput(f"expected period_start < period_end (Unix seconds, not negative), found {self.start} and "
                           f"{self.end}", "bad_period")
        if self.end - self.start > MAX_SPAN_S:
            raise BadInput(f"expected a period of at most {MAX_SPAN_S // 86_400} days, found "
                           f"{(self.end - self.start) / 86_400:.1f} days", "bad_period")
        if self.method not in METHOD_CATEGORY:
            raise BadInput(f"expected a production method among {sorted(METHOD_CATEGORY)}, found "
                           f"{shown(self.method)}", "unknown_method")


def allocations_in(node: NodeClient, owner: str, period: Period) -> list[dict[str, Any]]:
    """S207: the owner's allocations of the period's method generated inside the period (the node's records)."""
    try:
        found = node.assets(owner, method=period.method, start=period.start, end=period.end, trade="completed")
    except ClientError as exc:
        raise LedgerUnavailable(f"cannot read allocations from the ledger: {exc}") from exc
    return [a for a in found if period.start <= int(a["start"]) and int(a["end"]) <= period.end]


def select(node: NodeClient, owner: str, owner_name: str, period: Period) -> list[list[Any]]:
    """The ``[asset_id, start, wh]`` of the open allocations the period certifies, or the 4xx that says why none."""
    period.check()
    found = allocations_in(node, owner, period)
    open_ones = sorted((a for a in found if not a.get("cert")), key=lambda a: (int(a["start"]), str(a["id"])))
    if not open_ones:
        certified = sorted({str(a["cert"]) for a in found if a.get("cert")})
        if certified:  # S208/S209b: all of it was certified before
            raise AlreadyIssued(f"every allocation of {period.method} in the period was certified before, by "
                                f"{len(certified)} certificate(s), first {certified[0]}", certified[0])
        raise NoAllocations(f"expected allocations of {period.method} to {owner_name} generated in "
                            f"{period.start}..{period.end}, found none")
    if len(open_ones) > CHUNK:
        raise BadInput(f"expected at most {CHUNK} allocations in one certificate (one issuance transaction), found "
                       f"{len(open_ones)} in the period: ask for a shorter period", "selection_too_large")
    return [[str(a["id"]), int(a["start"]), int(a["wh"])] for a in open_ones]
