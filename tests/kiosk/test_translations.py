"""The Qt translation files: every message id in both languages, the committed .qm files built from the .ts files,
and the switch by ``QEvent.LanguageChange`` reaching every screen and overlay."""

from __future__ import annotations

import re
import shutil
import string
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from kiosk.core.language import LANGUAGES
from kiosk.core.messages import CONTEXT, MESSAGE_IDS
from kiosk.i18n import LANGUAGE_PROPERTY, TRANSLATIONS_DIR, has_message, qm_path, tr, translator
from tests.helpers.kiosk_driver import KioskDriver
from tests.kiosk.test_language_switch import JAPANESE, put_every_screen_in_a_state

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(sys.executable).parent


def ts_path(lang: str) -> Path:
    return TRANSLATIONS_DIR / f"greencert_{lang}.ts"


def read_ts(path: Path) -> dict[str, ET.Element]:
    """source → <translation> element of the one context, ``kiosk``."""
    root = ET.parse(path).getroot()
    contexts = root.findall("context")
    assert [c.findtext("name") for c in contexts] == [CONTEXT], f"{path.name}: expected one context {CONTEXT!r}"
    found: dict[str, ET.Element] = {}
    for message in contexts[0].findall("message"):
        source = message.findtext("source") or ""
        assert source not in found, f"{path.name}: message id {source!r} twice"
        translation = message.find("translation")
        assert translation is not None, f"{path.name}: {source!r} has no <translation>"
        found[source] = translation
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def tool(name: str) -> str:
    path = TOOLS / name
    found = str(path) if path.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found next to {sys.executable} or on PATH (it comes with PySide6)")
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_ts_file_holds_every_message_id_and_nothing_else(lang):
    messages = read_ts(ts_path(lang))
    assert list(messages) == list(MESSAGE_IDS), "the same ids in the catalogue's order (lupdate keeps it)"
    for message_id, translation in messages.items():
        assert translation.get("type") is None, f"{lang}: {message_id!r} is {translation.get('type')}"
        assert (translation.text or "").strip(), f"{lang}: {message_id!r} has no text"


def test_both_languages_have_the_same_placeholders_and_they_format():
    ja, en = read_ts(ts_path("ja")), read_ts(ts_path("en"))
    for message_id in MESSAGE_IDS:
        ja_text, en_text = ja[message_id].text or "", en[message_id].text or ""
        assert placeholders(ja_text) == placeholders(en_text), message_id
        fields = {name: 1 for name in placeholders(en_text)}
        assert tr("ja", message_id, **fields) and tr("en", message_id, **fields)  # no stray braces


def test_japanese_texts_are_japanese_and_english_ones_are_not():
    ja, en = read_ts(ts_path("ja")), read_ts(ts_path("en"))
    symbols = {"button.ok", "keyboard.letters", "keyboard.shift", "keyboard.backspace", "lang.toggle",
               "lang.name.en", "lang.name.ja", "list.separator", "date.format", "settings.printer_row",
               "printer.state_with_reasons", "settings.seconds", "settings.minutes", "manual.period_to"}
    assert [i for i in MESSAGE_IDS if i not in symbols and not JAPANESE.search(ja[i].text or "")] == []
    assert [i for i in MESSAGE_IDS if i not in {"lang.toggle", "lang.name.ja"}
            and JAPANESE.search(en[i].text or "")] == []


def test_the_committed_qm_files_are_built_from_the_ts_files(tmp_path):
    for lang in LANGUAGES:
        shutil.copy(ts_path(lang), tmp_path / ts_path(lang).name)
    sources = [str(tmp_path / ts_path(lang).name) for lang in LANGUAGES]
    subprocess.run([tool("pyside6-lrelease"), "-silent", *sources], check=True, timeout=60)
    for lang in LANGUAGES:
        rebuilt = (tmp_path / qm_path(lang).name).read_bytes()
        assert rebuilt == qm_path(lang).read_bytes(), (
            f"{qm_path(lang).relative_to(ROOT)} is out of date: run .venv/bin/pyside6-lrelease "
            f"resources/translations/greencert_ja.ts resources/translations/greencert_en.ts")


