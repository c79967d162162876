"""Japanese and English on every screen, switched by one button; the table has both languages."""

from __future__ import annotations

import re
import string

import pytest

from kiosk.i18n import LANGUAGES, MESSAGES, format_kwh, format_period, method_name, other_language, tr
from kiosk.screens.error import ErrorInfo
from tests.kiosk.driver import KioskDriver

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("message_id", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(message_id):
    entry = MESSAGES[message_id]
    assert set(entry) == set(LANGUAGES)
    assert all(entry.values())
    assert placeholders(entry["ja"]) == placeholders(entry["en"])


def test_formatting():
    assert format_kwh(0) == "0.000"
    assert format_kwh(1_234_567) == "1,234.567"
    assert format_kwh(-1500) == "-1.500"
    assert format_period(1_711_897_200, 1_711_899_000, "Asia/Tokyo") == "2024-04-01 00:00–00:30"
    assert format_period(1_711_897_200, 1_712_070_000, "Asia/Tokyo") == "2024-04-01 00:00 – 2024-04-03 00:00"
    assert method_name("ja", "wind") == "風力"
    assert method_name("en", "tidal") == "tidal", "unknown methods are shown as they came"
    assert other_language("ja") == "en"


def put_every_screen_in_a_state(window, fake):
    """Fill each screen the way the flow would, so the switch is checked with real content."""
    from pathlib import Path

    from kiosk.screens.done import Outcome

    window.items_list.set_items(fake.items)
    window.confirm.set_selection(fake.items[:2], fake.types)
    window.progress.set_stage("progress.issuing", cancellable=True)
    window.done.show_outcome(Outcome("abc", "saved", None, Path("/tmp/x.pdf"), True, False, "en", "ja"))
    window.already_issued.show_certificate("abc")
    window.error.show_error(ErrorInfo("locked", {"minutes": 3}, back_to_login=True))


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


def test_default_language_is_japanese(make_window, qtbot):
    window = make_window(language="ja")
    kiosk = KioskDriver(qtbot, window)
    assert kiosk.text("title") == "ログイン"
    assert kiosk.find("loginOk").text() == "OK"
    assert kiosk.find("back").text() == "キャンセル"
