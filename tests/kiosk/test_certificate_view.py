"""Seed S214a on the screen (issue #13): the certificate's page, zoomable with touch buttons, with its QR code
large enough to scan from the panel; shown after issuance where the site prefers it or the printer failed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.core.page_image import render_first_page
from kiosk.core.phrases import plain
from kiosk.core.settings import KioskSettings
from kiosk.screens.certificate_view import CertificateViewScreen
from tests.helpers.kiosk_driver import KioskDriver

QR_SCANNABLE_PX = 250  # a phone reads a QR of version ≤ 20 on a panel at about this size


@pytest.fixture(scope="module")
def page(verify_world):
    return render_first_page(verify_world.pdf)


def test_the_page_is_rendered_with_its_qr_code_found(page):
    assert page.png.startswith(b"\x89PNG") and page.width > 1000 and page.height > 1000
    assert page.qr is not None and page.qr[2] > 100


def test_zoom_buttons_and_the_large_qr(qtbot, page, verify_world):
    screen = CertificateViewScreen("en")
    qtbot.addWidget(screen)
    screen.resize(1024, 536)
    screen.show()
    qtbot.waitExposed(screen)
    screen.show_loading(verify_world.certificate_id)
    assert not screen.zoom_in.isEnabled() and screen.status.text() == "Preparing the page…"
    screen.show_page(page, verify_world.certificate_id)
    view = screen.view
    fit = view.scale
    assert view.page.width() <= view.viewport().width() + 1 and view.page.height() <= view.viewport().height() + 1
    qtbot.mouseClick(screen.zoom_in, Qt.MouseButton.LeftButton)
    assert view.scale == pytest.approx(fit * 1.4)
    screen.zoom_in.click()
    assert view.scale == pytest.approx(fit * 1.96)
    screen.zoom_out.click()
    assert view.scale == pytest.approx(fit * 1.4)
    for _ in range(5):
        screen.zoom_out.click()
    assert view.scale == pytest.approx(fit), "never smaller than the whole page"
    assert view.qr_on_screen() < QR_SCANNABLE_PX
    screen.qr.click()
    assert view.qr_on_screen() >= QR_SCANNABLE_PX
    screen.fit.click()
    assert view.scale == pytest.approx(fit)
    for button in (screen.back, screen.zoom_in, screen.zoom_out, screen.fit, screen.qr):
        assert button.height() >= 48 and button.width() >= 48
    assert "Reference:" in screen.title.text()
    screen.set_language("ja")
    assert screen.qr.text() == "QRコードを大きく"
    screen.clear()
    assert not view.has_page and plain(screen.title.text()) == "証明書"


def test_a_page_that_cannot_be_rendered_says_so(make_window, qtbot):
    window = make_window()
    window.flow.viewer.show(b"%PDF-1.4 not really", back=window.flow.show_idle)
    qtbot.waitUntil(lambda: window.certificate_view.state == "failed", timeout=10_000)
    assert window.certificate_view.status.text() == "The certificate could not be shown."
    KioskDriver(qtbot, window).click("back")
    assert window.current_screen_name() == "login"


def real_pdf(fake, verify_world):
    pdf = verify_world.pdf.read_bytes()
    fake.certificate_pdf = lambda session, certificate_id, reprint=False: pdf  # type: ignore[method-assign]


def test_where_the_site_prefers_the_screen_an_issued_certificate_is_shown(make_window, fake, verify_world, qtbot):
    real_pdf(fake, verify_world)
    window = make_window(show_on_screen=True)
    assert isinstance(window.flow.settings, KioskSettings) and window.flow.settings.show_on_screen
    kiosk = KioskDriver(qtbot, window)
    kiosk.login()
    kiosk.issue([0], expect="certificateView", timeout_ms=20_000)
    qtbot.waitUntil(lambda: window.certificate_view.state == "shown", timeout=20_000)
    kiosk.click("back")
    kiosk.wait_screen("done")
    assert kiosk.find("showOnScreen").isVisible()
    kiosk.click("showOnScreen")
    kiosk.wait_screen("certificateView")


def test_when_the_printer_fails_the_certificate_can_be_shown(make_window, fake, deliver, verify_world, qtbot):
    real_pdf(fake, verify_world)
    deliver.printer_broken = True
    window = make_window()
    kiosk = KioskDriver(qtbot, window)
    kiosk.login()
    kiosk.issue([0], expect="notPrinted", timeout_ms=20_000)
    kiosk.click("showOnScreen")
    kiosk.wait_screen("certificateView")
    qtbot.waitUntil(lambda: window.certificate_view.state == "shown", timeout=20_000)
    kiosk.click("back")
    kiosk.wait_screen("notPrinted")
    kiosk.click("logout")
    assert window.certificate_view.state == "empty", "logout wipes the page too"


def test_a_printed_certificate_offers_no_screen_by_default(kiosk):
    kiosk.login()
    kiosk.issue([0], expect="done")
    assert not kiosk.find("showOnScreen").isVisible()
