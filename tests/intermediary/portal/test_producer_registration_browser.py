"""S21 → S25 on a phone: Playwright drives Debian's headless Chromium (390×844) through the producer's intermediary
registration against the intermediary served by uvicorn over a real node: log in, the meters, the registration
screen (pull-down, OK, Cancel), waiting for the validators' approval, the completion screen, back to the meters (the
meter now reporting to another intermediary).

Skipped, with the reason, where Playwright or Chromium is missing. Screenshots: with
``GREENCERT_PORTAL_SCREENS=DIR`` (e.g. ``docs/screens/portal``) they are written there as
``producer-<screen>_<lang>.png``; otherwise to the test's temporary directory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from backend_client.node import GovernanceClient
from tests.helpers.chromium import chromium_browser  # noqa: F401  (the fixture ``browser``)
from tests.helpers.intermediary_world import PASSWORD, IntermediaryWorld
from tests.helpers.phone import Phone, screens_folder, served_portal  # noqa: F401  (fixtures)

WORDS = {"en": {"register": "Register the intermediary", "waiting": "Waiting for approval",
                "done": "Registration of the intermediary is complete."},
         "ja": {"register": "仲介事業者を登録する", "waiting": "承認待ち", "done": "仲介事業者の登録が完了しました。"}}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_s21_to_s25_on_a_phone(browser: Any, pw: IntermediaryWorld, portal_url: str, screens: Path, lang: str) -> None:
    phone = Phone(browser, lang, "producer")
    page, words = phone.page, WORDS[lang]
    try:
        page.goto(f"{portal_url}/portal/login")
        page.fill("#applicant_id", "producer-aa")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{portal_url}/portal/producer/")
        assert page.locator("html").get_attribute("lang") == lang
        meter = page.locator(f'section[data-meter="{pw.ledger.meter.address}"]')
        assert meter.count() == 1 and page.locator("section[data-meter]").count() == 1
        phone.fits("a.button")
        phone.shot(screens, "meters", lang)

        # S21 (Fig. 13A): the registration screen; Cancel leaves it unchanged.
        meter.get_by_text(words["register"]).click()
        page.wait_for_url(re.compile(r".*/intermediary$"))
        select = page.locator("select#intermediary")
        here = {"en": " (this intermediary)", "ja": "（当事業者）"}[lang]
        assert select.locator("option").all_inner_texts() == [f"Intermediary Da{here}", "Intermediary Db"]
        phone.fits("select#intermediary", "#ok", "#cancel")
        phone.shot(screens, "register", lang)
        page.click("#cancel")
        page.wait_for_url(f"{portal_url}/portal/producer/")

        # S22-S23: Db chosen, OK: a move to another intermediary waits for the validators.
        meter.get_by_text(words["register"]).click()
        page.select_option("select#intermediary", label="Intermediary Db")
        page.click("#ok")
        page.wait_for_url(re.compile(r".*/portal/producer/registrations/[0-9a-f]{64}$"))
        assert words["waiting"] in page.locator("h1").inner_text()
        assert page.locator("#waiting").get_attribute("data-state") == "waiting"
        phone.fits("#check", "#back")
        phone.shot(screens, "waiting", lang)

        # The node's operator approves (greencert governance approve); the producer checks again.
        proposal_id = page.url.rsplit("/", 1)[1]
        GovernanceClient.over(pw.service.node).approve_proposal(proposal_id, pw.ledger.validator)
        page.click("#check")
        page.locator("#done").wait_for()

        # S25 (Fig. 13B): registration of the intermediary is complete, OK closes it.
        assert page.locator("#done").inner_text() == words["done"]
        phone.fits("#ok")
        phone.shot(screens, "done", lang)
        page.click("#ok")
        page.wait_for_url(f"{portal_url}/portal/producer/")
        assert meter.locator(".reports-to").inner_text() == "Intermediary Db"
        # Db is another intermediary: the meter is shown as reporting elsewhere (its readings go to Db).
        assert meter.locator("[data-elsewhere]").get_attribute("data-elsewhere") == pw.ledger.intermediary2.address
        phone.shot(screens, "meters-elsewhere", lang)
        registered = next(e for e in pw.node.registry() if e["address"] == pw.ledger.meter.address)
        assert registered["attrs"]["intermediary"] == pw.ledger.intermediary2.address
    finally:
        phone.context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_refused_registration_on_a_phone(browser: Any, pw: IntermediaryWorld, portal_url: str, screens: Path,
                                           lang: str) -> None:
    phone = Phone(browser, lang, "producer")
    page = phone.page
    reason = {"ja": "Db社との契約が確認できません", "en": "no contract with Intermediary Db on file"}[lang]
    try:
        page.goto(f"{portal_url}/portal/login")
        page.fill("#applicant_id", "producer-aa")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{portal_url}/portal/producer/")
        page.goto(f"{portal_url}/portal/producer/meters/{pw.ledger.meter.address}/intermediary")
        page.select_option("select#intermediary", label="Intermediary Db")
        page.click("#ok")
        page.wait_for_url(re.compile(r".*/portal/producer/registrations/[0-9a-f]{64}$"))
        proposal_id = page.url.rsplit("/", 1)[1]
        GovernanceClient.over(pw.service.node).reject_proposal(proposal_id, pw.ledger.validator, reason)
        page.click("#check")
        page.locator("#refused").wait_for()
        assert page.locator("#reason").inner_text() == reason
        phone.fits("#again", "#back")
        phone.shot(screens, "refused", lang)
        page.click("#again")  # choose again: the registration screen, the meter still unbound
        page.locator("select#intermediary").wait_for()
        assert next(e for e in pw.node.registry() if e["address"] == pw.ledger.meter.address)["attrs"] \
            .get("intermediary") is None
    finally:
        phone.context.close()
