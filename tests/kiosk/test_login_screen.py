"""S501–S510: sign in, and every way signing in can fail."""

from __future__ import annotations

from backend_client import ServerError


def test_login_shows_the_users_list(kiosk, fake):
    assert kiosk.screen == "login"
    kiosk.login("demo", "demo")
    assert kiosk.text("userName") == "Signed in: Consumer Ca"
    assert kiosk.view.model().rowCount() == len(fake.items)
    assert fake.called("login") == [("demo",)]
    assert kiosk.window.login.password.text() == ""  # no password left in a widget


def test_wrong_password_explains_and_keeps_the_id(kiosk):
    kiosk.login("demo", "wrong", expect="error")
    assert kiosk.text("title") == "Wrong ID or password"
    assert not kiosk.find("retry").isVisible()
    kiosk.click("back")
    kiosk.wait_screen("login")
    assert kiosk.window.login.applicant_id.text() == "demo"
    assert kiosk.window.login.password.text() == ""


def test_locked_account_says_when_it_unlocks_and_keeps_the_typed_id(kiosk, fake):
    fake.locked_retry_after = 290  # FAKE_NOW is 10:00 JST: unlocked at 10:04:50, said as 10:05
    kiosk.login("demo", "demo", expect="error")
    assert kiosk.text("title") == "Your account is locked for now"
    assert kiosk.text("message") == (
        "After several wrong attempts, this applicant ID is locked for a while. You can sign in again from 10:05. "
        "If you need help now, please ask a member of staff.")
    assert "minute(s)" not in kiosk.text("message")
    kiosk.click("languageToggle")
    assert kiosk.text("message") == ("誤った入力が続いたため、この申請者IDは一時的にロックされています。"
                                     "10:05から再びログインできます。お急ぎの場合は係員にお声がけください。")
    kiosk.click("languageToggle")
    kiosk.click("back")
    kiosk.wait_screen("login")
    assert kiosk.window.login.applicant_id.text() == "demo", "the typed ID is kept"
    assert kiosk.window.login.password.text() == ""


def test_wrong_password_without_a_count_warns_that_the_id_locks_after_several_attempts(kiosk, fake):
    fake.says_attempts_left = False  # an older server: its 401 does not say how many attempts are left
    kiosk.login("demo", "wrong", expect="error")
    assert kiosk.text("message") == (
        "Please check your applicant ID and password and enter them again. After several wrong attempts, "
        "the ID is locked for a while.")
    kiosk.click("back")
    kiosk.wait_screen("login")
    assert kiosk.window.login.applicant_id.text() == "demo"


def test_wrong_passwords_count_down_to_a_clear_last_warning_and_keep_the_typed_id(kiosk, fake):
    """Issue #10, item 4: the server's attempts_left (4, 3, 2, 1 for one ID from one kiosk, then 429) is said in
    words; the last one warns plainly and says to ask staff."""
    said = []
    kiosk.type("applicantId", "demo")
    for _ in range(4):
        retype_password(kiosk, "wrong")
        said.append(kiosk.text("message"))
        kiosk.click("back")
        kiosk.wait_screen("login")
        assert kiosk.window.login.applicant_id.text() == "demo", "the typed ID is kept"
    check = "Please check your applicant ID and password and enter them again. "
    assert said[:3] == [f"{check}{n} attempts left before this ID is locked for a while." for n in (4, 3, 2)]
    assert said[3] == (f"{check}1 attempt left before this ID is locked for a while — ask staff if you have "
                       "forgotten your password.")
    retype_password(kiosk, "wrong")
    kiosk.click("languageToggle")  # the fifth failure locks, as the real intermediary does
    assert kiosk.text("message") == ("誤った入力が続いたため、この申請者IDは一時的にロックされています。"
                                     "10:15から再びログインできます。お急ぎの場合は係員にお声がけください。")


def test_the_last_attempt_warning_in_japanese(kiosk, fake):
    fake.failed_logins["demo"] = 3
    kiosk.click("languageToggle")
    kiosk.login("demo", "wrong", expect="error")
    assert kiosk.text("message") == (
        "申請者IDとパスワードを確かめて、もう一度入力してください。次に間違えると、このIDはしばらくロックされます。"
        "パスワードを忘れた場合は、係員にお声がけください。")
    fake.unlock()
    kiosk.click("back")
    kiosk.wait_screen("login")
    retype_password(kiosk, "wrong")
    assert kiosk.text("message") == (
        "申請者IDとパスワードを確かめて、もう一度入力してください。あと4回間違えると、このIDはしばらくロックされます。")


