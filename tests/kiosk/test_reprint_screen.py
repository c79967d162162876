"""Reprint an earlier certificate without issuing again: the list of certificates, touch, Reprint, done."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from backend_client import Unreachable
from ledger_lite.reference import short_reference
from tests.helpers.fake_intermediary import make_items
from tests.helpers.kiosk_driver import KioskDriver


def open_reprints(kiosk):
    kiosk.login()
    kiosk.click("listReprint")
    kiosk.wait_screen("reprint")


def touch_certificate(kiosk, row):
    view = kiosk.window.reprint.view
    rect = view.visualRect(view.model().index(row, 0))
    kiosk.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_list_shows_each_earlier_certificate_in_words(make_window, fake, qtbot):
    fake.items = make_items(9, certified=(4, 7))
    kiosk = KioskDriver(qtbot, make_window())
    open_reprints(kiosk)
    model = kiosk.window.reprint.model
    assert model.rowCount() == 2
    row = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert row == ["2026-10-10", "2026-10-01 – 2026-10-07", "Oil", "26,680.723", "Japan Green Certificate Agency"]
    assert not kiosk.find("reprintOk").isEnabled(), "nothing chosen yet"
    kiosk.click("languageToggle")
    assert model.data(model.index(0, 1)) == "2026年10月1日～10月7日"
    assert model.headerData(4, Qt.Orientation.Horizontal) == "発行機関"


def test_touch_and_reprint_fetches_the_reprint_pdf_and_says_it_is_a_reprint(kiosk, fake, deliver):
    open_reprints(kiosk)
    touch_certificate(kiosk, 0)
    certificate_id = fake.items[4].certificate_id
    assert kiosk.text("selectedCertificate") == f"Selected: {short_reference(certificate_id)}"
    kiosk.click("reprintOk")
    kiosk.wait_screen("done")
    assert fake.pdf_requests == [(certificate_id, True)]
    assert fake.called("issue_certificate") == [], "a reprint never issues"
    assert kiosk.text("title") == "Your certificate was reprinted"
    assert kiosk.text("outcomeNote") == "This is a copy of a certificate issued before; nothing was issued again."
    assert deliver.calls[0]["filename"] == f"certificate-{certificate_id[:16]}.pdf"
    assert kiosk.find("printAnother").text() == "Reprint another"
    kiosk.click("printAnother")
    kiosk.wait_screen("reprint")
    assert fake.called("certificates") == [()], "going back does not reload"


def test_back_returns_to_the_list(kiosk):
    open_reprints(kiosk)
    kiosk.click("back")
    kiosk.wait_screen("list")


def test_no_certificates_yet_says_so(make_window, fake, qtbot):
    fake.items = make_items(6, certified=())
    kiosk = KioskDriver(qtbot, make_window())
    open_reprints(kiosk)
    assert kiosk.find("emptyMessage").isVisible()
    assert kiosk.text("emptyMessage") == "You have no certificates to reprint yet."
    assert not kiosk.find("reprintOk").isEnabled()


def test_a_certificate_issued_now_can_be_reprinted_later(kiosk, fake):
    kiosk.login()
    kiosk.issue([0], institution_index=1)
    kiosk.click("printAnother")
    kiosk.wait_screen("list")
    kiosk.click("listReprint")
    kiosk.wait_screen("reprint")
    model = kiosk.window.reprint.model
    assert model.record(0).certificate_id == fake.items[0].certificate_id, "newest first"
    assert model.data(model.index(0, 4)) == "I-REC Japan"


def test_unreachable_while_loading_can_be_retried(kiosk, fake):
    kiosk.login()
    fake.fail["certificates"] = Unreachable("timed out")
    kiosk.click("listReprint")
    kiosk.wait_screen("error")
    assert kiosk.text("title") == "Cannot reach the server"
    del fake.fail["certificates"]
    kiosk.click("retry")
    kiosk.wait_screen("reprint")


def test_reprint_with_an_expired_session_goes_back_to_sign_in(kiosk, fake):
    open_reprints(kiosk)
    touch_certificate(kiosk, 0)
    fake.session_expired = True
    kiosk.click("reprintOk")
    kiosk.wait_screen("error")
    assert kiosk.text("title") == "Your session has expired"
    assert kiosk.window.reprint.model.rowCount() == 0, "wiped with everything else"
    kiosk.click("back")
    kiosk.wait_screen("login")


@pytest.fixture
def manual(make_window, qtbot):
    return KioskDriver(qtbot, make_window(mode="manual"))


def test_manual_mode_signs_in_with_the_form_and_lists_the_certificates(manual, fake, deliver):
    manual.type("applicantId", "demo")
    manual.type("password", "demo")
    manual.click("manualReprint")
    manual.wait_screen("reprint")
    assert manual.text("userName") == "Signed in: Consumer Ca"
    touch_certificate(manual, 0)
    manual.click("reprintOk")
    manual.wait_screen("done")
    assert fake.pdf_requests == [(fake.items[4].certificate_id, True)]
    manual.click("logout")
    manual.wait_screen("manual")
    assert manual.window.flow.session is None


def test_manual_mode_back_signs_out_and_keeps_the_id(manual, fake):
    manual.type("applicantId", "demo")
    manual.type("password", "demo")
    manual.click("manualReprint")
    manual.wait_screen("reprint")
    manual.click("back")
    manual.wait_screen("manual")
    assert (manual.window.manual.applicant_id.text(), manual.window.manual.password.text()) == ("demo", "")
    assert manual.window.flow.session is None


def test_manual_mode_reprint_with_a_wrong_password(manual):
    manual.type("applicantId", "demo")
    manual.type("password", "nope")
    manual.click("manualReprint")
    manual.wait_screen("error")
    assert manual.text("title") == "Wrong ID or password"
    manual.click("back")
    manual.wait_screen("manual")


def test_manual_mode_reprint_needs_id_and_password(manual, fake):
    manual.click("manualReprint")
    assert manual.text("notice") == "Please enter both your applicant ID and your password."
    assert fake.called("login") == []


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_cell_but_the_institution_fits_its_column(make_window, fake, qtbot, lang):
    from PySide6.QtGui import QFontMetrics

    from kiosk.reprint_model import COLUMNS

    fake.items = make_items(12, certified=(1, 4, 7, 11))
    kiosk = KioskDriver(qtbot, make_window(language=lang))
    open_reprints(kiosk)
    view, model = kiosk.window.reprint.view, kiosk.window.reprint.model
    metrics = QFontMetrics(view.font())
    for row in range(model.rowCount()):
        for column, name in enumerate(COLUMNS[:-1]):
            text = model.data(model.index(row, column))
            assert metrics.horizontalAdvance(text) + 2 * 8 + 4 <= view.columnWidth(column), (lang, name, text)
    assert view.columnWidth(len(COLUMNS) - 1) >= 200, "the institution keeps a readable width"
