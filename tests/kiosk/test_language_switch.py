"""Japanese and English on every screen, switched by one button; formatting of periods, amounts and methods.

The translation files themselves are checked in ``test_translations.py``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.core.language import other_language
from kiosk.i18n import format_kwh, format_period, method_name, tr
from kiosk.screens.error import ErrorInfo
from tests.helpers.fake_intermediary import FakePrinters
from tests.helpers.kiosk_driver import KioskDriver

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_formatting():
    assert format_kwh(0) == "0.000"
    assert format_kwh(1_234_567) == "1,234.567"
    assert format_kwh(-1500) == "-1.500"
    assert method_name("ja", "wind") == "風力"
    assert method_name("en", "tidal") == "tidal", "unknown methods are shown as they came"
    assert other_language("ja") == "en"


def jst(*args):
    from datetime import datetime, timedelta, timezone

    return int(datetime(*args, tzinfo=timezone(timedelta(hours=9))).timestamp())


@pytest.mark.parametrize(("start", "end", "en", "ja"), [
    # one day: the date and the times
    (jst(2024, 4, 1, 10), jst(2024, 4, 1, 10, 30), "2024-04-01 10:00–10:30", "2024年4月1日 10:00～10:30"),
    (jst(2026, 11, 1, 6), jst(2026, 11, 1, 17), "2026-11-01 06:00–17:00", "2026年11月1日 06:00～17:00"),
    # the end is exclusive: ending at 00:00 ends the day before
    (jst(2024, 4, 1, 23, 30), jst(2024, 4, 2), "2024-04-01 23:30–24:00", "2024年4月1日 23:30～24:00"),
    (jst(2024, 4, 1), jst(2024, 4, 2), "2024-04-01 00:00–24:00", "2024年4月1日 00:00～24:00"),
    # several days (the demo's rows: a month and production method): the dates only
    (jst(2026, 11, 1, 6), jst(2026, 11, 11, 17), "2026-11-01 – 2026-11-11", "2026年11月1日～11月11日"),
    (jst(2026, 10, 22), jst(2026, 11, 1), "2026-10-22 – 2026-10-31", "2026年10月22日～10月31日"),
    (jst(2024, 4, 1, 0), jst(2024, 4, 2, 0, 30), "2024-04-01 – 2024-04-02", "2024年4月1日～4月2日"),
    (jst(2026, 12, 25), jst(2027, 1, 3, 12), "2026-12-25 – 2027-01-03", "2026年12月25日～2027年1月3日"),
    (jst(2026, 12, 1), jst(2027, 1, 1), "2026-12-01 – 2026-12-31", "2026年12月1日～12月31日"),
])
def test_format_period(start, end, en, ja):
    assert format_period(start, end, "Asia/Tokyo") == en
    assert format_period(start, end, "Asia/Tokyo", "en") == en
    assert format_period(start, end, "Asia/Tokyo", "ja") == ja


def test_format_period_uses_the_given_time_zone():
    start, end = jst(2026, 11, 1, 6), jst(2026, 11, 1, 17)  # 2026-10-31 21:00 to 2026-11-01 08:00 UTC
    assert format_period(start, end, "Asia/Tokyo") == "2026-11-01 06:00–17:00"
    assert format_period(start, end, "UTC") == "2026-10-31 – 2026-11-01"


def put_every_screen_in_a_state(window, fake):
    """Fill each screen the way the flow would, so the switch is checked with real content."""
    from kiosk.screens.done import Outcome
    from kiosk.screens.manual_confirm import ManualSummary

    window.items_list.set_items(fake.items)
    window.confirm.set_selection([fake.items[0], fake.items[3]], fake.types)  # two solar rows
    window.progress.set_stage("progress.issuing", cancellable=True)
    window.done.show_outcome(Outcome("abc", "saved", None, Path("/tmp/x.pdf"), False, False, "en", "ja"))
    window.already_issued.show_certificate("abc")
    window.error.show_error(ErrorInfo("locked", {"time": "14:37"}, back_to_login=True))
    window.not_printed.show_failure("ab" * 32, reprint=False)
    window.manual_confirm.show_summary(ManualSummary(2, 5_000_000, fake.items[0].period_start,
                                                     fake.items[3].period_end, "solar", "I-REC Japan"))
    window.manual.set_types(fake.types)
    window.manual.applicant_id.setText("demo")
    window.manual.select_method("solar")
    window.reprint.set_certificates(fake.certificates(fake.login("demo", "demo")), fake.types)
    window.verify_result.show_verification(sample_verification())
    window.verify_files.set_documents(sample_documents())
    window.reprint.view.selectRow(0)
    window.pin.show_notice("pin.wrong")
    flow = window.flow
    window.settings.show_settings(flow.store.settings, default_pin=True)
    window.settings.set_printers(FakePrinters().printers)


def sample_verification():
    """A result as the auditor's mode shows it (issue #13): online, every step passed, with the facts."""
    from kiosk.core.auditor import Verification
    from ledger_lite.audit import Report

    report = Report(source="node", claims={"cid": "ab" * 32})
    for step in ("read", "trust", "signature", "inclusion", "record", "revocation"):
        report.add(step, True, f"{step} checked")
    facts = {lang: {"amount": "1,234.500 kWh", "period": "2026-10-01 – 2026-10-31", "method": "solar",
                    "owner": "Consumer Ca", "institution": "jp-green-council", "reference": "ABAB-ABAB-ABAB"}
             for lang in ("ja", "en")}
    return Verification(report, facts, pdf=Path("/media/kiosk/STICK/certificate.pdf"), kind="pdf")