def test_lupdate_finds_exactly_the_catalogue(tmp_path):
    """``pyside6-lupdate kiosk/core/messages.py`` changes nothing: the .ts files are in step with the catalogue."""
    for lang in LANGUAGES:
        shutil.copy(ts_path(lang), tmp_path / ts_path(lang).name)
    copies = [str(tmp_path / ts_path(lang).name) for lang in LANGUAGES]
    subprocess.run([tool("pyside6-lupdate"), "-silent", "-no-obsolete", "-locations", "none",
                    str(ROOT / "kiosk" / "core" / "messages.py"), "-ts", *copies], check=True, timeout=60, cwd=ROOT)
    for lang in LANGUAGES:
        assert (tmp_path / ts_path(lang).name).read_text(encoding="utf-8") == \
            ts_path(lang).read_text(encoding="utf-8"), f"run pyside6-lupdate on kiosk/core/messages.py ({lang})"


def test_texts_come_from_qtranslator():
    assert translator("ja").translate(CONTEXT, "login.title") == tr("ja", "login.title") == "ログイン"
    assert translator("en").translate(CONTEXT, "login.title") == tr("en", "login.title") == "Sign in"
    assert tr("en", "header.user", name="Consumer Ca") == "Signed in: Consumer Ca"
    with pytest.raises(KeyError, match=r"no en text for message id 'login\.nope'"):
        tr("en", "login.nope")
    assert has_message("method.solar") and not has_message("method.tidal")


def visible_texts_of_every_screen(window, kiosk):
    texts = {}
    for name in window.screen_names():
        window.show_screen(name)
        texts[name] = kiosk.visible_texts()
    return texts


def test_a_language_change_event_retranslates_every_screen_and_overlay(window, fake, qtbot):
    """What ``MainWindow.set_language`` does, by hand: set the window's language, send QEvent.LanguageChange."""
    kiosk = KioskDriver(qtbot, window)
    put_every_screen_in_a_state(window, fake)
    english = visible_texts_of_every_screen(window, kiosk)
    overlays = {"idle": window.idle_warning, "picker": window.date_picker, "keyboard": window.keyboard}
    window.idle_warning.retranslate()
    before = {name: [w.text() for w in o.findChildren(type(window.app_title)) if w.text()]
              for name, o in overlays.items()}
    window.setProperty(LANGUAGE_PROPERTY, "ja")
    QCoreApplication.sendEvent(window, QEvent(QEvent.Type.LanguageChange))
    japanese = visible_texts_of_every_screen(window, kiosk)
    for name in window.screen_names():
        assert japanese[name] != english[name], name
        assert any(JAPANESE.search(t) for t in japanese[name]), (name, japanese[name])
    assert window.app_title.text() == "グリーン電力証明書 発行"
    for name, overlay in overlays.items():
        after = [w.text() for w in overlay.findChildren(type(window.app_title)) if w.text()]
        assert overlay.lang == "ja", name
        assert after != before[name] or name == "keyboard", name
    assert window.keyboard.findChild(type(window.settings_button), "keyDone").text() == "完了"


def test_an_application_wide_translator_keeps_each_window_in_its_language(window, qtbot):
    """Installing a translator on the application sends LanguageChange to every window: nothing changes."""
    kiosk = KioskDriver(qtbot, window)
    app = QCoreApplication.instance()
    assert app is not None
    before = kiosk.visible_texts()
    assert app.installTranslator(translator("ja"))
    try:
        qtbot.wait(20)  # the event is posted to the top-level windows
        assert kiosk.visible_texts() == before and window.language == "en"
    finally:
        app.removeTranslator(translator("ja"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_screen_changes_its_visible_texts_when_the_language_is_switched(window, fake, qtbot, lang):
    kiosk = KioskDriver(qtbot, window)
    put_every_screen_in_a_state(window, fake)
    window.set_language(lang)
    other = "en" if lang == "ja" else "ja"
    for name in window.screen_names():
        window.show_screen(name)
        first = kiosk.visible_texts()
        kiosk.click("languageToggle")
        assert window.language == other
        second = kiosk.visible_texts()
        changed = [t for t in second if t not in first]
        assert changed, (name, first)
        assert any(JAPANESE.search(t) for t in changed if t != "日本語") == (other == "ja"), (name, changed)
        kiosk.click("languageToggle")
        assert kiosk.visible_texts() == first, name


def test_language_switch_texts_match_the_translation_files(kiosk):
    assert kiosk.text("title") == re.sub(r"\s+", " ", tr("en", "login.title"))
    kiosk.click("languageToggle")
    assert kiosk.text("title") == tr("ja", "login.title")
    assert kiosk.find("languageToggle").text() == tr("ja", "lang.toggle")
