"""Entry points: ``KioskConfig``, ``build_window`` (tests, screenshots) and ``run_kiosk`` (the real kiosk).

Qt and the printing package are imported inside the functions, so importing this module (e.g. for the
``greencert`` command line) does not need a display or CUPS.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import KioskConfig
from kiosk.ports import Deliver, DeliveryLike, IntermediaryPort

if TYPE_CHECKING:
    from kiosk.main_window import MainWindow

__all__ = ["KioskConfig", "build_window", "load_stylesheet", "printing_deliver", "run_kiosk", "show_window"]

log = logging.getLogger(__name__)

STYLESHEET = Path(__file__).resolve().parent.parent / "resources" / "kiosk.qss"
ASSETS = Path(__file__).resolve().parent / "assets"
FONT_FAMILIES = ["Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "Noto Sans"]
BASE_FONT_PX = 20


def printing_deliver(pdf: bytes, filename: str, *, save_dir: Path, printer: str | None,
                     server: str | None = None) -> DeliveryLike:
    """The real output (print processing unit 75): ``printing.deliver``, imported when first used."""
    from printing import deliver

    result: DeliveryLike = deliver(pdf, filename, save_dir=save_dir, printer=printer, server=server)
    return result


def load_stylesheet(path: Path = STYLESHEET) -> str:
    try:
        return path.read_text(encoding="utf-8").replace("@ASSETS@", ASSETS.as_posix())
    except OSError as exc:
        log.warning("kiosk style sheet %s not found (%s); using Qt's default look", path, exc)
        return ""


def build_window(client: IntermediaryPort, config: KioskConfig, deliver: Deliver | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> MainWindow:
    """Build the kiosk window on the login screen, wired to ``client`` and ``deliver``.

    A QApplication must exist.

    ``clock`` drives the idle timeout (tests pass a fake one and call ``window.flow.idle.check()``).
    The window is not shown: call ``show_window`` (or ``window.show()``).
    """
    from PySide6.QtGui import QFont

    from kiosk.flow import KioskFlow
    from kiosk.idle import IdleWatcher
    from kiosk.main_window import MainWindow
    from kiosk.worker import Worker

    window = MainWindow(config.language, timezone=config.timezone)
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPixelSize(BASE_FONT_PX)
    window.setFont(font)
    window.setStyleSheet(load_stylesheet())
    worker = Worker(window)
    idle = IdleWatcher(config.idle_timeout_s, clock=clock, parent=window)
    window.flow = KioskFlow(window, client, config, deliver or printing_deliver, worker=worker, idle=idle)
    window.flow.start()
    return window


def show_window(window: MainWindow, config: KioskConfig) -> None:
    """Full screen without decorations on the panel; a normal 1024x600 window for development."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    if config.fullscreen:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        QApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)  # a touch panel has no pointer
        window.showFullScreen()
    else:
        window.show()


def run_kiosk(config: KioskConfig, argv: Sequence[str] | None = None) -> int:
    """Run the kiosk until its window is closed; returns the Qt exit code."""
    from PySide6.QtWidgets import QApplication

    from backend_client import IntermediaryClient

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("GreenCert Kiosk")
    app.setStyle("Fusion")  # the same look on every platform; the style sheet does the rest
    client = IntermediaryClient(config.intermediary_url)
    try:
        window = build_window(client, config)
        show_window(window, config)
        return app.exec()
    finally:
        client.close()
