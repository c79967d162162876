"""The kiosk's building blocks, shared by the screens and the overlays: touch-sized buttons, labels whose
Japanese lines break between phrases, the back/forward button row, the form page, object names for tests."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.phrases import ZWSP, phrase_wrapped

TOUCH_MIN_PX = 56  # a touch target is at least 48 px high (WCAG 2.5.5 / Material); 56 on a 7-10" panel
BUTTON_MIN_WIDTH = 112  # wide enough to hit; the text decides the rest (a portrait panel is 800 px wide)

W = TypeVar("W", bound=QWidget)


def named(widget: W, object_name: str) -> W:
    """Give ``widget`` the objectName tests and the end-to-end test find it by."""
    widget.setObjectName(object_name)
    return widget


def breakable(text: str) -> str:
    """Let a long path or id wrap inside a label: a zero-width space after each '/', '-' and '_'."""
    for mark in "/-_":
        text = text.replace(mark, mark + ZWSP)
    return text


def breakable_id(certificate_id: str, every: int = 16) -> str:
    """A 64-digit id may wrap on a narrow panel: an invisible break opportunity every ``every`` digits."""
    return ZWSP.join(certificate_id[i:i + every] for i in range(0, len(certificate_id), every))


def touch_button(object_name: str, *, primary: bool = False, parent: QWidget | None = None) -> QPushButton:
    button = QPushButton(parent)
    button.setObjectName(object_name)
    button.setProperty("role", "primary" if primary else "secondary")
    button.setMinimumSize(BUTTON_MIN_WIDTH, TOUCH_MIN_PX)
    button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    button.setAutoDefault(False)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch panel: no focus rectangles jumping around
    return button


class PhraseLabel(QLabel):
    """A label whose Japanese lines, when it wraps, break between phrases (``kiosk.core.phrases``): every kiosk text
    shown in a wrapping label goes through here, and only there can a line break."""

    def setText(self, text: str) -> None:
        super().setText(phrase_wrapped(text) if self.wordWrap() else text)


def label(object_name: str, *, role: str = "body", wrap: bool = True,
          parent: QWidget | None = None) -> QLabel:
    widget = PhraseLabel(parent)
    widget.setObjectName(object_name)
    widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setIndent(0)
    return widget


def button_row(*buttons: QPushButton) -> QHBoxLayout:
    """Back/cancel on the left, the way forward on the right (the order used on MFP panels)."""
    row = QHBoxLayout()
    row.setSpacing(16)
    first, *rest = buttons
    row.addWidget(first)
    row.addStretch(1)
    for button in rest:
        row.addWidget(button)
    return row


def form_page(screen: QWidget, title: QLabel, prompt: QLabel, form: QFormLayout, notice: QLabel,
              back: QPushButton, ok: QPushButton) -> QVBoxLayout:
    """The layout of a form screen (log-in, staff PIN): title, prompt, fields, a notice line, then the buttons."""
    layout = QVBoxLayout(screen)
    layout.addWidget(title)
    layout.addWidget(prompt)
    layout.addSpacing(8)
    layout.addLayout(form)
    layout.addWidget(notice)
    layout.addStretch(1)
    layout.addLayout(button_row(back, ok))
    return layout
