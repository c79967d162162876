"""The home controller's page in a phone-sized headless Chromium, against a real ledger node running the
seed-003 rules: a morning and afternoon of trading, then the user enters a purchase request, answers yes,
sees it verified, recorded, matched and paid, and a request at too low a price fail with its reason.

Skipped, with the reason, where Playwright or Chromium (Debian ``chromium``) is missing. Screenshots go to
``GREENCERT_HOME_SCREENS`` (e.g. ``docs/screens/home``) as ``<step>_<lang>.png``, else to a temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from field.trading.controller_page import create_app
from field.trading.neighbourhood import Neighbourhood
from greencert.servers import BackgroundServer
from tests.field.trading.world import DAY0, TradingNode, open_trading_node
from tests.helpers.chromium import chromium_browser  # noqa: F401  (the fixture ``browser``)

H = 1800
PHONE = {"width": 390, "height": 844}
LOCALES = {"ja": "ja-JP", "en": "en-US"}
MORNING = DAY0 + 18 * H  # 09:00 JST


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TradingNode]:
    yield from open_trading_node(tmp_path_factory.mktemp("home-browser"), 6, start=MORNING)


@pytest.fixture(scope="module")
def hood(world: TradingNode) -> Iterator[Neighbourhood]:
    hood = Neighbourhood(world.client(), world.chain_id, home_keys=world.home_keys, storage_key=world.storage_key,
                         validator_key=world.validator, homes=world.homes, start=MORNING)
    hood.storage.report(MORNING)
    for i in range(12):  # 09:00–15:00: the houses with panels sell into the battery
        world.clock.set(MORNING + (i + 1) * H)
        hood.slot(MORNING + i * H)
    yield hood
    hood.close()
    hood.node.close()


@pytest.fixture(scope="module")
def site(hood: Neighbourhood) -> Iterator[str]:
    served = BackgroundServer(create_app(hood.controllers[0], refresh=None), "127.0.0.1", 0).start()
    yield served.url + "/"
    served.stop()


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("GREENCERT_HOME_SCREENS") or tmp_path_factory.mktemp("home-screens"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def phone(browser: Any, lang: str) -> Any:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale=LOCALES[lang])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    return page


def fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"
    assert not page.errors, page.errors


def run_slots(world: TradingNode, hood: Neighbourhood, start: int, count: int) -> None:
    for i in range(count):
        world.clock.set(start + (i + 1) * H)
        hood.slot(start + i * H)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_purchase_from_entry_to_paid(browser: Any, site: str, world: TradingNode, hood: Neighbourhood,
                                      screens: Path, lang: str) -> None:
    controller = hood.controllers[0]
    page = phone(browser, lang)
    page.goto(f"{site}?lang={lang}")
    points = page.locator("#points").inner_text()
    assert points.split()[0] != "0"  # sold at midday: points credited
    fits(page)
    page.screenshot(path=str(screens / f"status-after-selling_{lang}.png"), full_page=True)
    page.click("#buy")
    page.wait_for_selector("#kwh")
    fits(page)
    page.screenshot(path=str(screens / f"purchase-form_{lang}.png"), full_page=True)
    page.fill("#kwh", "abc")
    page.click("#next")
    page.wait_for_selector("#error")
    page.screenshot(path=str(screens / f"purchase-form-error_{lang}.png"), full_page=True)
    assert page.errors == ["Failed to load resource: the server responded with a status of 422 (Unprocessable "
                           "Entity)"]  # the entry was refused, as it should be
    page.errors.clear()
    page.fill("#kwh", "1.5")
    page.fill("#price", "40")
    page.click("#next")
    page.wait_for_selector("#question")
    assert page.locator("#c-amount").inner_text() == "1.5 kWh"
    fits(page)
    page.screenshot(path=str(screens / f"purchase-confirm_{lang}.png"), full_page=True)
    before = len(controller.purchases)
    page.click("#yes")
    page.wait_for_selector("#purchases")
    controller.wait_sent()
    assert len(controller.purchases) == before + 1
    purchase = controller.purchases[-1]
    page.reload()
    assert page.locator(f'#purchases li[data-state="{purchase.state}"]').count() >= 1
    assert purchase.state == "recorded", purchase.reason
    page.screenshot(path=str(screens / f"purchase-recorded_{lang}.png"), full_page=True)
    cheap = controller.request(purchase.start, 500, 1)  # below the contract's price: it will expire unserved
    controller.wait_sent()
    now = hood.now
    run_slots(world, hood, now, (purchase.end - now) // H + 1)
    assert purchase.state == "paid", purchase.reason
    assert cheap.state == "failed"
    page.reload()
    assert page.locator('#purchases li[data-state="paid"]').count() >= 1
    reason = page.locator('#purchases li[data-state="failed"] .reason').first.inner_text()
    assert {"ja": "価格", "en": "price"}[lang] in reason
    fits(page)
    page.screenshot(path=str(screens / f"purchase-paid-and-failed_{lang}.png"), full_page=True)
    page.context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_token_bought_held_and_drawn_on(browser: Any, site: str, world: TradingNode, hood: Neighbourhood,
                                          screens: Path, lang: str) -> None:
    """Mod 8: the right to draw 1 kWh bought on the page (Fig. 4's yes/no first), held, then drawn on by a
    purchase request that the contract serves first and the battery delivers."""
    controller = hood.controllers[0]
    page = phone(browser, lang)
    page.goto(f"{site}?lang={lang}")
    page.click("#token")
    page.wait_for_selector("#token-kwh")
    quote = int(page.locator("#quote").inner_text())
    assert page.locator("#token-price").input_value() == str(quote)
    fits(page)
    page.screenshot(path=str(screens / f"token-form_{lang}.png"), full_page=True)
    page.fill("#token-kwh", "1.0")
    page.click("#token-next")
    page.wait_for_selector("#token-question")
    assert page.locator("#t-amount").inner_text() == "1.0 kWh"
    fits(page)
    page.screenshot(path=str(screens / f"token-confirm_{lang}.png"), full_page=True)
    before = len(controller.tokens)
    page.click("#token-yes")
    page.wait_for_selector("#tokens")
    controller.wait_sent()
    assert len(controller.tokens) == before + 1
    token = controller.tokens[-1]
    assert token.state == "held", token.reason
    assert world.value(f"trade/token/{token.tx_id}")["wh"] == 1_000  # recorded on the ledger
    page.reload()
    fits(page)
    page.screenshot(path=str(screens / f"token-held_{lang}.png"), full_page=True)
    page.click(f'a[data-token="{token.tx_id}"]')
    page.wait_for_selector("#pay-token")
    assert page.locator("#kwh").input_value() == "1"
    page.click("#next")
    page.wait_for_selector("#question")
    page.click("#yes")
    page.wait_for_selector("#tokens")
    controller.wait_sent()
    purchase = controller.purchases[-1]
    assert (purchase.pay, purchase.token, purchase.state) == ("token", token.tx_id, "recorded")
    now = hood.now
    run_slots(world, hood, now, (purchase.end - now) // H + 1)
    assert purchase.state == "paid", purchase.reason
    assert token.state == "used"
    page.reload()
    assert page.locator('#tokens li[data-state="used"]').count() >= 1
    fits(page)
    page.screenshot(path=str(screens / f"token-used_{lang}.png"), full_page=True)
    page.context.close()
