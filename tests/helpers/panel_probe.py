"""Run the kiosk full screen on whatever display Qt is given and print what it became, as one JSON line:
the screen's and the window's geometry.

``tests/kiosk/test_layout_panel.py`` runs it under Xvfb with no window manager (a kiosk's X server), where
``showFullScreen`` alone is not honoured::

    xvfb-run -a -s "-screen 0 1280x800x24" python -m tests.helpers.panel_probe
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path


def main() -> int:
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    from kiosk import KioskConfig, build_window
    from kiosk.app import show_window
    from tests.helpers.fake_intermediary import FAKE_NOW, FakeDeliver, FakeIntermediary, FakePrinters, make_items

    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    with tempfile.TemporaryDirectory() as tmp:
        config = KioskConfig("http://fake-intermediary", printer="kiosk-printer", save_dir=Path(tmp) / "saved",
                             config_dir=Path(tmp) / "config", fullscreen=True)
        window = build_window(FakeIntermediary(make_items(3)), config, FakeDeliver(), now=lambda: FAKE_NOW,
                              list_printers=FakePrinters())
        show_window(window, config)
        for _ in range(50):
            app.processEvents()

        def rect(r: QRect) -> list[int]:
            return [r.x(), r.y(), r.width(), r.height()]

        screen = window.screen()
        print(json.dumps({"screen": rect(screen.geometry()), "window": rect(window.geometry())}))
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
