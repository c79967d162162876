"""An issuer revokes a certificate on a phone (issue 15): Playwright drives Debian's headless Chromium (390×844)
against the intermediary served by uvicorn over a real node: log in, the list of this intermediary's certificates,
the certificate with the revoke form, "Revoke certificate …? This cannot be undone." (No keeps it, Yes revokes),
the result, and the public /verify page it links to, which says revoked with the reason.

Skipped, with the reason, where Playwright or Chromium is missing. Screenshots: with
``GREENCERT_PORTAL_SCREENS=DIR`` (e.g. ``docs/screens/portal``) they are written there as
``issuer-<screen>_<lang>.png``; otherwise to the test's temporary directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from greencert.servers import BackgroundServer, free_port
from tests.helpers.chromium import chromium_browser  # noqa: F401  (the fixture ``browser``)
from tests.helpers.intermediary_certificates import issue
from tests.helpers.intermediary_world import PASSWORD, IntermediaryWorld

PHONE = {"width": 390, "height": 844}
LOCALES = {"ja": "ja-JP", "en": "en-US"}
REASON = {"en": "Meter Aa was miscalibrated for this period",
          "ja": "この期間、発電所Aaのメーターの校正に誤りがあったため"}
WORDS = {"en": {"confirm": "This cannot be undone.", "done": "Certificate revoked", "valid": "Valid",
                "revoked": "revoked at block"},
         "ja": {"confirm": "この操作は取り消せません。", "done": "証明書を失効させました", "valid": "有効",
                "revoked": "失効"}}


@pytest.fixture
def screens(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("GREENCERT_PORTAL_SCREENS") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def url(pw: IntermediaryWorld) -> Iterator[str]:
    server = BackgroundServer(pw.app(), "127.0.0.1", free_port()).start()
    yield server.url
    server.stop()


class Phone:
    """A page in a 390×844 phone context that records console errors (a refused style sheet shows there)."""

    def __init__(self, browser: Any, lang: str) -> None:
        self.context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                           locale=LOCALES[lang])
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def fits(self, *targets: str) -> None:
        """No sideways scrolling, each of ``targets`` (selectors) at least 48 px tall, no console errors."""
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"
        for target in targets:
            box = self.page.locator(target).first.bounding_box()
            assert box is not None and box["height"] >= 48, (target, box)
        assert not self.errors, self.errors

    def shot(self, folder: Path, name: str, lang: str) -> None:
        self.page.screenshot(path=str(folder / f"issuer-{name}_{lang}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_issuer_revokes_on_a_phone(browser: Any, pw: IntermediaryWorld, url: str, screens: Path,
                                      lang: str) -> None:
    older = issue(pw, first_slot=0)
    pw.clock.advance(60)  # issued a minute later: listed first
    cid = issue(pw, first_slot=2)
    phone = Phone(browser, lang)
    page, words = phone.page, WORDS[lang]
    try:
        page.goto(f"{url}/portal/login")
        page.fill("#applicant_id", "issuer")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/portal/issuer/")
        assert page.locator("html").get_attribute("lang") == lang
        listed = page.locator("#issued a[data-certificate]")
        assert [listed.nth(n).get_attribute("data-certificate") for n in range(listed.count())] == [cid, older]
        phone.fits("#certificate_id", "#find", "#issued a")
        phone.shot(screens, "list", lang)

        # Find it by its id, give a reason; "No" on the confirmation changes nothing.
        page.fill("#certificate_id", cid)
        page.click("#find")
        page.wait_for_url(f"{url}/portal/issuer/certificates/{cid}")
        assert page.locator('[data-testid="status"]').inner_text() == words["valid"]
        page.fill("#reason", REASON[lang])
        phone.fits("#reason", "#next")
        phone.shot(screens, "certificate", lang)
        page.click("#next")
        page.wait_for_url(re.compile(r".*/confirm$"))
        assert words["confirm"] in page.locator("main").inner_text()
        assert page.locator('[data-testid="reason"]').inner_text() == REASON[lang]
        phone.fits("#yes", "#no")
        phone.shot(screens, "confirm", lang)
        page.click("#no")
        page.wait_for_url(f"{url}/portal/issuer/certificates/{cid}")
        assert pw.service.node.value(f"cert/{cid}")["value"]["revoked"] is None

        # Again, and "Yes": revoked on the ledger; the result; what a verifier sees.
        page.fill("#reason", REASON[lang])
        page.click("#next")
        page.wait_for_url(re.compile(r".*/confirm$"))
        page.click("#yes")
        page.wait_for_url(f"{url}/portal/issuer/certificates/{cid}/revoked")
        assert page.locator("h1").inner_text() == words["done"]
        assert REASON[lang] in page.locator('[data-testid="status"]').inner_text()
        assert pw.service.node.value(f"cert/{cid}")["value"]["revoked"]["reason"] == REASON[lang]
        phone.fits("#check-public")
        phone.shot(screens, "revoked", lang)
        page.click("#check-public")
        page.wait_for_url(re.compile(r".*/verify\?p=.*"))
        revocation = page.locator('[data-step="revocation"]')
        assert words["revoked"] in revocation.inner_text() and REASON[lang] in revocation.inner_text()
        phone.shot(screens, "verify-revoked", lang)
    finally:
        phone.context.close()
