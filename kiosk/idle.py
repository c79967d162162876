"""Idle timeout: after ``timeout_s`` without a touch or key press, emit ``timedOut`` once.

The watcher filters the application's input events (it never consumes them) and compares an injectable
``clock`` against the time of the last input, checked by a poll timer. Tests pass a fake clock, advance it and
call ``check()``; production uses ``time.monotonic``. While ``paused`` (e.g. a print job is running and the
applicant is waiting for paper), the timeout does not run.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal, Slot

from kiosk.qt_compat import emit

ACTIVITY_EVENTS = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.Wheel, QEvent.Type.InputMethod,
})


class IdleWatcher(QObject):
    timedOut = Signal()

    def __init__(self, timeout_s: float, *, clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        if timeout_s <= 0:
            raise ValueError(f"idle timeout must be positive, got {timeout_s}")
        self.timeout_s = timeout_s
        self._clock = clock
        self._last = clock()
        self._fired = False
        self.paused = False
        self._timer = QTimer(self)
        # Poll often enough that the timeout is honoured to within a quarter of it (at most 1 s late).
        self._timer.setInterval(max(20, min(1000, int(timeout_s * 250))))
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.touch()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def touch(self) -> None:
        """Record activity now; re-arms the timeout after it fired."""
        self._last = self._clock()
        self._fired = False

    def idle_for(self) -> float:
        return self._clock() - self._last

    @Slot()
    def check(self) -> None:
        if self.paused:
            self.touch()
            return
        if not self._fired and self.idle_for() >= self.timeout_s:
            self._fired = True
            emit(self.timedOut)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY_EVENTS:
            self.touch()
        return False
