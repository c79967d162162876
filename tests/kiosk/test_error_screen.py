"""Errors in plain words with a way forward; ``describe_error`` maps every client error."""

from __future__ import annotations

import pytest

from backend_client import (
    BadRequest,
    Conflict,
    Forbidden,
    Locked,
    NotFound,
    ProtocolError,
    ServerError,
    Unauthorized,
    Unreachable,
)
from kiosk.failures import describe_error, pdf_filename
from kiosk.i18n import tr
from kiosk.screens.error import KINDS, ErrorInfo


@pytest.mark.parametrize(("exc", "during_login", "kind", "can_retry"), [
    (Unreachable("refused"), True, "unreachable", True),
    (Unreachable("refused"), False, "unreachable", True),
    (Unauthorized(401, "invalid_credentials", "no"), True, "credentials", False),
    (Unauthorized(401, "session_expired", "gone"), False, "expired", False),
    (Locked(429, "locked", "later", 61), True, "locked", False),
    (ServerError(500, "internal", "boom"), False, "server", True),
    (ProtocolError("not JSON"), False, "server", True),
    (BadRequest(400, "bad_request", "no"), False, "rejected", False),
    (Forbidden(403, "forbidden", "no"), False, "rejected", False),
    (NotFound(404, "not_found", "no"), False, "rejected", False),
    (Conflict(409, "conflict", "no"), False, "rejected", False),
    (RuntimeError("bug"), False, "unexpected", True),
])
def test_describe_error(exc, during_login, kind, can_retry, caplog):
    info = describe_error(exc, during_login=during_login)
    assert (info.kind, info.can_retry) == (kind, can_retry)
    if kind in ("credentials", "locked", "expired"):
        assert info.back_to_login


def test_a_lock_out_says_the_clock_time_it_ends_rounded_up_to_the_minute():
    noon = 1_794_452_400.0  # 2026-11-12 12:00 JST
    locked = describe_error(Locked(429, "locked", "", 61), timezone="Asia/Tokyo", now=lambda: noon)
    assert locked.params == {"time": {"ja": "12:02", "en": "12:02"}}
    assert locked.message_id() == "error.locked.until"
    tomorrow = describe_error(Locked(429, "locked", "", 13 * 3600), timezone="Asia/Tokyo", now=lambda: noon)
    assert tomorrow.params == {"time": {"ja": "11月13日 1:00", "en": "11/13 1:00"}}
    assert describe_error(Locked(429, "locked", "", None)).params == {}


def test_a_refusal_shows_the_servers_reason_and_plain_words_for_known_codes(window, qtbot):
    from tests.helpers.kiosk_driver import KioskDriver

    kiosk = KioskDriver(qtbot, window)
    too_large = BadRequest(400, "selection_too_large", "expected at most 900 allocations in one certificate "
                           "(one issuance transaction), found 4283: select fewer rows")
    info = describe_error(too_large)
    assert (info.kind, info.reload_list) == ("rejected", True)
    window.error.show_error(info)
    window.show_screen("error")
    assert kiosk.text("message") == ("The rows you chose are more than one certificate can hold. "
                                     "Please go back and choose fewer rows.")
    assert kiosk.text("serverReason") == f"The server's reason: {too_large.message}"
    kiosk.click("languageToggle")
    assert kiosk.text("message") == "選んだ行が多すぎて、1枚の証明書に入りません。戻って、選ぶ行を減らしてください。"
    assert kiosk.text("serverReason") == f"サーバーからの理由（英語）：{too_large.message}"
    kiosk.click("languageToggle")
    unknown = describe_error(BadRequest(400, "bad_request", "period not allowed"))
    window.error.show_error(unknown)
    assert kiosk.text("message") == "A certificate cannot be issued for this choice. Please choose again."
    assert kiosk.text("serverReason") == "The server's reason: period not allowed"
    window.error.show_error(describe_error(Unreachable("refused")))
    assert not kiosk.find("serverReason").isVisible(), "nothing from a server that did not answer"


def test_every_kind_has_words_in_both_languages():
    for kind in KINDS:
        info = ErrorInfo(kind, {"cid": "abc", "minutes": 3, "period": "2026-10", "method": "Solar"})
        for lang in ("ja", "en"):
            assert tr(lang, f"error.{kind}.title")
            assert tr(lang, info.message_id(), **info.params)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown error kind 'oops'"):
        ErrorInfo("oops")


def test_expired_session_clears_everything_and_returns_to_sign_in(kiosk, fake):
    kiosk.login()
    fake.session_expired = True
    kiosk.touch_row(0)
    kiosk.click("listNext")
    kiosk.wait_screen("confirm")
    kiosk.click("issueOk")
    kiosk.wait_screen("error")
    assert kiosk.text("title") == "Your session has expired"
    assert kiosk.text("userName") == ""
    assert kiosk.window.items_list.model.rowCount() == 0
    assert kiosk.window.flow.session is None
    kiosk.click("back")
    kiosk.wait_screen("login")


def test_unreachable_while_reloading_can_go_back_to_the_list(kiosk, fake):
    kiosk.login()
    kiosk.issue([0])
    fake.unreachable = True
    kiosk.click("printAnother")
    kiosk.wait_screen("error")
    assert kiosk.find("back").text() == "Back"
    kiosk.click("back")
    kiosk.wait_screen("list")


def test_an_unexpected_exception_does_not_crash_the_kiosk(kiosk, fake, caplog):
    kiosk.login()
    fake.fail["issue_certificate"] = KeyError("bug")  # type: ignore[assignment]
    kiosk.issue([0], expect="error")
    assert kiosk.text("title") == "Something went wrong"
    assert "unexpected failure" in caplog.text


def test_pdf_filename_is_safe():
    assert pdf_filename("ab/../cd") == "certificate-ab_.._cd.pdf"
    assert pdf_filename("f" * 64) == "certificate-" + "f" * 16 + ".pdf"
