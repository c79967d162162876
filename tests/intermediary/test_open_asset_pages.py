"""``open_asset_pages`` (issue #17): the pages the allocation reads are checked, so a node that ignores the paging
parameters (a version without them answers the whole list every time) stops the batch instead of having the
pool allocate an asset twice."""

from __future__ import annotations

from typing import Any

import pytest

from intermediary.allocation import OpenAsset
from intermediary.errors import LedgerUnavailable
from intermediary.usage import PAGE, open_asset_pages

NOW = 1_000_000


def _item(i: int, provider: str = "Aa", category: str = "renewable") -> dict[str, Any]:
    return {"id": f"{i:064x}", "provider": provider, "method": "solar" if category == "renewable" else "oil",
            "category": category, "start": NOW - 3600, "end": NOW - 1800, "expires": NOW + 100 + i, "wh": 10}


class _Node:
    """Answers ``assets`` with what it is given, whatever the parameters; remembers the parameters."""

    def __init__(self, *answers: list[dict[str, Any]]) -> None:
        self.answers = list(answers)
        self.asked: list[dict[str, Any]] = []

    def assets(self, owner: str, **params: Any) -> list[dict[str, Any]]:
        self.asked.append(params)
        return self.answers.pop(0)


def test_pages_are_asked_for_with_their_cursor() -> None:
    node = _Node([_item(1), _item(2)], [_item(3)])
    load = open_asset_pages(node, "da", NOW)  # type: ignore[arg-type]
    first = load("Aa", "renewable", None)
    second = load("Aa", "renewable", first[-1])
    assert [a.asset_id for a in first + second] == [f"{i:064x}" for i in (1, 2, 3)]
    assert node.asked == [{"trade": "open", "valid_at": NOW, "provider": "Aa", "category": "renewable",
                           "after": None, "limit": PAGE},
                          {"trade": "open", "valid_at": NOW, "provider": "Aa", "category": "renewable",
                           "after": f"{2:064x}", "limit": PAGE}]


@pytest.mark.parametrize(("answer", "after"), [
    ([_item(1), _item(2)], 2),  # the cursor ignored: the same assets again
    ([_item(2), _item(1)], None),  # not in allocation order
    ([_item(1, provider="Ab")], None),  # another provider's
    ([_item(1, category="fossil")], None),  # another category's
    ([_item(i) for i in range(PAGE + 1)], None),  # more than a page
])
def test_a_page_out_of_its_bounds_stops_the_batch(answer: list[dict[str, Any]], after: int | None) -> None:
    load = open_asset_pages(_Node(answer), "da", NOW)  # type: ignore[arg-type]
    cursor = None if after is None else OpenAsset(f"{after:064x}", "Aa", "solar", "renewable", NOW - 3600,
                                                  NOW - 1800, NOW + 100 + after, 10)
    with pytest.raises(LedgerUnavailable, match="is it a version without paged asset lists"):
        load("Aa", "renewable", cursor)
