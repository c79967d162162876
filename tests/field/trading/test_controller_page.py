"""The home controller's page through its HTTP interface (fake ledger and grid): status, Fig. 4's form with its
yes/no confirmation, states and reasons, both languages, no script and no outside resource."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from field.trading.controller import HomeController, Sale
from field.trading.controller_page import create_app
from field.trading.grid import Export
from field.trading.homes import demo_homes
from ledger_lite import SigningKey
from ledger_lite import trading as contract
from tests.field.trading.fakes import FakeNode
from tests.helpers.ledger_world import SyncASGITransport

NOW = 1_791_126_000 + 20 * 1800  # 2026-10-05 10:00 JST
FORM = {"content-type": "application/x-www-form-urlencoded"}


class FakeGrid:
    def __init__(self) -> None:
        self.exports: list[tuple[str, int, int, int]] = []

    def export(self, home: str, start: int, end: int, wh: int, *, minimum: int = 1) -> Export | None:
        self.exports.append((home, start, end, wh))
        return Export(wh, wh - wh // 200, {"receipt_tx": "cd" * 32, "status": "recorded"})


@pytest.fixture
def controller() -> Iterator[HomeController]:
    node = FakeNode()
    home = demo_homes(3)[0]
    c = HomeController(home, SigningKey.derive("test/home/page"), "greencert-test", "B1", node,  # type: ignore[arg-type]
                       FakeGrid(), clock=lambda: NOW, background=False)
    yield c
    c.close()


@pytest.fixture
def page(controller: HomeController) -> Iterator[httpx.Client]:
    transport = SyncASGITransport(create_app(controller))
    with httpx.Client(transport=transport, base_url="http://home.test") as client:
        yield client
    transport.close()


def post(page: httpx.Client, path: str, **fields: Any) -> httpx.Response:
    return page.post(path, content="&".join(f"{k}={v}" for k, v in fields.items()), headers=FORM)


def test_status_page_in_both_languages(page: httpx.Client, controller: HomeController) -> None:
    controller.points = 1234
    ja = page.get("/", params={"lang": "ja"})
    assert ja.status_code == 200
    assert '<html lang="ja">' in ja.text and "ホームコントローラー" in ja.text and "1,234 ポイント" in ja.text
    assert 'name="viewport"' in ja.text
    en = page.get("/", params={"lang": "en"})
    assert "Home controller" in en.text and "1,234 points" in en.text
    assert page.get("/").text.startswith('<!doctype html><html lang="en">')  # the cookie keeps the choice
    assert "<script" not in ja.text and "://" not in ja.text  # no script, nothing from elsewhere
    assert "form-action 'self'" in ja.headers["content-security-policy"]


def test_the_status_page_alone_reloads_itself(page: httpx.Client, controller: HomeController) -> None:
    refresh = '<meta http-equiv="refresh" content="5">'
    assert refresh in page.get("/").text  # the trading shows without a touch
    assert refresh not in page.get("/buy").text  # a form being filled in is never reloaded under the finger
    transport = SyncASGITransport(create_app(controller, refresh=None))
    with httpx.Client(transport=transport, base_url="http://home.test") as still:
        text = still.get("/").text
    transport.close()
    assert "ホームコントローラー" in text and 'http-equiv="refresh"' not in text


def test_a_request_is_confirmed_before_it_is_sent(page: httpx.Client, controller: HomeController) -> None:
    node: FakeNode = controller.node  # type: ignore[assignment]
    review = post(page, "/buy?lang=en", date="2026-10-05", time="18%3A00", kwh="2.5", price="30", pay="yen")
    assert review.status_code == 200
    assert "Send this purchase request?" in review.text and "2.5 kWh" in review.text
    assert node.sent == []  # Fig. 4: nothing leaves before "yes"
    number = re.search(r'name="draft" value="(\d+)"', review.text)
    assert number is not None
    no = post(page, "/buy/confirm?lang=en", draft=number.group(1), answer="no")
    assert (no.status_code, no.headers["location"]) == (303, "../buy?lang=en")
    assert node.sent == [] and controller.purchases == []
    review = post(page, "/buy?lang=en", date="2026-10-05", time="18%3A00", kwh="2.5", price="30", pay="yen")
    number = re.search(r'name="draft" value="(\d+)"', review.text)
    assert number is not None
    yes = post(page, "/buy/confirm?lang=en", draft=number.group(1), answer="yes")
    assert (yes.status_code, yes.headers["location"]) == (303, "../?lang=en")
    [tx] = node.of_type(contract.TRADE_REQUEST)
    assert tx.body == contract.request_body("B1", NOW + 16 * 1800, NOW + 20 * 1800, 2_500, 30)
    assert tx.signer_address == controller.address
    status = page.get("/?lang=en").text
    assert 'data-state="recorded"' in status and "Recorded" in status
    assert post(page, "/buy/confirm", draft=number.group(1), answer="yes").json()["error"] == "unknown_draft"


@pytest.mark.parametrize(("fields", "words"), [
    ({"date": "2026-10-05", "time": "18%3A10", "kwh": "1", "price": "30"}, "half hour"),
    ({"date": "2026-10-04", "time": "18%3A00", "kwh": "1", "price": "30"}, "not over yet"),
    ({"date": "", "time": "", "kwh": "1", "price": "30"}, "Enter a date and a time"),
    ({"date": "2026-10-05", "time": "18%3A00", "kwh": "lots", "price": "30"}, "Enter a number"),
    ({"date": "2026-10-05", "time": "18%3A00", "kwh": "0.0005", "price": "30"}, "Enter a number"),
    ({"date": "2026-10-05", "time": "18%3A00", "kwh": "1", "price": "0"}, "unit price"),
])
def test_a_bad_entry_is_shown_again_with_the_problem(page: httpx.Client, controller: HomeController,
                                                    fields: dict[str, str], words: str) -> None:
    answer = post(page, "/buy?lang=en", **fields)
    assert answer.status_code == 422
    assert 'id="error"' in answer.text and words in answer.text
    assert controller.purchases == []


def test_failed_and_paid_requests_and_sales_show_their_state(page: httpx.Client,
                                                            controller: HomeController) -> None:
    node: FakeNode = controller.node  # type: ignore[assignment]
    paid = controller.request(NOW + 1800, 1_000, 30)
    failed = controller.request(NOW + 1800, 1_000, 1)
    node.state[f"trade/request/{paid.tx_id}"] = {"status": "delivered"}
    node.state[f"trade/reservation/{paid.tx_id}"] = {"status": "delivered", "wh": 1_000, "delivery": {
        "wh": 1_000, "paid": {"pay": "yen", "amount": 26}}}
    node.state[f"trade/request/{failed.tx_id}"] = {"status": "expired"}
    controller.note_waiting(failed.tx_id, "price")
    node.refuse[contract.TRADE_REQUEST] = ("insufficient_points", "expected 20 points, found 0 available")
    refused = controller.request(NOW + 1800, 2_000, 10, pay="points")
    controller.refresh()
    assert (paid.state, paid.paid, failed.state, refused.state) == ("paid", 26, "failed", "failed")
    controller.sales.append(Sale(NOW - 1800, NOW, 800, 796, "ef" * 32, state="recorded", points=7))
    controller.sales.append(Sale(NOW - 3600, NOW - 1800, 900, 880, "aa" * 32, state="failed",
                                 reason="amount_mismatch: expected 880 Wh ± 2 %, found 900 Wh"))
    text = page.get("/?lang=ja").text
    assert "受電・支払い完了" in text and "失敗" in text
    assert "期限切れ：買電単価が契約の価格に届きませんでした" in text and "支払い 26 円" in text
    assert "Expired unserved: the contract&#x27;s price stayed above your unit price" in page.get("/?lang=en").text
    assert "insufficient_points: expected 20 points" in text
    assert "+7 ポイント" in text and "amount_mismatch" in text
    view = page.get("/api/view").json()
    assert [p["state"] for p in view["purchases"]] == ["failed", "failed", "paid"]


def test_tick_exports_only_a_surplus_above_the_threshold(controller: HomeController) -> None:
    grid: FakeGrid = controller.grid  # type: ignore[assignment]
    night = NOW - 20 * 1800  # 00:00 JST: no PV
    assert controller.tick(night) is None and grid.exports == []
    assert controller.meter.pv_wh == 0
    noon = NOW + 4 * 1800
    pv, load = controller.measure(noon)
    sale = controller.tick(noon)
    assert sale is not None and pv - load >= controller.threshold_wh
    assert grid.exports == [(controller.address, noon, noon + 1800, pv - load)]
    node: FakeNode = controller.node  # type: ignore[assignment]
    assert controller.ready_sales() == []  # the receipt is not on the ledger yet: wait
    node.state[f"trade/receipt/{sale.receipt_tx}"] = {"wh": sale.received_wh}
    controller.settle_sales()
    assert sale.state == "recorded"
    [tx] = node.of_type(contract.TRADE_SALE)
    assert tx.body == contract.sale_body("B1", noon, noon + 1800, pv - load)


def test_a_receipt_that_never_comes_fails_the_sale(controller: HomeController) -> None:
    noon = NOW + 4 * 1800
    sale = controller.tick(noon)
    assert sale is not None
    for _ in range(controller.receipt_attempts):
        controller.settle_sales()
    assert sale.state == "failed" and "was not on the ledger after" in sale.reason
