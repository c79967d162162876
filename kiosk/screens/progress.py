"""Shown while background work runs (sign-in, loading, issuing S512–S519, printing S520)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QProgressBar, QVBoxLayout, QWidget

from kiosk.core.language import Language
from kiosk.screens.base import Screen
from kiosk.widgets.controls import button_row, label, named, touch_button


class ProgressScreen(Screen):
    name = "progress"
    cancelRequested = Signal()

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._stage = "progress.loading"
        self.title = label("title", role="title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.wait = label("wait")
        self.wait.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bar = named(QProgressBar(), "busy")
        self.bar.setRange(0, 0)  # indeterminate: the servers do not report progress
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(16)
        self.back = touch_button("back")

        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.wait)
        layout.addSpacing(24)
        layout.addWidget(self.bar)
        layout.addStretch(1)
        layout.addLayout(button_row(self.back))
        self.back.clicked.connect(self.cancelRequested)
        self.retranslate()

    def set_stage(self, message_id: str, *, cancellable: bool) -> None:
        """``cancellable`` is False while printing: a job sent to the printer cannot be called back."""
        self._stage = message_id
        self.back.setEnabled(cancellable)
        self.retranslate()

    @property
    def stage(self) -> str:
        return self._stage

    def retranslate(self) -> None:
        self.title.setText(self.t(self._stage))
        self.wait.setText(self.t("progress.wait"))
        self.back.setText(self.t("button.cancel"))
