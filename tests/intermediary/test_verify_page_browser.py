"""The public ``/verify`` page in a real phone-sized browser (issue #13, "On a phone"): Playwright drives Debian's
headless Chromium against the demo's intermediary served by uvicorn. A payload is pasted and a photo of the
certificate uploaded; the verdict is read off the page; the layout fits a 390 px wide screen with buttons big
enough to tap, and the page's own security policy lets its style sheet through.

Skipped, with the reason, where Playwright (PyPI ``playwright``) or Chromium (Debian ``chromium``) is missing;
Playwright never downloads a browser of its own here.

Screenshots: with ``GREENCERT_PHONE_SCREENS=DIR`` (e.g. ``docs/screens/phone``) they are written there as
``verify-<state>_<lang>.png``; otherwise to the test's temporary directory.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from backend_client import IntermediaryClient
from greencert.demo import Demo
from printing.qr import verify_link
from tests.helpers.chromium import chromium_browser  # noqa: F401  (the fixture ``browser``)
from tests.intermediary.test_verify_page import tampered

PHONE = {"width": 390, "height": 844}
LOCALES = {"ja": "ja-JP", "en": "en-US"}
VERDICT_WORDS = {("genuine", "en"): "Genuine", ("genuine", "ja"): "本物です",
                 ("not genuine", "en"): "Not genuine", ("not genuine", "ja"): "本物ではありません"}


@pytest.fixture(scope="module")
def certificate(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A certificate issued through the demo's intermediary: its payload and a PNG of its page (the "photo")."""
    with IntermediaryClient(demo.url, timeout=60) as client:
        session = client.login("demo", "demo")
        # the last open renewable row: test_api (the same package-wide demo) takes the first ones
        row = [r for r in client.eligible_transactions(session)
               if not r.issued and r.production_method in ("solar", "wind")][-1]
        cert = client.issue_certificate(session, [row.item_id], "jp-green-council", uuid.uuid4().hex)
        pdf = client.certificate_pdf(session, cert.certificate_id)
    folder = tmp_path_factory.mktemp("phone")
    (folder / "certificate.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(folder / "certificate.pdf"),
                    str(folder / "photo")], check=True, timeout=60)
    return cert.payload, folder / "photo.png"


@pytest.fixture
def screens(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("GREENCERT_PHONE_SCREENS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Phone:
    """A page in a 390×844 phone context that records console errors (a refused style sheet shows there)."""

    def __init__(self, browser: Any, lang: str) -> None:
        self.context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                           locale=LOCALES[lang])
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def fits_the_screen(self) -> None:
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"
        button = self.page.locator("button[type=submit]")
        if button.count():
            box = button.bounding_box()
            assert box is not None and box["height"] >= 48 and box["width"] >= 200, box
        assert not self.errors, self.errors

    def verdict(self) -> str:
        found = self.page.locator("[data-verdict]")
        found.wait_for(timeout=60_000)
        return str(found.get_attribute("data-verdict"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture(params=["ja", "en"])
def phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[tuple[Phone, str]]:
    phone = Phone(browser, request.param)
    yield phone, request.param
    phone.close()


def test_the_empty_page_fits_a_phone(phone: tuple[Phone, str], demo: Demo, screens: Path) -> None:
    device, lang = phone
    device.page.goto(f"{demo.url}/verify")  # the language from the browser's Accept-Language
    assert device.page.locator("html").get_attribute("lang") == lang
    file_input = device.page.locator("input[type=file]")
    assert file_input.get_attribute("capture") == "environment"
    assert file_input.get_attribute("accept") == "image/*,application/pdf"
    device.fits_the_screen()
    device.page.screenshot(path=str(screens / f"verify-empty_{lang}.png"), full_page=True)


def test_a_pasted_payload_is_genuine(phone: tuple[Phone, str], demo: Demo, certificate: tuple[str, Path],
                                     screens: Path) -> None:
    device, lang = phone
    device.page.goto(f"{demo.url}/verify")
    device.page.fill("#payload", certificate[0])
    device.page.click("button[type=submit]")
    assert device.verdict() == "genuine"
    assert VERDICT_WORDS["genuine", lang] in device.page.locator(".verdict").inner_text()
    assert device.page.locator("li.fail").count() == 0 and device.page.locator("li.ok").count() >= 5
    device.fits_the_screen()
    device.page.screenshot(path=str(screens / f"verify-genuine_{lang}.png"), full_page=True)


def test_a_tampered_payload_is_not_genuine(phone: tuple[Phone, str], demo: Demo, certificate: tuple[str, Path],
                                           screens: Path) -> None:
    device, lang = phone
    device.page.goto(f"{demo.url}/verify")
    device.page.fill("#payload", tampered(certificate[0], wh=99_000_000))
    device.page.click("button[type=submit]")
    assert device.verdict() == "not genuine"
    assert VERDICT_WORDS["not genuine", lang] in device.page.locator(".verdict").inner_text()
    assert device.page.locator('li.fail[data-step="signature"]').count() == 1
    device.fits_the_screen()
    device.page.screenshot(path=str(screens / f"verify-not-genuine_{lang}.png"), full_page=True)


def test_an_uploaded_photo_is_genuine(browser: Any, demo: Demo, certificate: tuple[str, Path]) -> None:
    device = Phone(browser, "en")
    try:
        device.page.goto(f"{demo.url}/verify")
        device.page.set_input_files("#file", str(certificate[1]))
        device.page.click("button[type=submit]")
        assert device.verdict() == "genuine"
        assert "QR code read from photo.png" in device.page.locator('[data-step="read"]').inner_text()
        device.fits_the_screen()
    finally:
        device.close()


def test_a_link_carrying_the_payload_opens_its_verdict(browser: Any, demo: Demo,
                                                       certificate: tuple[str, Path]) -> None:
    device = Phone(browser, "ja")
    try:
        device.page.goto(f"{demo.url}/verify?" + urlencode({"p": certificate[0]}))
        assert device.verdict() == "genuine"
        device.page.click("header a")  # the language switch keeps the payload
        assert device.verdict() == "genuine" and device.page.locator("html").get_attribute("lang") == "en"
    finally:
        device.close()


def test_the_link_a_qr_code_can_carry_opens_its_verdict(browser: Any, demo: Demo,
                                                        certificate: tuple[str, Path]) -> None:
    """``HTTP://HOST:PORT/VERIFY/GC1...%25...%20...%2F...``, upper case as the QR code's alphanumeric mode has it."""
    link = verify_link(certificate[0], demo.url)
    assert link.startswith("HTTP://") and any(escape in link for escape in ("%2F", "%20", "%25"))
    device = Phone(browser, "en")
    try:
        device.page.goto(link)
        assert device.verdict() == "genuine"
        device.fits_the_screen()
    finally:
        device.close()
