"""Issue 14 in a phone-sized headless Chromium against a real trading node: the home that bought from the
battery opens its certificates, chooses a delivery, answers yes, downloads the PDF (``greencert verify`` finds it
GENUINE against the node) and sees the delivery certified, never offered again; a second "yes" to a delivery
certified meanwhile (from another screen) is refused by the ledger and the page says so.

Skipped, with the reason, where Playwright or Chromium (Debian ``chromium``) is missing. Screenshots go to
``GREENCERT_HOME_SCREENS`` (e.g. ``docs/screens/home``) as ``certificates-<step>_<lang>.png``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend_client import NodeClient
from field.trading.controller_page import create_app
from field.trading.neighbourhood import Neighbourhood
from greencert.servers import BackgroundServer
from greencert.verify import GENUINE, verify
from ledger.api import create_app as node_app
from tests.field.trading.world import TradingNode, open_trading_node
from tests.helpers.chromium import chromium_browser  # noqa: F401  (the fixture ``browser``)
from tests.helpers.trading_certificates import BUYER, NOON, buy_and_receive, desk_for, neighbourhood, run_slots

H = 1800
PHONE = {"width": 390, "height": 844}
LOCALES = {"ja": "ja-JP", "en": "en-US"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TradingNode]:
    yield from open_trading_node(tmp_path_factory.mktemp("home-certs-browser"), 6)


@pytest.fixture(scope="module")
def node_url(world: TradingNode) -> Iterator[str]:
    served = BackgroundServer(node_app(world.node), "127.0.0.1", 0).start()
    yield served.url
    served.stop()


@pytest.fixture(scope="module")
def hood(world: TradingNode) -> Iterator[Neighbourhood]:
    hood = neighbourhood(world)
    run_slots(world, hood, NOON, 4)
    for wh in (1_500, 1_200, 1_000, 900, 700):  # two certified per language, one left open
        buy_and_receive(world, hood, wh, hood.now)
    yield hood
    hood.close()
    hood.node.close()


@pytest.fixture(scope="module")
def site(world: TradingNode, hood: Neighbourhood, node_url: str) -> Iterator[str]:
    node = NodeClient(node_url, timeout=30)
    page_app = create_app(hood.controllers[BUYER], desk_for(world, hood, node=node), refresh=None)
    served = BackgroundServer(page_app, "127.0.0.1", 0).start()
    yield served.url + "/"
    served.stop()
    node.close()


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("GREENCERT_HOME_SCREENS") or tmp_path_factory.mktemp("home-screens"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def phone(browser: Any, lang: str) -> Any:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale=LOCALES[lang], accept_downloads=True)
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


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_choose_confirm_and_download_a_certificate(browser: Any, site: str, world: TradingNode, node_url: str,
                                                   screens: Path, tmp_path: Path, lang: str) -> None:
    page = phone(browser, lang)
    page.goto(f"{site}?lang={lang}")
    page.click("#certificates")
    page.wait_for_selector("#delivered")
    boxes = page.locator('#delivered input[name="asset"]')
    assert boxes.count() >= 2  # one left open after this language's certificate
    asset_id = boxes.first.get_attribute("value")
    fits(page)
    page.screenshot(path=str(screens / f"certificates-list_{lang}.png"), full_page=True)
    boxes.first.check()
    page.click("#cert-next")
    page.wait_for_selector("#cert-question")
    wh = world.value(f"asset/{asset_id}")["wh"]
    assert page.locator("#q-count").inner_text() == "1"
    assert page.locator("#q-total").inner_text() == f"{wh / 1000:.1f} kWh"
    fits(page)
    page.screenshot(path=str(screens / f"certificates-confirm_{lang}.png"), full_page=True)
    page.click("#cert-yes")
    page.wait_for_selector("#issued")
    certificate_id = page.locator("#issued").get_attribute("data-certificate")
    assert world.value(f"asset/{asset_id}")["cert"] == certificate_id
    assert page.locator(f'#delivered input[value="{asset_id}"]').count() == 0  # never offered again
    assert page.locator(f'#delivered li[data-certificate="{certificate_id}"] a.download').count() == 1
    fits(page)
    page.screenshot(path=str(screens / f"certificates-issued_{lang}.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#download")
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    report = verify(str(pdf), node_url=node_url, offline=False, trust_cache=tmp_path / "trust.json")
    assert report.exit_code == GENUINE, report.to_json()
    page.context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_delivery_certified_meanwhile_is_not_certified_twice(browser: Any, site: str, world: TradingNode,
                                                               screens: Path, lang: str) -> None:
    first, second = phone(browser, lang), phone(browser, lang)
    for page in (first, second):
        page.goto(f"{site}certificates?lang={lang}")
    asset_id = first.locator('#delivered input[name="asset"]').first.get_attribute("value")
    for page in (first, second):
        page.check(f'#delivered input[value="{asset_id}"]')
        page.click("#cert-next")
        page.wait_for_selector("#cert-question")
    second.click("#cert-yes")
    second.wait_for_selector("#issued")
    certificate_id = second.locator("#issued").get_attribute("data-certificate")
    first.click("#cert-yes")  # the same delivery, confirmed on the other screen after it was certified
    first.wait_for_selector("#error")
    message = first.locator("#error").inner_text()
    assert certificate_id in message
    assert {"ja": "二重には発行しません", "en": "never certified twice"}[lang] in message
    assert world.value(f"asset/{asset_id}")["cert"] == certificate_id
    assert first.errors == ["Failed to load resource: the server responded with a status of 409 (Conflict)"]
    first.errors.clear()
    fits(first)
    first.screenshot(path=str(screens / f"certificates-already-issued_{lang}.png"), full_page=True)
    first.context.close()
    second.context.close()
