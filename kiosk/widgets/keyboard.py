"""Our own on-screen keyboard (PySide6-Essentials has no Qt Virtual Keyboard): the panel has no keys.

Touching a text field of the window (each one has the keyboard as its event filter) opens the keyboard along
the bottom edge; the field keeps the focus (no key takes it) and every key is sent to it as a real key event,
so ``returnPressed``, validators, ``maxLength`` and the idle watcher all behave as with a hardware keyboard.
Pages: letters (one-shot shift), digits and symbols, and a number pad for fields with ``Qt.ImhDigitsOnly``
(the staff PIN). Romaji only: applicant IDs and passwords are ASCII. "Enter" sends Return (next field, or OK);
"Done" closes the keyboard.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.language import Language
from kiosk.widgets.overlay import Overlay

KEY_HEIGHT = 52  # ≥ 48 px touch targets; four rows leave the top 350 px of a 600 px panel free
KEY_SPACING = 6
MARGIN = 8
BORDER = 2  # the style sheet's top border
HEIGHT = 4 * KEY_HEIGHT + 3 * KEY_SPACING + 2 * MARGIN + BORDER
PAD_KEY_WIDTH = 120

LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
SYMBOL_ROWS = ("1234567890", "-_.@#$%&*+", "!?/:;()='")
OPEN_EVENTS = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin})


def key_label(char: str) -> str:
    """A key's text: "&" doubled, or Qt takes it as the mark of a shortcut and draws a blank key."""
    return char.replace("&", "&&")


def key_char(key: QPushButton) -> str:
    """What a character key types: its text without the doubling of ``key_label``."""
    return key.text().replace("&&", "&")


