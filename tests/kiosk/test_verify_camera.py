"""The auditor's camera at the kiosk (issue #13): the camera screen reads frames pushed through its QVideoSink (a fake
camera from tests/helpers; this machine has none) and a certificate's QR code goes to the same check and result
screen as a barcode scanner's text, against a real node and intermediary. The button exists only where QtMultimedia
imports and a camera is attached; the idle timeout, Back and a failing or unplugged camera stop it."""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("PySide6.QtMultimedia")

from PySide6.QtWidgets import QPushButton

from kiosk import camera
from kiosk.i18n import tr
from kiosk.screens.verify_camera import VerifyCameraScreen
from kiosk.widgets.controls import TOUCH_MIN_PX
from printing.qr import verify_link
from tests.helpers.fake_camera import FakeCameraFeed, qr_picture
from tests.helpers.kiosk_driver import KioskDriver
from tests.kiosk.verify_world import tampered


def with_fake_camera(window, **options) -> list[FakeCameraFeed]:
    """The window's camera screen makes fake feeds from now on; the list holds the one it made."""
    made: list[FakeCameraFeed] = []

    def factory(parent):
        made.append(FakeCameraFeed(parent, **options))
        return made[-1]

    window.verify_camera.feed_factory = factory
    return made


def open_camera(kiosk: KioskDriver) -> FakeCameraFeed:
    kiosk.click("loginVerify")
    kiosk.wait_screen("verify")
    kiosk.click("verifyCamera")
    kiosk.wait_screen("verifyCamera")
    feed = kiosk.window.verify_camera.feed
    assert isinstance(feed, FakeCameraFeed) and feed.active
    return feed


@pytest.fixture
def auditor_kiosk(make_window, verify_world, tmp_path, qtbot):
    window = make_window(auditor=verify_world.online(tmp_path / "trust.json"), camera=True)
    with_fake_camera(window)
    return KioskDriver(qtbot, window)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_certificate_shown_to_the_camera_is_checked_like_a_scan(auditor_kiosk, verify_world, lang):
    kiosk = auditor_kiosk
    kiosk.window.set_language(lang)
    feed = open_camera(kiosk)
    screen = kiosk.window.verify_camera
    assert kiosk.text("title") == tr(lang, "verify_camera.title")
    assert "15" in kiosk.text("cameraHint") and "25" in kiosk.text("cameraHint")
    assert kiosk.text("cameraStatus") == tr(lang, "verify_camera.looking")
    feed.show(qr_picture(verify_world.payload))
    kiosk.wait_screen("verifyResult", timeout_ms=20_000)
    assert not feed.active, "the camera goes off once a certificate is read"
    assert not screen.preview.image.isNull(), "the picture was shown while aiming"
    result = kiosk.window.verify_result.verification
    assert result is not None and result.verdict == "genuine" and result.source == "node"
    assert result.kind == "scan" and result.report.claims is not None
    assert result.report.claims["cid"] == verify_world.certificate_id
    read = result.report.steps[0]
    assert (read.name, read.ok, read.code) == ("read", True, "read.camera"), "the read step names the camera"
    kiosk.click("verifyAnother")
    kiosk.wait_screen("verifyCamera")
    assert feed.active and feed.started_count == 2, "Verify another: the camera again"
    assert screen.preview.image.isNull() and screen.last_reading is None


def test_the_link_form_and_a_tampered_certificate_reach_the_same_result_screen(auditor_kiosk, verify_world):
    kiosk = auditor_kiosk
    feed = open_camera(kiosk)
    feed.show(qr_picture(verify_link(verify_world.payload, "https://greencert.example.jp")))
    kiosk.wait_screen("verifyResult", timeout_ms=20_000)
    assert kiosk.window.verify_result.verification.verdict == "genuine"
    kiosk.click("verifyAnother")
    kiosk.wait_screen("verifyCamera")
    feed.show(qr_picture(tampered(verify_world.payload)))
    kiosk.wait_screen("verifyResult", timeout_ms=20_000)
    result = kiosk.window.verify_result.verification
    assert result.verdict == "not genuine" and result.failed_step() == "signature"


