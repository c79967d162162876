"""KioskConfig validation, build_window wiring, full-screen option."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kiosk import KioskConfig, build_window
from kiosk.app import load_stylesheet, show_window
from ledger.node import GC_YOUNG_OBJECTS

ROOT = Path(__file__).resolve().parents[2]


def test_config_defaults():
    config = KioskConfig("http://127.0.0.1:8000")
    assert (config.language, config.idle_timeout_s, config.fullscreen) == ("ja", 120.0, False)
    assert config.printer is None
    assert isinstance(config.save_dir, Path)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"intermediary_url": "ftp://x"}, "http"),
    ({"language": "fr"}, "language"),
    ({"idle_timeout_s": 0}, "positive"),
    ({"printer": ""}, "printer"),
])
def test_config_is_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        KioskConfig(**{"intermediary_url": "http://x", **kwargs})


def test_importing_the_config_does_not_import_qt():
    code = "import sys, kiosk; kiosk.KioskConfig('http://x'); print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_build_window_starts_on_login_with_the_style(window):
    assert window.current_screen_name() == "login"
    assert window.size().width() == 1024 and window.size().height() == 600
    assert window.styleSheet() == load_stylesheet()
    assert window.flow is not None


def test_fullscreen_has_no_decorations(qtbot, fake, deliver, config):
    from dataclasses import replace

    from PySide6.QtWidgets import QApplication

    config = replace(config, fullscreen=True)
    window = build_window(fake, config, deliver)
    qtbot.addWidget(window)
    show_window(window, config)
    try:
        assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
        assert window.isFullScreen()
    finally:
        QApplication.restoreOverrideCursor()
        window.close()


def test_missing_style_sheet_is_not_fatal(tmp_path, caplog):
    assert load_stylesheet(tmp_path / "none.qss") == ""
    assert "not found" in caplog.text


def test_greencert_demo_shows_the_kiosk_in_japanese_time(monkeypatch, tmp_path, capsys):
    """The demo is a Japanese site: its kiosk shows periods in JST whatever the machine's time zone."""
    import greencert.demo
    import kiosk.app
    from greencert import cli

    class StubDemo:
        url, node_url = "http://127.0.0.1:1", "http://127.0.0.1:2"
        node_urls = (node_url,)

        def stop(self):
            pass

    shown = []
    monkeypatch.setattr(greencert.demo, "start_demo", lambda *args, **kwargs: StubDemo())
    monkeypatch.setattr(kiosk.app, "run_kiosk", lambda config: shown.append(config) or 0)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert cli.main(["demo", "--data-dir", str(tmp_path)]) == 0
    assert gc.get_freeze_count() > 0  # what start-up left is out of the collector's full passes
    assert gc.get_threshold()[0] == GC_YOUNG_OBJECTS  # and its youngest objects are collected less often
    (config,) = shown
    assert config.timezone == "Asia/Tokyo"
    assert config.intermediary_url == "http://127.0.0.1:1"
