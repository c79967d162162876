"""Idle timeout: warn ``warning_s`` before the end, then, ``timeout_s`` after the last touch, emit ``timedOut``.

While warning, ``warned(seconds_left)`` is emitted when the count changes; a touch ends the warning with
``resumed``. The watcher filters the application's input events (it never consumes them) and compares an injectable
``clock`` against the time of the last input, checked by a poll timer. Tests pass a fake clock, advance it and
call ``check()``; production uses ``time.monotonic``. While ``paused`` (e.g. a print job is running and the
applicant is waiting for paper), the timeout does not run.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal, Slot

from kiosk.qt_compat import emit

ACTIVITY_EVENTS = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.KeyPress,
    QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.Wheel, QEvent.Type.InputMethod,
})


DEFAULT_WARNING_S = 20.0


class IdleWatcher(QObject):
    warned = Signal(int)  # seconds left before the logout; emitted as the count goes down
    resumed = Signal()  # a touch during the warning
    timedOut = Signal()

    def __init__(self, timeout_s: float, *, warning_s: float = DEFAULT_WARNING_S,
                 clock: Callable[[], float] = time.monotonic, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._last = clock()
        self._fired = False
        self._warning_left: int | None = None
        self.paused = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._warning_default = warning_s
        self.set_timeout(timeout_s)

    def set_timeout(self, timeout_s: float) -> None:
        """Change the timeout (staff settings); the warning takes at most half of it."""
        if timeout_s <= 0:
            raise ValueError(f"idle timeout must be positive, got {timeout_s}")
        self.timeout_s = timeout_s
        self.warning_s = min(self._warning_default, timeout_s / 2)
        # Poll four times a second (a visible countdown), more often only for very short test timeouts.
        self._timer.setInterval(max(20, min(250, int(timeout_s * 250))))

    @property
    def warning(self) -> bool:
        return self._warning_left is not None

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
        """Record activity now; ends a warning and re-arms the timeout after it fired."""
        self._last = self._clock()
        self._fired = False
        if self._warning_left is not None:
            self._warning_left = None
            emit(self.resumed)

    def idle_for(self) -> float:
        return self._clock() - self._last

    @Slot()
    def check(self) -> None:
        if self.paused:
            self.touch()
            return
        if self._fired:
            return
        left = self.timeout_s - self.idle_for()
        if left <= 0:
            self._fired = True
            self._warning_left = None
            emit(self.timedOut)
        elif left <= self.warning_s:
            seconds = math.ceil(left)
            if seconds != self._warning_left:
                self._warning_left = seconds
                emit(self.warned, seconds)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY_EVENTS:
            self.touch()
        return False