def test_no_qr_code_then_another_qr_code_get_a_notice_and_the_camera_keeps_looking(auditor_kiosk, verify_world):
    kiosk = auditor_kiosk
    feed = open_camera(kiosk)
    screen = kiosk.window.verify_camera
    screen.decode_interval_s = 0  # read every frame pushed
    feed.show(qr_picture(None))
    assert screen.last_reading is not None and screen.last_reading.kind == "none"
    assert not screen.notice.isVisible()
    feed.show(qr_picture("https://example.com/lunch-menu"))
    assert screen.last_reading.kind == "other"
    assert kiosk.text("notice") == tr("en", "verify_camera.not_certificate")
    assert feed.active and kiosk.screen == "verifyCamera"
    kiosk.click("languageToggle")
    assert kiosk.text("notice") == tr("ja", "verify_camera.not_certificate")
    feed.show(qr_picture(verify_world.payload))
    kiosk.wait_screen("verifyResult", timeout_ms=20_000)


def test_frames_are_read_at_a_throttled_rate(qtbot):
    now = [100.0]
    screen = VerifyCameraScreen("en", clock=lambda: now[0])
    qtbot.addWidget(screen)
    feeds: list[FakeCameraFeed] = []
    screen.feed_factory = lambda parent: feeds.append(FakeCameraFeed(parent)) or feeds[-1]
    screen.start()
    feed = feeds[0]
    readings = []
    original = screen.take
    screen.take = lambda reading: (readings.append(reading), original(reading))
    for _ in range(5):
        feed.show(qr_picture(None, size=(320, 240)))
    assert len(readings) == 1, "frames within the interval are shown, not read"
    now[0] += screen.decode_interval_s
    feed.show(qr_picture(None, size=(320, 240)))
    assert len(readings) == 2


def test_back_stops_the_camera_and_frames_after_it_are_ignored(auditor_kiosk):
    kiosk = auditor_kiosk
    feed = open_camera(kiosk)
    kiosk.click("back")
    kiosk.wait_screen("verify")
    assert not feed.active and feed.stopped_count == 1
    feed.show(qr_picture("GC1:LATE"))
    assert kiosk.window.verify_camera.last_reading is None
    assert kiosk.screen == "verify"


def test_the_idle_timeout_stops_the_camera_and_clears_the_picture(auditor_kiosk, clock):
    kiosk = auditor_kiosk
    feed = open_camera(kiosk)
    screen = kiosk.window.verify_camera
    feed.show(qr_picture("https://example.com/not-a-certificate"))
    assert not screen.preview.image.isNull() and screen.notice.isVisible()
    clock.advance(121)
    kiosk.window.flow.idle.check()
    kiosk.wait_screen("login")
    assert not feed.active and feed.stopped_count == 1
    assert screen.preview.image.isNull() and screen.notice.text() == "" and screen.state == "stopped"


@pytest.mark.parametrize(("reason", "message_id"), [("unplugged", "verify_camera.unplugged"),
                                                     ("failed", "verify_camera.failed"),
                                                     ("no_camera", "verify_camera.no_camera")])
def test_a_failing_or_unplugged_camera_says_so_plainly_and_can_be_tried_again(auditor_kiosk, reason, message_id):
    kiosk = auditor_kiosk
    feed = open_camera(kiosk)
    feed.show(qr_picture(None, size=(320, 240)))
    feed.fail(reason)
    screen = kiosk.window.verify_camera
    assert screen.state == "failed" and screen.preview.image.isNull()
    assert kiosk.text("cameraStatus") == tr("en", message_id)
    kiosk.click("cameraRetry")
    assert feed.active and feed.started_count == 2
    assert kiosk.text("cameraStatus") == tr("en", "verify_camera.looking")
    assert not screen.retry.isVisible()


def test_a_camera_that_cannot_start_offers_a_retry_and_back(make_window, qtbot):
    window = make_window(camera=True)
    with_fake_camera(window, starts=False)
    kiosk = KioskDriver(qtbot, window)
    kiosk.click("loginVerify")
    kiosk.click("verifyCamera")
    kiosk.wait_screen("verifyCamera")
    assert kiosk.text("cameraStatus") == tr("en", "verify_camera.failed")
    assert window.verify_camera.retry.isVisible()
    kiosk.click("back")
    kiosk.wait_screen("verify")


def test_the_real_camera_feed_says_no_camera_on_a_machine_without_one(make_window, qtbot):
    assert camera.video_inputs() == 0, "this machine has a camera: the test expects none"
    window = make_window(camera=True)
    kiosk = KioskDriver(qtbot, window)
    kiosk.click("loginVerify")
    kiosk.click("verifyCamera")
    kiosk.wait_screen("verifyCamera")
    assert isinstance(window.verify_camera.feed, camera.QtCameraFeed)
    assert kiosk.text("cameraStatus") == tr("en", "verify_camera.no_camera")
    assert window.verify_camera.retry.isVisible()


