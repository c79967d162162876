"""A notice left for the person who just left ("signed out because the kiosk was not used", "settings saved")
must not greet the next one: ``TransientNotice`` clears it on the next touch or key, or after ``NOTICE_S``."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

NOTICE_S = 20.0
TOUCH_EVENTS = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress})


class TransientNotice(QObject):
    def __init__(self, parent: QObject | None = None, *, seconds: float = NOTICE_S) -> None:
        super().__init__(parent)
        self._clear: Callable[[], None] | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(int(seconds * 1000))
        self.timer.timeout.connect(self.expire)

    @property
    def pending(self) -> bool:
        return self._clear is not None

    def show(self, clear: Callable[[], None]) -> None:
        """``clear`` removes the notice; it runs once, on the next touch or key or when the time is up."""
        self.cancel()
        self._clear = clear
        self.timer.start()
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def cancel(self) -> None:
        """Forget the notice without clearing it (another screen replaced it)."""
        self._clear = None
        self.timer.stop()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def expire(self) -> None:
        clear = self._clear
        self.cancel()
        if clear is not None:
            clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._clear is not None and event.type() in TOUCH_EVENTS:
            self.expire()
        return False
