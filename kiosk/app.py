"""Entry points: ``KioskConfig``, ``build_window`` (tests, screenshots), ``connect_backend`` (the port of the
effective settings: the intermediary's API or the direct mode) and ``run_kiosk`` (the real kiosk).

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

from kiosk.core.config import KioskConfig
from kiosk.core.ports import Deliver, DeliveryLike, IntermediaryPort
from kiosk.core.settings import KioskSettings, SettingsStore
from kiosk.printers import ListPrinters

if TYPE_CHECKING:
    from kiosk.core.auditor import Auditor
    from kiosk.main_window import MainWindow

__all__ = ["KioskConfig", "build_window", "connect_backend", "load_stylesheet", "printing_deliver", "run_kiosk",
           "show_window"]

log = logging.getLogger(__name__)

STYLESHEET = Path(__file__).resolve().parent.parent / "resources" / "kiosk.qss"
ASSETS = Path(__file__).resolve().parent / "assets"


def printing_deliver(pdf: bytes, filename: str, *, save_dir: Path, printer: str | None,
                     server: str | None = None, media: str = "A4") -> DeliveryLike:
    """The real output (print processing unit 75): ``printing.deliver``, imported when first used."""
    from printing import deliver

    result: DeliveryLike = deliver(pdf, filename, save_dir=save_dir, printer=printer, server=server, media=media)
    return result


def connect_backend(settings: KioskSettings, config: KioskConfig) -> IntermediaryPort:
    """What the flows talk to: the intermediary at ``settings.intermediary_url``, or in direct mode
    (modification 2) the ledger node at ``settings.node_url`` with the applicant DB and pinned validators in
    ``config``'s config dir."""
    if settings.backend == "direct":
        from kiosk.direct.backend import DirectBackend

        if settings.node_url is None:
            raise ValueError("the direct mode needs a ledger node URL")
        return DirectBackend(settings.node_url, config.applicants_path, config.trust_path)
    from backend_client import IntermediaryClient

    return IntermediaryClient(settings.intermediary_url)


def load_stylesheet(path: Path = STYLESHEET) -> str:
    try:
        return path.read_text(encoding="utf-8").replace("@ASSETS@", ASSETS.as_posix())
    except OSError as exc:
        log.warning("kiosk style sheet %s not found (%s); using Qt's default look", path, exc)
        return ""


def build_window(client: IntermediaryPort, config: KioskConfig, deliver: Deliver | None = None, *,
                 clock: Callable[[], float] = time.monotonic, now: Callable[[], float] = time.time,
                 store: SettingsStore | None = None,
                 connect: Callable[[KioskSettings], IntermediaryPort] | None = None,
                 list_printers: ListPrinters | None = None, auditor: Callable[[], Auditor] | None = None,
                 camera: bool | None = None) -> MainWindow:
    """Build the kiosk window on its idle screen (sign-in, or the request form in manual mode).

    A QApplication must exist. ``client`` is the port of the effective settings (``connect_backend``);
    ``connect(settings)`` makes a new one when an operator changes the connection or its URLs. ``store`` holds
    the operator's settings (default: ``SettingsStore.open(config)``, the file ``config.settings_path``).
    ``list_printers`` lists the CUPS queues for the settings screen (default: ``printing.list_printers``).
    ``auditor`` makes the auditor's check (default: through ``client``, with the trust list kept in the config
    dir); ``camera``: whether to offer the camera in the auditor's mode (default: whether one is attached, asked
    each time the auditor's mode opens — not at start-up, where loading QtMultimedia would add ~0.2 s).

    ``clock`` drives the idle timeout and the PIN lock-out (tests pass a fake one and call
    ``window.flow.idle.check()``); ``now`` (Unix time) gives today's date for the default request period and
    the clock time a locked applicant ID can be used again.
    The window is not shown: call ``show_window`` (or ``window.show()``).
    """
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from PySide6.QtWidgets import QApplication

    from kiosk.camera import camera_available
    from kiosk.flow import KioskFlow
    from kiosk.i18n import kiosk_font
    from kiosk.idle import IdleWatcher
    from kiosk.main_window import MainWindow
    from kiosk.worker import Worker

    store = store or SettingsStore.open(config, clock=clock)
    if store.problem:
        log.error("kiosk settings: %s; using the start-up settings", store.problem)
    settings = store.settings
    today = datetime.fromtimestamp(now(), ZoneInfo(config.timezone) if config.timezone else None).date()
    window = MainWindow(settings.language, timezone=config.timezone, today=today,
                        keyboard=config.on_screen_keyboard)
    # The application's font, not only the window's: pop-ups (a combo box's list) are windows of their own.
    QApplication.setFont(kiosk_font())
    window.setFont(kiosk_font())
    window.setStyleSheet(load_stylesheet())
    worker = Worker(window)
    idle = IdleWatcher(settings.idle_timeout_s, clock=clock, parent=window)
    flow = KioskFlow(window, client, config, deliver or printing_deliver, worker=worker, idle=idle, store=store,
                     connect=connect, list_printers=list_printers, now=now, auditor=auditor,
                     camera=bool(camera))
    if camera is None:
        flow.verifier.find_camera = camera_available
    window.flow = flow
    flow.start()
    return window


def show_window(window: MainWindow, config: KioskConfig) -> None:
    """Full screen without decorations on the panel, whatever its size; a normal 1024x600 window for
    development."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    if config.fullscreen:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        QApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)  # a touch panel has no pointer
        window.fill_screen()
    else:
        window.show()


def run_kiosk(config: KioskConfig, argv: Sequence[str] | None = None) -> int:
    """Run the kiosk until its window is closed; returns the Qt exit code."""
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("GreenCert Kiosk")
    app.setStyle("Fusion")  # the same look on every platform; the style sheet does the rest
    store = SettingsStore.open(config)
    window = build_window(connect_backend(store.settings, config), config, store=store,
                          connect=lambda settings: connect_backend(settings, config))
    try:
        show_window(window, config)
        return app.exec()
    finally:
        flow = window.flow
        if flow is not None:
            close = getattr(getattr(flow, "client", None), "close", None)
            if callable(close):
                close()
