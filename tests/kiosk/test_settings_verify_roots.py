"""The auditor's folders edited at the panel (issue #13): see the list, remove one, add a mounted drive by
touch, no keyboard; a folder that is not one is refused plainly and nothing changes; saved like the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QListWidget

from kiosk.core.settings import MAX_VERIFY_ROOTS, RootRefused, with_verify_root, without_verify_root
from kiosk.core.usb_files import mounted_folders
from kiosk.core.verify_messages import PANEL_TEXTS, panel_text
from kiosk.main_window import PANEL_SIZE
from tests.helpers.kiosk_driver import KioskDriver
from tests.kiosk.test_settings_screen import open_settings

MIN_TARGET = 48


@pytest.fixture
def drives(tmp_path: Path) -> list[Path]:
    """Two mounted USB sticks, as the panel would list them."""
    found = [tmp_path / "media" / "kiosk" / "STICK-A", tmp_path / "mnt" / "usb"]
    for drive in found:
        drive.mkdir(parents=True)
    return found


def open_folders(kiosk: KioskDriver, drives: list[Path]) -> None:
    kiosk.window.settings.find_mounts = lambda: list(drives)
    open_settings(kiosk)
    kiosk.click("editVerifyRoots")
    assert kiosk.window.settings.current_section() == "folders"


def rows(kiosk: KioskDriver, name: str) -> list[str]:
    listed = kiosk.find(name, QListWidget)
    return [listed.item(i).text() for i in range(listed.count())]


def choose(kiosk: KioskDriver, name: str, text: str) -> None:
    listed = kiosk.find(name, QListWidget)
    item = next(listed.item(i) for i in range(listed.count()) if listed.item(i).text() == text)
    listed.scrollToItem(item)
    kiosk.qtbot.mouseClick(listed.viewport(), Qt.MouseButton.LeftButton, pos=listed.visualItemRect(item).center())
    assert listed.currentItem() is item


def test_the_list_is_shown_and_a_drive_is_added_by_touch_then_saved(kiosk, config, drives) -> None:
    open_folders(kiosk, drives)
    assert rows(kiosk, "verifyRootList") == list(config.verify_roots)
    assert rows(kiosk, "mountList") == [str(d) for d in drives]
    assert not kiosk.find("addVerifyRoot").isEnabled(), "nothing chosen yet"
    assert kiosk.window.keyboard is None or not kiosk.window.keyboard.isVisible()
    choose(kiosk, "mountList", str(drives[0]))
    kiosk.click("addVerifyRoot")
    assert rows(kiosk, "verifyRootList") == [*config.verify_roots, str(drives[0])]
    assert kiosk.text("notice") == f"{drives[0]} added. Touch Save to keep it."
    kiosk.click("foldersDone")
    assert kiosk.window.settings.current_section() == "general"
    assert kiosk.text("verifyRoots") == ", ".join([*config.verify_roots, str(drives[0])])
    kiosk.click("settingsSave")
    kiosk.wait_screen("login")
    assert kiosk.window.flow.settings.verify_roots == (*config.verify_roots, str(drives[0]))
    saved = json.loads(config.settings_path.read_text())
    assert saved["verify_roots"] == [*config.verify_roots, str(drives[0])]


def test_one_is_removed_and_the_last_one_cannot_be(kiosk, config, drives) -> None:
    open_folders(kiosk, drives)
    for root in config.verify_roots[:-1]:
        choose(kiosk, "verifyRootList", root)
        kiosk.click("removeVerifyRoot")
        assert root not in rows(kiosk, "verifyRootList")
    assert rows(kiosk, "verifyRootList") == [config.verify_roots[-1]]
    choose(kiosk, "verifyRootList", config.verify_roots[-1])
    assert not kiosk.find("removeVerifyRoot").isEnabled(), "the auditor's list needs one folder"
    kiosk.click("settingsSave")
    kiosk.wait_screen("login")
    assert kiosk.window.flow.settings.verify_roots == (config.verify_roots[-1],)


def test_a_drive_gone_since_it_was_listed_is_refused_plainly_and_nothing_changes(kiosk, config, drives) -> None:
    open_folders(kiosk, drives)
    drives[1].rmdir()  # the stick was pulled out
    drives[1].write_text("now a file")
    choose(kiosk, "mountList", str(drives[1]))
    kiosk.click("addVerifyRoot")
    assert kiosk.text("notice") == f"{drives[1]} is not a folder (was the USB stick taken out?). Choose a folder."
    assert rows(kiosk, "verifyRootList") == list(config.verify_roots)
    kiosk.window.set_language("ja")
    assert kiosk.text("notice").startswith(f"{drives[1]} はフォルダーではありません")


def test_a_drive_listed_already_is_not_added_twice(kiosk, config, drives) -> None:
    open_folders(kiosk, drives)
    choose(kiosk, "mountList", str(drives[0]))
    kiosk.click("addVerifyRoot")
    choose(kiosk, "mountList", str(drives[0]))
    kiosk.click("addVerifyRoot")
    assert kiosk.text("notice") == f"{drives[0]} is in the list already."
    assert rows(kiosk, "verifyRootList").count(str(drives[0])) == 1


def test_with_no_drive_mounted_the_page_says_so_in_both_languages(kiosk) -> None:
    open_folders(kiosk, [])
    assert kiosk.find("mountsEmpty").isVisible() and rows(kiosk, "mountList") == []
    assert kiosk.text("mountsEmpty").startswith("No mounted drive found.")
    kiosk.window.set_language("ja")
    assert kiosk.text("mountsEmpty").startswith("つながっているドライブが見つかりません。")
    assert kiosk.find("addVerifyRoot", QAbstractButton).text() == "選んだドライブを追加"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_target_on_the_folders_page_is_big_enough_and_it_fits_the_panel(kiosk, drives, lang) -> None:
    kiosk.window.set_language(lang)
    open_folders(kiosk, drives)
    kiosk.qtbot.wait(1)
    page = kiosk.window.settings.pages.currentWidget()
    buttons = [b for b in page.findChildren(QAbstractButton) if b.isVisible()]
    assert {b.objectName() for b in buttons} >= {"removeVerifyRoot", "refreshMounts", "addVerifyRoot", "foldersDone"}
    for widget in buttons:
        assert widget.height() >= MIN_TARGET and widget.width() >= MIN_TARGET, widget.objectName()
    for name in ("verifyRootList", "mountList"):
        listed = kiosk.find(name, QListWidget)
        assert all(listed.visualItemRect(listed.item(i)).height() >= MIN_TARGET for i in range(listed.count()))
    hint = kiosk.window.minimumSizeHint()
    assert hint.width() <= PANEL_SIZE[0] and hint.height() <= PANEL_SIZE[1], hint


# -- the parts without Qt -------------------------------------------------------------------------------------------

def test_mounted_folders_are_one_or_two_levels_down(tmp_path: Path) -> None:
    media, mnt = tmp_path / "media", tmp_path / "mnt"
    stick, usb, plain, hidden = media / "kiosk" / "STICK", mnt / "usb", mnt / "not-mounted", media / ".hidden"
    for folder in (stick, usb, plain, hidden):
        folder.mkdir(parents=True)
    (mnt / "a-file").write_text("x")
    mounts = {stick, usb, hidden}
    assert mounted_folders([media, mnt, tmp_path / "absent"], is_mount=lambda p: p in mounts) == [stick, usb]


def test_a_root_is_added_only_when_it_is_a_folder_not_listed_and_there_is_room(tmp_path: Path) -> None:
    assert with_verify_root(("/media",), str(tmp_path)) == ("/media", str(tmp_path))
    for folder, reason in ((tmp_path / "absent", "not_a_folder"), (tmp_path, "listed")):
        with pytest.raises(RootRefused, match="verify_roots: ") as refused:
            with_verify_root(("/media", str(tmp_path)), str(folder))
        assert refused.value.reason == reason
    (tmp_path / "file").write_text("x")
    with pytest.raises(RootRefused, match=r"expected a folder at .*, found a file"):
        with_verify_root(("/media",), str(tmp_path / "file"))
    full = tuple(f"/r{i}" for i in range(MAX_VERIFY_ROOTS))
    with pytest.raises(RootRefused, match=f"at most {MAX_VERIFY_ROOTS} folders") as refused:
        with_verify_root(full, str(tmp_path))
    assert refused.value.reason == "too_many"


def test_a_root_is_removed_unless_it_is_the_last() -> None:
    assert without_verify_root(("/a", "/b"), "/a") == ("/b",)
    with pytest.raises(RootRefused, match="at least one folder") as refused:
        without_verify_root(("/a",), "/a")
    assert refused.value.reason == "last"


def test_every_panel_text_has_japanese_and_english() -> None:
    for message_id, (ja, en) in PANEL_TEXTS.items():
        assert ja and en and ja != en, message_id
        assert panel_text("ja", message_id, folder="/mnt/usb", count=16) != panel_text("en", message_id,
                                                                                    folder="/mnt/usb", count=16)
