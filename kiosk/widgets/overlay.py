"""A panel drawn over the kiosk window: the keyboard, the date picker, the idle warning.

Overlays are children of the window, not top-level dialogs: a full-screen kiosk (eglfs, or X without a window
manager) has nobody to place, focus or raise a second window. The window calls ``place()`` when it is resized.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QFrame, QWidget

from kiosk.core.language import Language
from kiosk.widgets.translatable import Translatable


class Overlay(Translatable, QFrame):
    """Hidden until ``open()``; ``geometry_in(rect)`` says where it goes in the window (all of it by default)."""

    def __init__(self, window: QWidget, object_name: str, lang: Language) -> None:
        super().__init__(window)
        self.setObjectName(object_name)
        self._lang: Language = lang
        self.hide()

    def geometry_in(self, rect: QRect) -> QRect:
        return rect

    def open(self) -> None:
        self.place()
        self.show()
        self.raise_()

    def close_overlay(self) -> None:
        self.hide()

    def place(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(self.geometry_in(parent.rect()))
