"""The auditor's result screen words each failed step's detail in the screen's language (issue #13): a Japanese
auditor reads Japanese, for the kept tampered vectors and for a tampered scan checked end to end."""

from __future__ import annotations

import base64
import json
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kiosk.core.auditor import Verification
from kiosk.core.phrases import plain
from ledger_lite.audit import AuditBundle, audit
from ledger_lite.verification import Trust
from tests.helpers.kiosk_driver import KioskDriver
from tests.helpers.verification_vectors import VECTORS
from tests.kiosk.verify_world import tampered

KEPT = json.loads(VECTORS.read_text())
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
FAILING = [v for v in KEPT["vectors"] if "step" in v["expect"]]


def step_text(window, step: str) -> str:
    found = window.verify_result.findChild(QLabel, f"stepText-{step}")
    assert found is not None, step
    return plain(found.text())


@pytest.mark.parametrize("vector", FAILING, ids=[v["name"] for v in FAILING])
def test_each_tampered_vector_is_explained_in_japanese_and_in_english(window, vector) -> None:
    bundle = AuditBundle.decode(base64.b64decode(vector["bundle"])) if vector.get("bundle") else None
    report = audit(vector["payload"], Trust.from_json(KEPT["trust"]), bundle=bundle)
    failed = next(s for s in report.steps if s.ok is not True)
    window.set_language("ja")
    window.verify_result.show_verification(Verification(report))
    ja = step_text(window, failed.name)
    detail = ja.split("\n", 1)[1]
    assert JAPANESE.search(detail) and failed.detail not in ja, ja
    assert not re.search(r"\b(expected|found|does not)\b", detail), detail
    window.set_language("en")  # the same result, read again in English: the light node's own words
    assert step_text(window, failed.name).endswith(failed.detail)


def test_the_tampered_amount_reads_as_content_changed_after_signing(window) -> None:
    vector = next(v for v in KEPT["vectors"] if v["name"] == "tampered amount")
    report = audit(vector["payload"], Trust.from_json(KEPT["trust"]))
    window.set_language("ja")
    window.verify_result.show_verification(Verification(report))
    assert step_text(window, "signature").split("\n")[1].startswith("署名が内容と一致しません。署名の後に内容")


def test_a_tampered_scan_at_a_japanese_kiosk_says_why_in_japanese(make_window, verify_world, tmp_path, qtbot):
    kiosk = KioskDriver(qtbot, make_window(auditor=verify_world.online(tmp_path / "trust.json")))
    kiosk.window.set_language("ja")
    kiosk.click("loginVerify")
    kiosk.wait_screen("verify")
    kiosk.qtbot.keyClicks(kiosk.window.verify, tampered(verify_world.payload))
    kiosk.qtbot.keyClick(kiosk.window.verify, Qt.Key.Key_Return)
    kiosk.wait_screen("verifyResult", timeout_ms=20_000)
    text = kiosk.text("stepText-signature")
    assert "署名が内容と一致しません" in text and "does not verify" not in text, text


def test_never_online_a_japanese_kiosk_says_there_is_no_trust_list_in_japanese(make_window, verify_world, tmp_path,
                                                                               qtbot):
    kiosk = KioskDriver(qtbot, make_window(auditor=verify_world.offline(tmp_path / "trust.json", cached=False)))
    kiosk.window.set_language("ja")
    kiosk.click("loginVerify")
    kiosk.wait_screen("verify")
    kiosk.qtbot.keyClicks(kiosk.window.verify, verify_world.payload)
    kiosk.qtbot.keyClick(kiosk.window.verify, Qt.Key.Key_Return)
    kiosk.wait_screen("verifyResult", timeout_ms=20_000)
    text = kiosk.text("stepText-trust")
    assert "信頼リストがありません。このキオスクはまだ一度もオンラインで" in text and "never online" not in text, text


def test_a_detail_that_quotes_markup_is_shown_as_plain_text(window) -> None:
    from ledger_lite.audit import Report

    report = Report()
    report.add("read", None, "no QR code found in <b>x</b>.png", code="read.no_qr", params={"name": "<b>x</b>.png"})
    window.set_language("ja")
    window.verify_result.show_verification(Verification(report))
    shown = window.verify_result.findChild(QLabel, "stepText-read")
    assert shown.textFormat() == Qt.TextFormat.PlainText
    assert plain(shown.text()).endswith("<b>x</b>.png に QR コードが見つかりません。")


def test_transfers_and_retirements_are_said_even_though_the_step_passes(window) -> None:
    """A lifecycle step passes (the certificate stays genuine) but says what became of its energy, in words."""
    from ledger_lite.audit import Report

    report = Report()
    report.add("lifecycle", True, "retired for Cb (4,000 Wh): RE100, reporting year 2026 (block 12)",
               code="lifecycle.retired", params={"beneficiary": "Cb", "amount_wh": 4000, "purpose": "RE100",
                                                  "year": 2026, "height": 12})
    window.set_language("ja")
    window.verify_result.show_verification(Verification(report))
    ja = step_text(window, "lifecycle")
    assert ja.startswith("この証明書の電力量について") and "Cb のために" in ja and "償却しました" in ja, ja
    window.set_language("en")
    en = step_text(window, "lifecycle")
    assert en.startswith("The ledger records what became") and "retired for Cb" in en, en
    title = window.verify_result.findChild(QLabel, "step-lifecycle")
    assert title is not None and plain(title.text()) == "Transfers and retirements"
