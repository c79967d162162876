"""A USB barcode scanner in keyboard-wedge mode types what it read as fast keystrokes and ends with Enter; this
collects them on a screen that has no text field (so the on-screen keyboard stays closed).

A screen gives its key presses to ``WedgeInput.key_pressed``; ``scanned(text)`` is emitted on Enter. A pause
longer than ``gap_s`` between two keys starts a new scan (a stray key press is not glued to the next scan), and
a scan longer than ``max_chars`` is reported as ``overflowed`` instead of growing without end.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent

from kiosk.qt_compat import emit

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
GAP_S = 0.5  # scanners type a character every few milliseconds; a person at a hardware keyboard is slower


class WedgeInput(QObject):
    scanned = Signal(str)
    overflowed = Signal()

    def __init__(self, *, max_chars: int, gap_s: float = GAP_S, clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.max_chars = max_chars
        self.gap_s = gap_s
        self._clock = clock
        self._chars: list[str] = []
        self._last = 0.0
        self._overflow = False

    def clear(self) -> None:
        self._chars.clear()
        self._overflow = False

    @property
    def pending(self) -> str:
        return "".join(self._chars)

    def key_pressed(self, event: QKeyEvent) -> bool:
        """Take ``event``; True when it was a scanner's key (the screen then accepts it)."""
        now = self._clock()
        if now - self._last > self.gap_s:
            self.clear()
        self._last = now
        if event.key() in ENTER_KEYS:
            text, overflow = self.pending, self._overflow
            self.clear()
            if overflow:
                emit(self.overflowed)
            elif text.strip():
                emit(self.scanned, text)
            return True
        text = event.text()
        if not text or not text.isprintable():
            return False
        if len(self._chars) + len(text) > self.max_chars:
            self._overflow = True
            self._chars.clear()
        elif not self._overflow:
            self._chars.append(text)
        return True
