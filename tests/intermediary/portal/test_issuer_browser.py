"""An issuer revokes a certificate on a phone (issue 15): Playwright drives Debian's headless Chromium (390×844)
against the intermediary served by uvicorn over a real node: log in, the list of this intermediary's certificates,
the certificate with the revoke form, "Revoke certificate …? This cannot be undone." (No keeps it, Yes revokes),
the result, and the public /verify page it links to, which says revoked with the reason.

Skipped, with the reason, where Playwright or Chromium is missing. Screenshots: with
``GREENCERT_PORTAL_SCREENS=DIR`` (e.g. ``docs/screens/portal``) they are written there as
``issuer-<screen>_<lang>.png``; otherwise to the test's temporary directory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.chromium import chromium_browser  # noqa: F401  (the fixture ``browser``)
from tests.helpers.intermediary_certificates import issue
from tests.helpers.intermediary_world import PASSWORD, IntermediaryWorld
from tests.helpers.phone import Phone, screens_folder, served_portal  # noqa: F401  (fixtures)

REASON = {"en": "Meter Aa was miscalibrated for this period",
          "ja": "この期間、発電所Aaのメーターの校正に誤りがあったため"}
WORDS = {"en": {"confirm": "This cannot be undone.", "done": "Certificate revoked", "valid": "Valid",
                "revoked": "revoked at block"},
         "ja": {"confirm": "この操作は取り消せません。", "done": "証明書を失効させました", "valid": "有効",
                "revoked": "失効"}}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_issuer_revokes_on_a_phone(browser: Any, pw: IntermediaryWorld, portal_url: str, screens: Path,
                                      lang: str) -> None:
    older = issue(pw, first_slot=0)
    pw.clock.advance(60)  # issued a minute later: listed first
    cid = issue(pw, first_slot=2)
    phone = Phone(browser, lang, "issuer")
    page, words = phone.page, WORDS[lang]
    try:
        page.goto(f"{portal_url}/portal/login")
        page.fill("#applicant_id", "issuer")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{portal_url}/portal/issuer/")
        assert page.locator("html").get_attribute("lang") == lang
        listed = page.locator("#issued a[data-certificate]")
        assert [listed.nth(n).get_attribute("data-certificate") for n in range(listed.count())] == [cid, older]
        phone.fits("#certificate_id", "#find", "#issued a")
        phone.shot(screens, "list", lang)

        # Find it by its id, give a reason; "No" on the confirmation changes nothing.
        page.fill("#certificate_id", cid)
        page.click("#find")
        page.wait_for_url(f"{portal_url}/portal/issuer/certificates/{cid}")
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
        page.wait_for_url(f"{portal_url}/portal/issuer/certificates/{cid}")
        assert pw.service.node.value(f"cert/{cid}")["value"]["revoked"] is None

        # Again, and "Yes": revoked on the ledger; the result; what a verifier sees.
        page.fill("#reason", REASON[lang])
        page.click("#next")
        page.wait_for_url(re.compile(r".*/confirm$"))
        page.click("#yes")
        page.wait_for_url(f"{portal_url}/portal/issuer/certificates/{cid}/revoked")
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
