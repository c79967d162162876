"""The warning before the idle logout: "Are you still there? Signed out in 20 s". Any touch continues.

The countdown comes from ``IdleWatcher.warned(seconds_left)``; a touch anywhere (the watcher filters every
input event of the application) ends the warning through ``IdleWatcher.resumed``. The panel covers the whole
window, so the touch that continues does not also press a button underneath.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from kiosk.core.language import Language
from kiosk.widgets.controls import label, touch_button
from kiosk.widgets.overlay import Overlay


class IdleWarning(Overlay):
    def __init__(self, window: QWidget, lang: Language) -> None:
        super().__init__(window, "idleWarning", lang)
        self._seconds = 0
        panel = QFrame(self)
        panel.setObjectName("overlayPanel")
        panel.setMinimumWidth(640)
        panel.setMaximumWidth(760)
        self.title = label("idleTitle", role="title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = label("idleMessage", role="summary")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = label("idleCountdown", role="countdown", wrap=False)
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.carry_on = touch_button("idleContinue", primary=True)
        self.carry_on.setMinimumWidth(280)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(32, 24, 32, 24)
        inner.setSpacing(12)
        inner.addWidget(self.title)
        inner.addWidget(self.countdown)
        inner.addWidget(self.message)
        inner.addSpacing(8)
        inner.addWidget(self.carry_on, 0, Qt.AlignmentFlag.AlignHCenter)
        outer = QVBoxLayout(self)
        outer.addWidget(panel, 0, Qt.AlignmentFlag.AlignCenter)
        self.carry_on.clicked.connect(self.close_overlay)  # the watcher has already seen the touch
        self.retranslate()

    def show_countdown(self, seconds: int) -> None:
        self._seconds = seconds
        self.retranslate()
        if not self.isVisible():
            self.open()

    @property
    def seconds(self) -> int:
        return self._seconds

    def retranslate(self) -> None:
        self.title.setText(self.t("idle.title"))
        self.countdown.setText(str(self._seconds))
        self.message.setText(self.t("idle.message", seconds=self._seconds))
        self.carry_on.setText(self.t("idle.continue"))
