"""Issue #10, layout part: the kiosk covers the whole panel, whatever its size, and writes Latin and Japanese
in ONE font family."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtGui import QFontInfo, QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QLabel

from kiosk.app import load_stylesheet, show_window
from kiosk.i18n import kiosk_font_family
from tests.kiosk.test_language_switch import put_every_screen_in_a_state

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs Xvfb (Debian package xvfb)")
@pytest.mark.parametrize("size", ["1280x800", "800x1280", "1024x600"])
def test_full_screen_fills_a_panel_without_window_manager(size):
    """An X server with no window manager, as on the kiosk: showFullScreen alone left a 1024x600 window in
    the corner of a 1280x800 panel."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    env["QT_QPA_PLATFORM"] = "xcb"
    done = subprocess.run(["xvfb-run", "-a", "-s", f"-screen 0 {size}x24", sys.executable, "-m",
                           "tests.helpers.panel_probe"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    width, height = (int(n) for n in size.split("x"))
    assert shown["screen"] == [0, 0, width, height]
    assert shown["window"] == shown["screen"], done.stdout


def test_full_screen_window_takes_the_screen_geometry(window, config, qtbot):
    show_window(window, replace(config, fullscreen=True))
    QGuiApplication.restoreOverrideCursor()
    screen = window.screen()
    qtbot.waitUntil(lambda: window.geometry() == screen.geometry())
    assert window.isFullScreen()


def test_one_font_family_for_latin_and_japanese(window, fake):
    """Every label and button, in English and Japanese, resolves to the same installed family (no DejaVu for
    Latin beside Noto for Japanese; the style sheet names no other family)."""
    family = kiosk_font_family()
    if family is None:
        pytest.skip("no Japanese font installed (Debian fonts-noto-cjk)")
    assert "font-family" not in load_stylesheet()
    put_every_screen_in_a_state(window, fake)
    for lang in ("en", "ja"):
        window.set_language(lang)
        found = {}
        for name in window.screen_names():
            window.show_screen(name)
            for widget in window.findChildren(QLabel) + window.findChildren(QAbstractButton):
                if not widget.isVisible() or not widget.text():
                    continue
                widget.ensurePolished()
                found.setdefault(QFontInfo(widget.font()).family(), []).append((name, widget.objectName(),
                                                                                 widget.text()[:20]))
        assert set(found) == {family}, {k: v[:3] for k, v in found.items()}
