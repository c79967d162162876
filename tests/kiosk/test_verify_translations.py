"""The auditor's-mode catalogue (``greencert_verify_{ja,en}.ts``, issue #13), checked as ``test_translations.py``
checks the main one: every id in both languages, the same placeholders, .qm files built from the .ts files, and
``lupdate`` finding exactly the catalogue."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from kiosk.core.language import LANGUAGES
from kiosk.core.messages import KNOWN_IDS, MESSAGE_IDS
from kiosk.core.verify_messages import CATALOGUE, STEPS, VERIFY_MESSAGE_IDS
from kiosk.i18n import TRANSLATIONS_DIR, qm_path, tr
from tests.kiosk.test_language_switch import JAPANESE
from tests.kiosk.test_translations import ROOT, placeholders, read_ts, tool


def ts_path(lang: str):
    return TRANSLATIONS_DIR / f"{CATALOGUE}_{lang}.ts"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_ts_file_holds_every_id_and_nothing_else(lang):
    messages = read_ts(ts_path(lang))
    assert list(messages) == list(VERIFY_MESSAGE_IDS)
    for message_id, translation in messages.items():
        assert translation.get("type") is None, (lang, message_id)
        assert (translation.text or "").strip(), (lang, message_id)


def test_the_catalogues_do_not_overlap_and_every_step_has_words():
    assert not set(MESSAGE_IDS) & set(VERIFY_MESSAGE_IDS)
    assert set(VERIFY_MESSAGE_IDS) <= KNOWN_IDS
    for step in STEPS:
        for suffix in ("", ".ok", ".fail"):
            assert f"verify_step.{step}{suffix}" in VERIFY_MESSAGE_IDS


def test_both_languages_have_the_same_placeholders_and_are_in_their_language():
    ja, en = read_ts(ts_path("ja")), read_ts(ts_path("en"))
    for message_id in VERIFY_MESSAGE_IDS:
        ja_text, en_text = ja[message_id].text or "", en[message_id].text or ""
        assert placeholders(ja_text) == placeholders(en_text), message_id
        fields = {name: 1 for name in placeholders(en_text)}
        assert tr("ja", message_id, **fields) and tr("en", message_id, **fields)
        assert not JAPANESE.search(en_text), message_id
        assert JAPANESE.search(ja_text) or message_id == "verify_files.row", message_id


def test_the_committed_qm_files_are_built_from_the_ts_files(tmp_path):
    for lang in LANGUAGES:
        shutil.copy(ts_path(lang), tmp_path / ts_path(lang).name)
    subprocess.run([tool("pyside6-lrelease"), "-silent", *(str(tmp_path / ts_path(lang).name) for lang in LANGUAGES)],
                   check=True, timeout=60)
    for lang in LANGUAGES:
        built = qm_path(lang, catalogue=CATALOGUE)
        assert (tmp_path / built.name).read_bytes() == built.read_bytes(), f"run pyside6-lrelease on {built.name}"


def test_lupdate_finds_exactly_the_catalogue(tmp_path):
    for lang in LANGUAGES:
        shutil.copy(ts_path(lang), tmp_path / ts_path(lang).name)
    copies = [str(tmp_path / ts_path(lang).name) for lang in LANGUAGES]
    subprocess.run([tool("pyside6-lupdate"), "-silent", "-no-obsolete", "-locations", "none",
                    str(ROOT / "kiosk" / "core" / "verify_messages.py"), "-ts", *copies], check=True, timeout=60,
                   cwd=ROOT)
    for lang in LANGUAGES:
        assert (tmp_path / ts_path(lang).name).read_text(encoding="utf-8") == \
            ts_path(lang).read_text(encoding="utf-8"), lang