def test_a_right_password_clears_the_count(kiosk, fake):
    kiosk.login("demo", "wrong", expect="error")
    kiosk.click("back")
    kiosk.wait_screen("login")
    retype_password(kiosk, "demo", expect="list")
    assert fake.failed_logins == {}


def retype_password(kiosk, password, *, expect="error"):
    """The ID is kept after a failure: only the password is typed again."""
    kiosk.type("password", password)
    kiosk.click("loginOk")
    kiosk.wait_screen(expect)


def test_locked_account_without_a_time(kiosk, fake):
    fake.locked = True
    kiosk.login("demo", "demo", expect="error")
    assert "try again later" in kiosk.text("message")


def test_unreachable_server_can_be_retried(kiosk, fake):
    fake.unreachable = True
    kiosk.login("demo", "demo", expect="error")
    assert kiosk.text("title") == "Cannot reach the server"
    assert kiosk.find("back").text() == "Back to sign-in"
    fake.unreachable = False
    kiosk.click("retry")
    kiosk.wait_screen("list")
    assert fake.called("login") == [("demo",), ("demo",)]


def test_server_error_during_login(kiosk, fake):
    fake.fail["certificate_types"] = ServerError(503, "unavailable", "down for maintenance")
    kiosk.login("demo", "demo", expect="error")
    assert kiosk.text("title") == "The server had a problem"
    assert fake.called("logout"), "the half-open session is closed again"


def test_missing_fields_are_explained_without_asking_the_server(kiosk, fake):
    kiosk.type("applicantId", "demo")
    kiosk.click("loginOk")
    assert kiosk.screen == "login"
    assert kiosk.text("notice") == "Please enter both your applicant ID and your password."
    assert fake.calls == []


def test_cancel_clears_what_was_typed(kiosk):
    kiosk.type("applicantId", "demo")
    kiosk.type("password", "secret")
    kiosk.click("back")
    assert kiosk.window.login.applicant_id.text() == ""
    assert kiosk.window.login.password.text() == ""


def test_enter_in_the_password_field_submits(kiosk, qtbot):
    from PySide6.QtCore import Qt

    kiosk.type("applicantId", "demo")
    kiosk.type("password", "demo")
    qtbot.keyClick(kiosk.find("password"), Qt.Key.Key_Return)
    kiosk.wait_screen("list")


def test_cancel_while_signing_in_drops_the_late_answer(kiosk, fake, qtbot):
    fake.hold("login")
    kiosk.type("applicantId", "demo")
    kiosk.type("password", "demo")
    kiosk.click("loginOk")
    kiosk.wait_screen("progress")
    assert kiosk.text("title") == "Signing in…"
    kiosk.click("back")
    kiosk.wait_screen("login")
    fake.release("login")
    kiosk.window.flow.worker.wait_for_done()
    qtbot.wait(50)
    assert kiosk.screen == "login"
    assert kiosk.window.flow.session is None
    qtbot.waitUntil(lambda: fake.called("logout") == [("token-1",)])  # the late session is closed again


def test_the_cancel_button_is_in_normal_case(kiosk):
    assert kiosk.find("back").text() == "Cancel"
    kiosk.click("languageToggle")
    assert kiosk.find("back").text() == "キャンセル"


def test_the_idle_logout_notice_is_gone_at_the_next_touch(kiosk, clock):
    """Issue #10: "signed out because the kiosk was not used" is for the person who left, not the next one."""
    from PySide6.QtCore import Qt

    kiosk.login()
    clock.advance(121)
    kiosk.window.flow.idle.check()
    kiosk.wait_screen("login")
    assert kiosk.text("notice") == "You were signed out because the kiosk was not used for a while."
    kiosk.qtbot.mouseClick(kiosk.find("applicantId"), Qt.MouseButton.LeftButton)
    assert not kiosk.find("notice").isVisible()
    kiosk.login()
    clock.advance(121)
    kiosk.window.flow.idle.check()
    kiosk.wait_screen("login")
    kiosk.window.flow.transient.timer.timeout.emit()  # or after a short while, untouched
    assert not kiosk.find("notice").isVisible()
