"""Idle timeout: log out and wipe every screen of personal data; late answers are dropped."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from kiosk.idle import IdleWatcher
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
    kiosk.issue([0])  # the done screen now shows a certificate id
    certificate_id = fake.items[0].certificate_id
    window = kiosk.window
    window.already_issued.show_certificate(fake.items[4].certificate_id)
    assert "Consumer Ca" in all_texts(window)
    assert certificate_id in all_texts(window)
    clock.advance(121)
    window.flow.idle.check()
    kiosk.wait_screen("login")
    texts = all_texts(window)
    secrets = ("Consumer Ca", certificate_id, fake.items[4].certificate_id, "demo", "1 transaction(s)",
               "1 selected")
    for secret in secrets:
        assert secret not in texts
    assert window.items_list.model.rowCount() == 0
    assert window.confirm.combo.count() == 0
    assert window.flow.session is None
    assert kiosk.text("notice") == "You were signed out because the kiosk was not used for a while."
    window.flow.worker.wait_for_done()
    assert fake.called("logout") == [("token-1",)]


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
