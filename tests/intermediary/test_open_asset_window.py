"""``open_assets_within`` (issue 15): the batch's time-matchable assets are read a page at a time with the period
filters, and a node that ignores the filters stops the batch instead of having an asset counted twice."""

from __future__ import annotations

from typing import Any

import pytest

from intermediary.errors import LedgerUnavailable
from intermediary.usage import EXPIRY_AT_LEAST_S, WINDOW_PAGE, open_assets_within

NOW = 10_000_000
START, END = NOW - 86_400, NOW


def _item(i: int, start: int = START) -> dict[str, Any]:
    return {"id": f"{i:064x}", "provider": "Aa", "method": "solar", "category": "renewable", "start": start,
            "end": start + 1800, "expires": NOW + 2_500_000 + i, "wh": 10}


class _Node:
    def __init__(self, *answers: list[dict[str, Any]]) -> None:
        self.answers = list(answers)
        self.asked: list[dict[str, Any]] = []

    def assets(self, owner: str, **params: Any) -> list[dict[str, Any]]:
        self.asked.append(params)
        return self.answers.pop(0)


def test_the_window_is_read_page_by_page_with_its_period() -> None:
    full = [_item(i) for i in range(WINDOW_PAGE)]
    node = _Node(full, [_item(WINDOW_PAGE)])
    found = open_assets_within(node, "da", NOW, START, END)()  # type: ignore[arg-type]
    assert len(found) == WINDOW_PAGE + 1
    since = START + EXPIRY_AT_LEAST_S
    assert node.asked == [{"trade": "open", "valid_at": since, "start": START, "end": END, "after": None,
                           "limit": WINDOW_PAGE},
                          {"trade": "open", "valid_at": since, "start": START, "end": END,
                           "after": f"{WINDOW_PAGE - 1:064x}", "limit": WINDOW_PAGE}]


@pytest.mark.parametrize("answer", [
    [_item(1, start=START - 1800)],  # generated before the batch
    [_item(1, start=END)],  # after it
    [_item(1), _item(1)],  # the same asset twice
])
def test_an_asset_out_of_the_window_stops_the_batch(answer: list[dict[str, Any]]) -> None:
    with pytest.raises(LedgerUnavailable, match="is it a version without period filters"):
        open_assets_within(_Node(answer), "da", NOW, START, END)()  # type: ignore[arg-type]