def sample_documents():
    from kiosk.core.usb_files import Document

    root = Path("/media")
    return [Document(root / "kiosk" / "STICK" / f"certificate-{n}.pdf", root, 90_000, 1_790_000_000 - n * 86_400)
            for n in range(3)]


def test_toggle_switches_every_screen(window, fake, qtbot):
    kiosk = KioskDriver(qtbot, window)
    put_every_screen_in_a_state(window, fake)
    for name in window.screen_names():
        window.show_screen(name)
        english = kiosk.visible_texts()
        assert not any(JAPANESE.search(t) for t in english if t != "日本語"), (name, english)
        kiosk.click("languageToggle")
        japanese = kiosk.visible_texts()
        assert kiosk.find("languageToggle").text() == "English"
        assert any(JAPANESE.search(t) for t in japanese), (name, japanese)
        assert japanese != english
        kiosk.click("languageToggle")
        assert kiosk.visible_texts() == english


def test_list_headers_and_cells_follow_the_language(kiosk):
    from PySide6.QtCore import Qt

    kiosk.login()
    model = kiosk.view.model()
    kiosk.click("languageToggle")
    assert model.headerData(1, Qt.Orientation.Horizontal) == "発電方法"
    assert model.data(model.index(0, 1)) == "太陽光"
    assert kiosk.text("userName") == "Consumer Ca 様"
    assert kiosk.text("selectionSummary") == tr("ja", "list.summary", count=0, kwh="0.000")


def test_the_header_shows_the_japanese_name_in_japanese_and_the_english_one_in_english(make_window, fake, qtbot):
    fake.user_name_ja = "需要家Ca"  # the intermediary's user_name_ja (consumers.name_ja)
    kiosk = KioskDriver(qtbot, make_window(language="ja"))
    kiosk.login()
    assert kiosk.text("userName") == "需要家Ca 様"
    kiosk.click("languageToggle")
    assert kiosk.window.language == "en"
    assert kiosk.text("userName") == "Signed in: Consumer Ca"
    kiosk.click("languageToggle")
    assert kiosk.text("userName") == "需要家Ca 様"
    kiosk.click("back")  # signing out leaves neither name
    kiosk.wait_screen("login")
    assert kiosk.text("userName") == ""
    kiosk.click("languageToggle")
    assert kiosk.text("userName") == ""


def test_without_a_japanese_name_the_header_shows_the_english_one_in_both_languages(make_window, fake, qtbot):
    assert fake.user_name_ja is None  # a consumer without a Japanese name, or an older server
    kiosk = KioskDriver(qtbot, make_window(language="ja"))
    kiosk.login()
    assert kiosk.text("userName") == "Consumer Ca 様"
    kiosk.click("languageToggle")
    assert kiosk.text("userName") == "Signed in: Consumer Ca"


def test_default_language_is_japanese(make_window, qtbot):
    window = make_window(language="ja")
    kiosk = KioskDriver(qtbot, window)
    assert kiosk.text("title") == "ログイン"
    assert kiosk.find("loginOk").text() == "OK"
    assert kiosk.find("back").text() == "キャンセル"


def test_signing_out_returns_to_the_default_language(kiosk):
    kiosk.login()
    kiosk.click("languageToggle")  # the applicant reads Japanese; the kiosk's default is English
    assert kiosk.window.language == "ja"
    kiosk.click("back")
    kiosk.wait_screen("login")
    assert kiosk.window.language == "en"
    assert kiosk.text("title") == "Sign in"
