"""``GET /v1/assets`` a page at a time (issue #17): ``provider``/``category`` filters, ``limit`` and ``after``
give the same assets in the same order as one whole list, and a bad cursor is a 400."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ledger.api import create_app
from ledger.node import Node
from tests.helpers.ledger_world import DAY_ONE_END, LedgerWorld, SyncASGITransport, slot


@pytest.fixture
def client(ledger_node: Node) -> Iterator[httpx.Client]:
    with httpx.Client(transport=SyncASGITransport(create_app(ledger_node)), base_url="http://node") as http:
        yield http


def _get(client: httpx.Client, world: LedgerWorld, **params: Any) -> httpx.Response:
    params = {"owner": world.intermediary.address, **{k: v for k, v in params.items() if v is not None}}
    return client.get("/v1/assets", params=params, headers=world.read_headers(world.intermediary, "/v1/assets",
                                                                              params))


def _ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()["items"]]


@pytest.fixture
def stock(ledger_world: LedgerWorld, ledger_node: Node) -> dict[str, list[str]]:
    """Solar and oil readings of 12 half hours, two of the solar ones partly allocated: the asset ids by method."""
    out: dict[str, list[str]] = {"solar": [], "oil": []}
    for n in range(12):
        out["solar"].append(ledger_world.new_asset(ledger_node, n, 1_000 + n))
        out["oil"].append(ledger_world.new_asset(ledger_node, n, 5_000, meter=ledger_world.meter_oil))
    for asset_id in out["solar"][:2]:
        ledger_world.commit(ledger_node, ledger_world.allocate([(asset_id, 10)]))
    return out


@pytest.mark.parametrize("size", [1, 2, 5, 100])
def test_pages_make_up_the_whole_list(client: httpx.Client, ledger_world: LedgerWorld, stock: dict[str, list[str]],
                                      size: int) -> None:
    for provider, category in (("Aa", "renewable"), ("Ab", "fossil"), ("Aa", "fossil"), (None, None)):
        whole = _ids(_get(client, ledger_world, trade="open", valid_at=DAY_ONE_END, provider=provider,
                          category=category))
        paged: list[str] = []
        while True:
            page = _ids(_get(client, ledger_world, trade="open", valid_at=DAY_ONE_END, provider=provider,
                             category=category, limit=size, after=paged[-1] if paged else None))
            assert len(page) <= size
            if not page:
                break
            paged += page
        assert paged == whole
        expected = {("Aa", "renewable"): 12, ("Ab", "fossil"): 12, ("Aa", "fossil"): 0, (None, None): 24}
        assert len(whole) == expected[(provider, category)]


def test_a_page_leaves_out_expired_assets(client: httpx.Client, ledger_world: LedgerWorld,
                                         stock: dict[str, list[str]]) -> None:
    later = slot(6) + 31 * 86_400  # past the expiry of the first half hours' assets (one month after their end)
    page = _get(client, ledger_world, trade="open", valid_at=later, provider="Ab", limit=100).json()["items"]
    assert page and all(a["expires"] > later for a in page)
    assert [a["id"] for a in page] == [i for i in stock["oil"] if i in {a["id"] for a in page}]
    assert len(page) < 12


def test_a_cursor_that_names_no_asset_is_400(client: httpx.Client, ledger_world: LedgerWorld,
                                                         stock: dict[str, list[str]]) -> None:
    response = _get(client, ledger_world, trade="open", valid_at=DAY_ONE_END, limit=5, after="ab" * 32)
    assert response.status_code == 400 and response.json()["error"] == "bad_cursor"
    assert "after=" in response.json()["message"]
    for bad in ({"limit": 0}, {"limit": 100_000}, {"after": "xyz"}):
        assert _get(client, ledger_world, trade="open", **bad).status_code == 400
