"""The certificate files an auditor picks from a USB stick (issue #13): PDF, PNG, JPEG under the configured roots,
newest first, in touch-sized rows; nothing else, nothing hidden, no hang on odd trees."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt

from kiosk.core.usb_files import DEFAULT_ROOTS, find_documents
from kiosk.screens.verify_files import VerifyFilesScreen


def touch(path, mtime):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * 10)
    os.utime(path, (mtime, mtime))
    return path


def test_documents_are_listed_newest_first_and_only_certificate_kinds(tmp_path):
    stick = tmp_path / "media" / "kiosk" / "STICK"
    old = touch(stick / "2025" / "old.pdf", 1_700_000_000)
    new = touch(stick / "photo.JPG", 1_800_000_000)
    mid = touch(stick / "scan.png", 1_750_000_000)
    touch(stick / "notes.txt", 1_900_000_000)
    touch(stick / ".Trash-1000" / "deleted.pdf", 1_900_000_000)
    (stick / "empty.pdf").write_bytes(b"")
    (stick / "loop").symlink_to(stick)
    found = find_documents([str(tmp_path / "media"), str(tmp_path / "not-mounted")])
    assert [d.path for d in found] == [new, mid, old]
    assert found[2].folder == "kiosk/STICK/2025" and found[0].folder == "kiosk/STICK"


def test_the_default_roots_are_usb_mounts_and_downloads():
    assert DEFAULT_ROOTS == ("/media", "/run/media", "~/Downloads")


def test_the_list_is_limited(tmp_path):
    for n in range(30):
        touch(tmp_path / f"c{n:02}.pdf", 1_700_000_000 + n)
    found = find_documents([tmp_path], limit=5)
    assert [d.path.name for d in found] == ["c29.pdf", "c28.pdf", "c27.pdf", "c26.pdf", "c25.pdf"]


def test_rows_are_big_enough_to_touch_and_say_when_and_where(qtbot, tmp_path):
    screen = VerifyFilesScreen("en")
    qtbot.addWidget(screen)
    screen.resize(1024, 520)
    screen.show()
    touch(tmp_path / "a.pdf", 1_800_000_000)
    screen.set_documents(find_documents([tmp_path]))
    item = screen.files.item(0)
    assert screen.files.visualItemRect(item).height() >= 48
    assert item.text().splitlines()[0] == "a.pdf" and "(top folder)" in item.text()
    assert not screen.empty.isVisible()
    with qtbot.waitSignal(screen.fileChosen) as chosen:
        qtbot.mouseClick(screen.files.viewport(), Qt.MouseButton.LeftButton,
                         pos=screen.files.visualItemRect(item).center())
    assert chosen.args == [str(tmp_path / "a.pdf")]
    screen.set_language("ja")
    assert "（最上位フォルダー）" in screen.files.item(0).text()
    screen.set_documents([])
    assert screen.empty.isVisible() and screen.files.count() == 0