def test_the_buttons_are_big_enough_to_touch(auditor_kiosk):
    kiosk = auditor_kiosk
    feed = open_camera(kiosk)
    feed.fail("failed")
    buttons = [b for b in kiosk.window.verify_camera.findChildren(QPushButton) if b.isVisible()]
    assert {b.objectName() for b in buttons} == {"back", "cameraRetry"}
    for button in buttons:
        assert button.height() >= 48 and button.height() >= TOUCH_MIN_PX, button.objectName()


# -- where the camera button is offered ----------------------------------------------------------------------------
def test_with_a_camera_attached_the_button_is_offered(make_window, qtbot, monkeypatch):
    monkeypatch.setattr(camera, "video_inputs", lambda: 1)
    window = make_window(camera=None)  # the start-up check, not the test's choice
    KioskDriver(qtbot, window).click("loginVerify")
    assert window.verify.camera.isVisible()
    assert window.verify.prompt.text() == tr("en", "verify.prompt_camera"), "the prompt names the camera too"


def test_the_camera_is_looked_for_when_the_mode_opens_so_one_plugged_in_later_appears(make_window, qtbot,
                                                                                        monkeypatch):
    attached = [0]
    monkeypatch.setattr(camera, "video_inputs", lambda: attached[0])
    window = make_window(camera=None)
    kiosk = KioskDriver(qtbot, window)
    kiosk.click("loginVerify")
    assert not window.verify.camera.isVisible()
    kiosk.click("back")
    attached[0] = 1  # plugged in while the kiosk waited
    kiosk.click("loginVerify")
    assert window.verify.camera.isVisible()
    kiosk.click("back")
    attached[0] = 0
    kiosk.click("loginVerify")
    assert not window.verify.camera.isVisible()


def test_without_a_camera_there_is_no_button(make_window, qtbot):
    assert camera.multimedia() is not None and camera.video_inputs() == 0
    window = make_window(camera=None)
    KioskDriver(qtbot, window).click("loginVerify")
    assert not window.verify.camera.isVisible() and not window.verify.camera_available
    assert window.verify.prompt.text() == tr("en", "verify.prompt"), "no camera: the prompt does not name one"


def test_without_qtmultimedia_there_is_no_button_and_the_rest_works(make_window, qtbot, monkeypatch,
                                                                     verify_world, tmp_path):
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", None)  # what a PySide6-Essentials install gives
    with pytest.raises(ImportError):
        import PySide6.QtMultimedia  # noqa: F401
    assert camera.multimedia() is None and camera.video_inputs() == 0 and camera.camera_available() is False
    window = make_window(camera=None, auditor=verify_world.online(tmp_path / "trust.json"))
    kiosk = KioskDriver(qtbot, window)
    kiosk.click("loginVerify")
    kiosk.wait_screen("verify")
    assert not window.verify.camera.isVisible()
    assert window.verify.files.isVisible(), "the scanner and the USB stick stay"
    kiosk.qtbot.keyClicks(window.verify, verify_world.payload)
    from PySide6.QtCore import Qt

    kiosk.qtbot.keyClick(window.verify, Qt.Key.Key_Return)
    kiosk.wait_screen("verifyResult", timeout_ms=20_000)
    assert window.verify_result.verification.verdict == "genuine"


# -- at every panel size, in both languages ------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", [(1024, 600), (1280, 800), (800, 1280)], ids=["1024x600", "1280x800", "800x1280"])
def test_no_text_of_the_camera_screen_is_clipped_or_overlapping(make_window, qtbot, size, lang):
    from tests.helpers.clipping import clipped_texts, overlapping_texts

    window = make_window(camera=True)
    made = with_fake_camera(window)
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    window.set_language(lang)
    window.flow.verifier.open_camera()
    screen = window.verify_camera
    made[0].show(qr_picture("https://example.com/not-a-certificate", size=(640, 480), qr_px=260))
    qtbot.wait(1)
    assert screen.hint.isVisible() and screen.notice.isVisible()
    if size[0] < size[1]:
        assert screen.preview.geometry().bottom() < screen.hint.geometry().top(), "portrait: picture above words"
    problems = clipped_texts(window.header) + clipped_texts(screen) + overlapping_texts([window.header, screen])
    made[0].fail("unplugged")  # the longest status, with the retry button
    qtbot.wait(1)
    assert screen.retry.isVisible() and not screen.notice.isVisible() and not screen.hint.isVisible()
    problems += clipped_texts(window.header) + clipped_texts(screen) + overlapping_texts([window.header, screen])
    assert not problems, "\n".join(problems)
    assert screen.preview.height() >= 180 and screen.preview.width() >= 240
