"""Modification 8 on the home controller's page (fake ledger): buying a token for the right to draw a given amount,
with Fig. 4's yes/no confirmation first, holding it, and drawing on it with a purchase request."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from field.trading.controller import HomeController
from field.trading.controller_page import create_app
from field.trading.errors import BadInput
from field.trading.homes import demo_homes
from ledger_lite import SigningKey
from ledger_lite import trading as contract
from tests.field.trading.fakes import FakeNode
from tests.field.trading.test_controller_page import NOW, FakeGrid, post
from tests.helpers.ledger_world import SyncASGITransport

STORAGE = SigningKey.derive("test/storage/tokens")


@pytest.fixture
def node() -> FakeNode:
    fake = FakeNode()
    fake.state["trade/battery/B1"] = {"battery": "B1", "server": STORAGE.address, "stored_wh": 10_000}
    fake.state[f"registry/{STORAGE.address}"] = {"role": "storage", "attrs": {"battery": "B1",
                                                                              "capacity_wh": 20_000}}
    return fake


@pytest.fixture
def controller(node: FakeNode) -> Iterator[HomeController]:
    c = HomeController(demo_homes(3)[0], SigningKey.derive("test/home/tokens"), "greencert-test", "B1",
                       node, FakeGrid(), clock=lambda: NOW, background=False)  # type: ignore[arg-type]
    yield c
    c.close()


@pytest.fixture
def page(controller: HomeController) -> Iterator[httpx.Client]:
    transport = SyncASGITransport(create_app(controller))
    with httpx.Client(transport=transport, base_url="http://home.test") as client:
        yield client
    transport.close()


def test_the_form_shows_the_contracts_price_now(page: httpx.Client) -> None:
    quote = contract.buy_price(NOW, 10_000, 20_000)  # 10:00 JST at 50 %: the base price
    for lang, words in (("ja", "現在の契約価格"), ("en", "The contract's price now")):
        text = page.get(f"/token?lang={lang}").text
        assert f'{words}: <span id="quote">{quote}</span>' in text
        assert f'id="token-price" name="price" inputmode="numeric" value="{quote}"' in text


def test_a_token_is_confirmed_before_it_is_bought_and_then_held(page: httpx.Client, controller: HomeController,
                                                               node: FakeNode) -> None:
    review = post(page, "/token?lang=en", kwh="3.0", price="24")
    assert review.status_code == 200 and 'id="token-question">Buy this token?' in review.text
    assert ">3.0 kWh<" in review.text and ">72 yen<" in review.text  # 3 kWh at 24 yen/kWh
    assert node.sent == []  # nothing is sent before the answer
    number = review.text.split('name="draft" value="')[1].split('"')[0]
    declined = post(page, "/token/confirm?lang=en", draft=number, answer="no")
    assert (declined.status_code, declined.headers["location"]) == (303, "../token?lang=en")
    assert node.sent == [] and controller.tokens == []

    number = post(page, "/token?lang=ja", kwh="3.0", price="24").text.split('name="draft" value="')[1].split('"')[0]
    bought = post(page, "/token/confirm?lang=ja", draft=number, answer="yes")
    assert (bought.status_code, bought.headers["location"]) == (303, "../?lang=ja")
    [tx] = node.of_type(contract.TRADE_TOKEN)
    assert tx.body == contract.token_body("B1", 3_000, 24)
    [token] = controller.tokens
    assert (token.tx_id, token.state, token.yen) == (tx.tx_id, "held", 72)
    status = page.get("/?lang=ja").text
    assert 'class="token" data-state="held"' in status and "保有中" in status
    assert f'href="buy?lang=ja&amp;token={tx.tx_id}"' in status


def test_a_held_token_is_drawn_on_by_a_confirmed_request(page: httpx.Client, controller: HomeController,
                                                        node: FakeNode) -> None:
    controller.confirm_token(controller.draft_token(3_000, 24).number, True)
    token = controller.tokens[0]
    form = page.get(f"/buy?lang=en&token={token.tx_id}").text
    assert 'id="pay-token">Token (already paid) · 24 yen/kWh · 3.0 kWh' in form
    assert f'name="token" value="{token.tx_id}"' in form and 'id="pay"' not in form
    too_much = post(page, "/buy?lang=en", date="2026-10-05", time="11:00", kwh="3.5", token=token.tx_id)
    assert too_much.status_code == 422 and "expected at most the token&#x27;s 3000 Wh, found 3500 Wh" in too_much.text
    review = post(page, "/buy?lang=en", date="2026-10-05", time="11:00", kwh="2.5", token=token.tx_id)
    assert review.status_code == 200 and "Token (already paid)" in review.text
    number = review.text.split('name="draft" value="')[1].split('"')[0]
    assert post(page, "/buy/confirm?lang=en", draft=number, answer="yes").status_code == 303
    [request] = node.of_type(contract.TRADE_REQUEST)
    assert (request.body["token"], request.body["wh"], request.body["max_price"]) == (token.tx_id, 2_500, 24)
    assert (token.state, token.request) == ("in_use", request.tx_id)
    assert controller.purchases[-1].pay == "token"
    with pytest.raises(BadInput, match="expected a held token, found token 1 in_use"):
        controller.draft_request(NOW + 1800, 500, 0, token=token.tx_id)


def test_a_refused_token_fails_with_the_ledgers_reason(page: httpx.Client, controller: HomeController,
                                                      node: FakeNode) -> None:
    node.refuse[contract.TRADE_TOKEN] = ("price_too_low", "expected a price of at least 20 yen/kWh, found 5")
    controller.confirm_token(controller.draft_token(1_000, 5).number, True)
    assert controller.tokens[0].state == "failed"
    text = page.get("/?lang=en").text
    assert 'class="token" data-state="failed"' in text and "price_too_low: expected a price of at least 20" in text
    assert "Draw on this token" not in text


@pytest.mark.parametrize(("kwh", "price", "message"), [("abc", "20", "Enter a number"),
                                                       ("2.0", "0", "expected a unit price of 1–500 yen/kWh"),
                                                       ("0", "20", "expected 0 &lt; amount")])
def test_a_bad_token_entry_is_shown_again_and_nothing_is_sent(page: httpx.Client, node: FakeNode, kwh: str,
                                                              price: str, message: str) -> None:
    answer = post(page, "/token?lang=en", kwh=kwh, price=price)
    assert answer.status_code == 422 and 'id="error"' in answer.text and message in answer.text
    assert node.sent == []
