"""Idle timeout: log out and wipe every screen of personal data; late answers are dropped."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from kiosk.idle import IdleWatcher
from ledger_lite.reference import short_reference
from tests.helpers.kiosk_driver import FakeClock, KioskDriver


def all_texts(window):
    widgets = window.findChildren(QLabel) + window.findChildren(QLineEdit)
    return "\n".join(w.text() for w in widgets).replace("\u200b", "")


def test_watcher_fires_once_after_the_timeout(qtbot):
    clock = FakeClock()
    watcher = IdleWatcher(120, clock=clock)
    fired = []
    watcher.timedOut.connect(lambda: fired.append(clock()))
    watcher.touch()
    clock.advance(119)
    watcher.check()
    assert fired == []
    clock.advance(1)
    watcher.check()
    watcher.check()
    assert fired == [1120]


def test_input_events_reset_the_watcher(qtbot):
    from PySide6.QtWidgets import QPushButton

    clock = FakeClock()
    watcher = IdleWatcher(120, clock=clock)
    watcher.start()
    button = QPushButton("x")
    qtbot.addWidget(button)
    button.show()
    clock.advance(100)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert watcher.idle_for() == 0
    watcher.stop()


def test_paused_watcher_does_not_fire(qtbot):
    clock = FakeClock()
    watcher = IdleWatcher(10, clock=clock)
    watcher.paused = True
    clock.advance(100)
    with qtbot.assertNotEmitted(watcher.timedOut):
        watcher.check()


def test_timeout_must_be_positive():
    import pytest

    with pytest.raises(ValueError, match="positive"):
        IdleWatcher(0, parent=QObject())


def test_idle_timeout_logs_out_and_clears_every_screen(kiosk, fake, clock):
    kiosk.login()
    kiosk.issue([0])  # the done screen now shows a certificate's reference
    certificate_id = short_reference(fake.items[0].certificate_id)
    window = kiosk.window
    window.already_issued.show_certificate(fake.items[4].certificate_id)
    other = short_reference(fake.items[4].certificate_id)
    assert "Consumer Ca" in all_texts(window)
    assert certificate_id in all_texts(window)
    clock.advance(121)
    window.flow.idle.check()
    kiosk.wait_screen("login")
    texts = all_texts(window)
    secrets = ("Consumer Ca", certificate_id, other, "demo", "1 transaction",
               "1 selected")
    for secret in secrets:
        assert secret not in texts
    assert window.items_list.model.rowCount() == 0
    assert window.confirm.combo.count() == 0
    assert window.flow.session is None
    assert kiosk.text("notice") == "You were signed out because the kiosk was not used for a while."
    window.flow.worker.wait_for_done()
    assert fake.called("logout") == [("token-1",)]


def test_a_slow_printer_lookup_after_printing_does_not_hold_off_the_idle_timeout(kiosk, printers, clock):
    printers.hold = threading.Event()  # CUPS does not answer the done screen's "what is this printer called"
    kiosk.login()
    kiosk.issue([0])
    kiosk.qtbot.waitUntil(lambda: len(printers.calls) == 1)
    clock.advance(121)
    kiosk.window.flow.idle.check()
    kiosk.wait_screen("login")
    assert kiosk.text("notice") == "You were signed out because the kiosk was not used for a while."


def test_idle_timeout_clears_a_half_typed_login(kiosk, clock):
    kiosk.type("applicantId", "demo")
    kiosk.type("password", "secret")
    clock.advance(500)
    kiosk.window.flow.idle.check()
    assert kiosk.window.login.applicant_id.text() == ""
    assert kiosk.window.login.password.text() == ""
    assert not kiosk.find("notice").isVisible(), "nobody was signed in: no 'signed out' notice"


def test_an_answer_arriving_after_the_timeout_is_dropped(kiosk, fake, clock, qtbot):
    kiosk.login()
    fake.hold("eligible_transactions")
    kiosk.issue([0])
    kiosk.click("printAnother")
    kiosk.wait_screen("progress")
    kiosk.window.flow.idle.paused = False  # a hung server must not keep a session open forever
    clock.advance(121)
    kiosk.window.flow.idle.check()
    kiosk.wait_screen("login")
    fake.release("eligible_transactions")
    kiosk.window.flow.worker.wait_for_done()
    qtbot.wait(50)
    assert kiosk.screen == "login"
    assert kiosk.window.items_list.model.rowCount() == 0


def test_real_timer_with_a_short_timeout(make_window, qtbot):
    import time

    window = make_window(idle_timeout_s=0.3)
    window.flow.idle._clock = time.monotonic  # this one test uses real time
    window.flow.idle.touch()
    kiosk = KioskDriver(qtbot, window)
    kiosk.login()
    kiosk.wait_screen("login", timeout_ms=3000)
    assert window.items_list.model.rowCount() == 0


def test_watcher_warns_with_a_countdown_then_times_out(qtbot):
    clock = FakeClock()
    watcher = IdleWatcher(120, clock=clock)
    warned, fired = [], []
    watcher.warned.connect(warned.append)
    watcher.timedOut.connect(lambda: fired.append(True))
    watcher.touch()
    clock.advance(99.5)
    watcher.check()
    assert warned == [] and not watcher.warning
    clock.advance(0.5)
    watcher.check()
    watcher.check()  # the same second: said once
    clock.advance(0.4)
    watcher.check()
    clock.advance(0.6)
    watcher.check()
    assert warned == [20, 19]
    assert watcher.warning
    clock.advance(19)
    watcher.check()
    assert fired == [True] and not watcher.warning


def test_a_touch_during_the_warning_resumes(qtbot):
    clock = FakeClock()
    watcher = IdleWatcher(120, clock=clock)
    with qtbot.waitSignal(watcher.warned):
        clock.advance(110)
        watcher.check()
    with qtbot.waitSignal(watcher.resumed):
        watcher.touch()
    assert not watcher.warning
    with qtbot.assertNotEmitted(watcher.resumed):
        watcher.touch()


def test_the_warning_takes_at_most_half_of_a_short_timeout(qtbot):
    watcher = IdleWatcher(30, clock=FakeClock())
    assert watcher.warning_s == 15
    watcher.set_timeout(600)
    assert (watcher.timeout_s, watcher.warning_s) == (600, 20)


def test_the_kiosk_warns_20_seconds_before_and_any_touch_continues(kiosk, clock):
    kiosk.login()
    window = kiosk.window
    clock.advance(100)
    window.flow.idle.check()
    assert window.idle_warning.isVisible()
    assert kiosk.text("idleTitle") == "Are you still there?"
    assert kiosk.text("idleCountdown") == "20"
    assert kiosk.text("idleMessage").startswith("The kiosk has not been used for a while. In 20 s")
    clock.advance(5)
    window.flow.idle.check()
    assert kiosk.text("idleCountdown") == "15"
    kiosk.qtbot.mouseClick(window.idle_warning, Qt.MouseButton.LeftButton)  # anywhere
    assert not window.idle_warning.isVisible()
    assert kiosk.screen == "list" and window.flow.session is not None
    clock.advance(119)
    window.flow.idle.check()
    assert kiosk.screen != "login", "the touch started the time again"


def test_the_continue_button_continues(kiosk, clock):
    kiosk.login()
    clock.advance(101)
    kiosk.window.flow.idle.check()
    kiosk.click("idleContinue")
    assert not kiosk.window.idle_warning.isVisible()
    assert kiosk.screen == "list"


def test_after_the_warning_the_logout_clears_the_warning_too(kiosk, clock):
    kiosk.login()
    clock.advance(101)
    kiosk.window.flow.idle.check()
    clock.advance(20)
    kiosk.window.flow.idle.check()
    kiosk.wait_screen("login")
    assert not kiosk.window.idle_warning.isVisible()
    assert kiosk.text("notice") == "You were signed out because the kiosk was not used for a while."


def test_an_empty_idle_screen_is_not_warned_about(kiosk, clock):
    clock.advance(110)
    kiosk.window.flow.idle.check()
    assert not kiosk.window.idle_warning.isVisible()


def test_the_warning_speaks_both_languages(kiosk, clock):
    kiosk.login()
    kiosk.click("languageToggle")
    clock.advance(105)
    kiosk.window.flow.idle.check()
    assert kiosk.text("idleTitle") == "まだご利用中ですか？"
    assert kiosk.text("idleMessage").startswith("しばらく操作がないため、15秒後に")


def test_idle_timeout_clears_the_manual_form(make_window, qtbot, clock):
    kiosk = KioskDriver(qtbot, make_window(mode="manual"))
    qtbot.waitUntil(lambda: kiosk.window.manual.types_loaded)  # the kiosk is not idle while it loads them
    kiosk.type("applicantId", "demo")
    kiosk.type("password", "secret")
    kiosk.click("method-wind")
    clock.advance(101)
    kiosk.window.flow.idle.check()
    assert kiosk.window.idle_warning.isVisible(), "typed data counts: warn first"
    clock.advance(20)
    kiosk.window.flow.idle.check()
    manual = kiosk.window.manual
    assert (manual.applicant_id.text(), manual.password.text(), manual.selected_method()) == ("", "", None)
    assert not manual.has_input()


def test_idle_timeout_clears_the_reprint_list_and_closes_the_overlays(kiosk, clock):
    kiosk.login()
    kiosk.click("listReprint")
    kiosk.wait_screen("reprint")
    kiosk.window.reprint.view.selectRow(0)
    assert kiosk.window.reprint.model.rowCount() == 1
    kiosk.window.date_picker.pick_for(kiosk.window.manual.first_day)
    clock.advance(121)
    kiosk.window.flow.idle.check()
    kiosk.wait_screen("login")
    assert kiosk.window.reprint.model.rowCount() == 0
    assert kiosk.window.reprint.selected.text() == ""
    assert not any(overlay.isVisible() for overlay in kiosk.window.overlays())