class OnScreenKeyboard(Overlay):
    def __init__(self, window: QWidget, lang: Language) -> None:
        super().__init__(window, "keyboard", lang)
        self.target: QLineEdit | None = None
        self._shift = False
        self._letter_keys: list[QPushButton] = []
        self.pages = QStackedWidget(self)
        self.letters = self._text_page(LETTER_ROWS, shift=True)
        self.symbols = self._text_page(SYMBOL_ROWS, shift=False)
        self.digits = self._digit_page()
        for page in (self.letters, self.symbols, self.digits):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        layout.addWidget(self.pages)
        for field in window.findChildren(QLineEdit):
            self.attach(field)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        self.retranslate()

    def attach(self, field: QLineEdit) -> None:
        """Open for ``field`` when it is touched (the window attaches all of its text fields at start)."""
        field.installEventFilter(self)

    # -- building ---------------------------------------------------------------------------------
    def _key(self, object_name: str, on_click: Callable[[], None], *, role: str = "char",
             stretch: int = 1, row: QHBoxLayout | None = None) -> QPushButton:
        key = QPushButton()
        key.setObjectName(object_name)
        key.setProperty("role", role)
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the text field keeps the focus
        key.setAutoDefault(False)
        key.setFixedHeight(KEY_HEIGHT)
        key.setMinimumWidth(KEY_HEIGHT)
        key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        key.clicked.connect(on_click)
        if row is not None:
            row.addWidget(key, stretch)
        return key

    def _char_key(self, char: str, row: QHBoxLayout) -> QPushButton:
        key = self._key(f"key-{char}", lambda: self.type_char(key_char(key)), row=row)
        key.setText(key_label(char))
        return key

    def _pad_key(self, char: str) -> QPushButton:
        key = self._key(f"pad-{char}", lambda: self.type_char(key.text()))
        key.setText(char)
        return key

    def _text_page(self, rows: tuple[str, ...], *, shift: bool) -> QWidget:
        page = QWidget()
        grid = QVBoxLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(KEY_SPACING)
        lines = []
        for index, chars in enumerate(rows):
            line = QHBoxLayout()
            line.setSpacing(KEY_SPACING)
            if index == 2:
                if shift:
                    self.shift_key = self._key("keyShift", self.toggle_shift, role="function", stretch=3, row=line)
                else:
                    line.addStretch(1)
            elif len(chars) < len(rows[0]):
                line.addStretch(1)  # a half key's indent, as on a real keyboard
            keys = [self._char_key(c, line) for c in chars]
            if shift:
                self._letter_keys.extend(keys)
            if index == 2:
                back = self._key("keyBackspace", self.backspace, role="function", stretch=3, row=line)
                back.setAutoRepeat(True)  # hold to delete more
            elif len(chars) < len(rows[0]):
                line.addStretch(1)
            lines.append(line)
        bottom = QHBoxLayout()
        bottom.setSpacing(KEY_SPACING)
        if shift:
            self._key("keySymbols", lambda: self.show_page(self.symbols), role="function", stretch=3, row=bottom)
            extras = "@_"
        else:
            self._key("keyLetters", lambda: self.show_page(self.letters), role="function", stretch=3, row=bottom)
            extras = ",\""
        for char in extras:
            self._char_key(char, bottom)
        self._key("keySpace", lambda: self.type_char(" "), role="function", stretch=6, row=bottom)
        for char in "-." if shift else "[]":
            self._char_key(char, bottom)
        self._key("keyEnter", self.enter, role="enter", stretch=3, row=bottom)
        self._key("keyDone", self.done, role="function", stretch=3, row=bottom)
        for line in [*lines, bottom]:
            grid.addLayout(line)
        return page

    def _digit_page(self) -> QWidget:
        page = QWidget()
        outer = QHBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        pad = QGridLayout()
        pad.setSpacing(KEY_SPACING)
        for n, char in enumerate("1234567890"):
            pad.addWidget(self._pad_key(char), *((n // 3, n % 3) if char != "0" else (3, 1)))
        back = self._key("padBackspace", self.backspace, role="function")
        back.setAutoRepeat(True)
        pad.addWidget(back, 0, 3)
        pad.addWidget(self._key("padEnter", self.enter, role="enter"), 1, 3)
        pad.addWidget(self._key("padDone", self.done, role="function"), 2, 3)
        for column in range(4):
            pad.setColumnMinimumWidth(column, PAD_KEY_WIDTH)
        outer.addStretch(1)
        outer.addLayout(pad)
        outer.addStretch(1)
        return page

    # -- showing ----------------------------------------------------------------------------------
    def geometry_in(self, rect: QRect) -> QRect:
        return QRect(rect.left(), rect.bottom() + 1 - HEIGHT, rect.width(), HEIGHT)

    def show_for(self, field: QLineEdit) -> None:
        """Open for ``field`` (the number pad for digits-only fields) and give it the focus."""
        self.target = field
        digits = bool(field.inputMethodHints() & Qt.InputMethodHint.ImhDigitsOnly)
        self.show_page(self.digits if digits else self.letters)
        self._set_shift(False)
        if not field.hasFocus():
            field.setFocus(Qt.FocusReason.MouseFocusReason)
        self.open()

    def hide_keyboard(self) -> None:
        self.target = None
        self.close_overlay()

    def show_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)

    def current_page(self) -> str:
        page = self.pages.currentWidget()
        return "digits" if page is self.digits else "symbols" if page is self.symbols else "letters"

    def retranslate(self) -> None:
        for name, message_id in (("keySpace", "keyboard.space"), ("keyEnter", "keyboard.enter"),
                                 ("keyDone", "keyboard.done"), ("keySymbols", "keyboard.symbols"),
                                 ("keyLetters", "keyboard.letters"), ("keyShift", "keyboard.shift"),
                                 ("keyBackspace", "keyboard.backspace"), ("padBackspace", "keyboard.backspace"),
                                 ("padEnter", "keyboard.enter"), ("padDone", "keyboard.done")):
            for key in self.findChildren(QPushButton, name):
                key.setText(self.t(message_id))

    # -- typing -----------------------------------------------------------------------------------
    def type_char(self, char: str) -> None:
        self._send(Qt.Key.Key_unknown, char)
        if self._shift:
            self._set_shift(False)  # one-shot, as on a phone

    def backspace(self) -> None:
        self._send(Qt.Key.Key_Backspace)

    def enter(self) -> None:
        self._send(Qt.Key.Key_Return, "\r")

    def done(self) -> None:
        target = self.target
        self.hide_keyboard()
        if target is not None:
            target.clearFocus()

    def toggle_shift(self) -> None:
        self._set_shift(not self._shift)

    def _set_shift(self, on: bool) -> None:
        self._shift = on
        for key in self._letter_keys:
            key.setText(key.text().upper() if on else key.text().lower())
        self.shift_key.setProperty("active", on)
        self.shift_key.style().unpolish(self.shift_key)
        self.shift_key.style().polish(self.shift_key)

    def _send(self, key: Qt.Key, text: str = "") -> None:
        target = self.target
        if target is None or not target.isVisible():
            return
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text))

    # -- following the fields ---------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in OPEN_EVENTS and isinstance(watched, QLineEdit) and not watched.isReadOnly():
            self.show_for(watched)
        return False

    def _ours(self, widget: QWidget) -> bool:
        window = self.parentWidget()
        return window is not None and window.isAncestorOf(widget)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not self.isVisible():
            return
        if isinstance(new, QLineEdit) and self._ours(new):
            if new is not self.target:  # "Enter" moved on to the next field
                self.show_for(new)
        else:
            self.hide_keyboard()
