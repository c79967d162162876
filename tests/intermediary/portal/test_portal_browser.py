"""The phone portal in a real phone-sized browser (issue 15): Playwright drives Debian's headless Chromium at
390×844 against the intermediary's app served by uvicorn (a real node behind it, in this process). Log in, change
the transaction contents (a wrong field first), read the chart, switch the language, a forged form refused, and the
lockout after repeated failures; every page fits the screen and its CSP lets its style sheet through.

Skipped, with the reason, where Playwright or Chromium is missing. Screenshots: with
``GREENCERT_PORTAL_SCREENS=DIR`` (e.g. ``docs/screens/portal``) they are written there; otherwise to a temporary
directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from greencert.servers import BackgroundServer
from tests.helpers.chromium import chromium_browser  # noqa: F401  (the fixture ``browser``)
from tests.helpers.intermediary_world import API, PASSWORD, TYPE_ID, IntermediaryWorld
from tests.helpers.portal import add_usage_history, portal_world

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[IntermediaryWorld, str]]:
    world = portal_world(tmp_path_factory.mktemp("portal"))
    add_usage_history(world)
    world.allocate(2, to="Ca")  # one certificate of Ca's, issued through the kiosk's API
    http = world.http()
    auth = world.login(http)
    issued = http.post(f"{API}/certificates", headers=auth, json={
        "item_ids": [r["item_id"] for r in world.open_rows(http, auth)], "type_id": TYPE_ID,
        "idempotency_key": "portal-browser"})
    assert issued.status_code == 201, issued.text
    server = BackgroundServer(world.app(), "127.0.0.1", 0).start()
    yield world, server.url
    server.stop()
    world.close()


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("GREENCERT_PORTAL_SCREENS") or tmp_path_factory.mktemp("screens"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def phone(browser: Any, served: tuple[IntermediaryWorld, str]) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True,
                                  locale="en-US", base_url=served[1])
    page = context.new_page()
    problems: list[str] = []
    # a 4xx page is logged as "Failed to load resource"; anything else (a CSP violation) is a problem
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    yield page
    context.close()
    assert problems == []


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _log_in(page: Any, applicant: str = "ca", password: str = PASSWORD) -> None:
    page.goto("/portal/login")
    page.fill("#applicant_id", applicant)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_log_in_edit_and_save_the_contents(phone: Any, screens: Path) -> None:
    phone.goto("/portal/login")
    _fits(phone)
    phone.screenshot(path=str(screens / "login_en.png"), full_page=True)
    _log_in(phone)
    assert phone.url.endswith("/portal/") and "Hello, Consumer Ca." in phone.inner_text("main")
    _fits(phone)
    last_tab = phone.locator("nav.tabs a").last.bounding_box()
    assert last_tab is not None and last_tab["x"] + last_tab["width"] <= PHONE["width"]  # every tab in sight
    phone.screenshot(path=str(screens / "home_en.png"), full_page=True)

    phone.click("text=Register or change the transaction contents")
    phone.screenshot(path=str(screens / "contents-before_en.png"), full_page=True)  # Fig. 15A
    phone.fill("#usage_start", "2026-04-01")
    phone.fill("#usage_end", "2026-03-01")
    phone.fill("#planned_kwh", "20")
    phone.fill("#target_pct", "60")
    phone.check("#provider-Aa")
    phone.check("#provider-Aw")
    phone.uncheck("#provider-Ab")
    phone.click("#ok")
    assert "The end date must be after the start date." in phone.inner_text("#usage_end-error")
    assert phone.input_value("#planned_kwh") == "20"  # what was typed stays
    _fits(phone)
    phone.screenshot(path=str(screens / "contents-error_en.png"), full_page=True)
    phone.fill("#usage_end", "2027-03-31")
    phone.screenshot(path=str(screens / "contents-after_en.png"), full_page=True)  # Fig. 15B
    phone.click("#ok")
    assert phone.url.endswith("/portal/contents/saved")
    assert "Your transaction contents are saved" in phone.inner_text("#saved")
    assert "Producer Aa (Solar), Wind Farm Aw (Wind)" in phone.inner_text("main")
    phone.screenshot(path=str(screens / "contents-saved_en.png"), full_page=True)


def test_the_chart_of_renewable_share(phone: Any, screens: Path) -> None:
    _log_in(phone)
    phone.goto("/portal/allocations")
    bars = phone.locator("#daily-chart rect.bar")
    assert bars.count() == 29  # the 30 days end today, which has no usage yet
    box = phone.locator("#daily-chart").bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    assert phone.locator("#halves-chart rect.bar").count() == 48
    phone.click("#daily-title ~ details summary")
    assert phone.locator("#daily-table tbody tr").count() == 30
    _fits(phone)
    phone.screenshot(path=str(screens / "allocations_en.png"), full_page=False)


def test_certificates_and_their_pdf(phone: Any, screens: Path) -> None:
    _log_in(phone)
    phone.click("nav.tabs >> text=Certificates")
    assert phone.locator("section.certificate").count() == 1
    assert "2,000 Wh" in phone.inner_text("section.certificate") and "Valid" in phone.inner_text("main")
    _fits(phone)
    phone.screenshot(path=str(screens / "certificates_en.png"), full_page=True)
    with phone.expect_download() as download:
        phone.click("text=Download the PDF")
    path = download.value.path()
    assert download.value.suggested_filename.startswith("certificate-") and path is not None
    assert Path(path).read_bytes().startswith(b"%PDF")


def test_the_language_switch(phone: Any, screens: Path) -> None:
    _log_in(phone)
    phone.click("[data-testid=switch]")
    assert phone.get_attribute("html", "lang") == "ja"
    assert "取引内容を登録・変更する" in phone.inner_text("main")
    phone.goto("/portal/contents")  # the language stays
    assert "利用開始日" in phone.inner_text("main")
    _fits(phone)
    phone.screenshot(path=str(screens / "contents_ja.png"), full_page=True)
    phone.goto("/portal/allocations")
    phone.screenshot(path=str(screens / "allocations_ja.png"), full_page=False)
    phone.click("[data-testid=switch]")
    assert phone.get_attribute("html", "lang") == "en"


def test_a_forged_form_is_refused(phone: Any, served: tuple[IntermediaryWorld, str], screens: Path) -> None:
    _log_in(phone)
    phone.goto("/portal/contents")
    phone.locator("form[action='/portal/contents'] input[name=csrf]").evaluate("e => { e.value = 'forged' }")
    phone.fill("#target_pct", "0")
    phone.click("#ok")
    assert "Refused: the form was not from this session" in phone.inner_text("main")
    phone.screenshot(path=str(screens / "csrf-refused_en.png"), full_page=True)
    phone.goto("/portal/contents")
    assert phone.input_value("#target_pct") != "0"  # nothing changed


def test_repeated_failures_lock_the_log_in(phone: Any, screens: Path) -> None:
    for _ in range(4):
        _log_in(phone, "producer-aa", "wrong")
        assert "more attempts" in phone.inner_text("#login-error")
    _log_in(phone, "producer-aa", "wrong")
    assert "Try again in 15 minutes" in phone.inner_text("#locked")
    _fits(phone)
    phone.screenshot(path=str(screens / "locked_en.png"), full_page=True)
    _log_in(phone, "producer-aa")  # the right password: still blocked
    assert "Try again in 15 minutes" in phone.inner_text("#locked")
