"""The staff PIN that guards the settings (issue 5): a digits-only field with the number pad, OK and back.

Back and OK sit beside the field, not at the foot of the screen, where the number pad that opens for the
field would cover them (issue #10). While the PIN is still the default one (``SettingsStore.uses_default_pin``),
the right PIN leads to ``change`` mode first: a new PIN, entered twice, before the settings open.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.core.language import Language
from kiosk.qt_compat import emit
from kiosk.screens.base import Screen
from kiosk.widgets.controls import TOUCH_MIN_PX, label, named, touch_button


def pin_field(object_name: str) -> QLineEdit:
    """Hidden digits, 8 at most; the on-screen keyboard shows its number pad for it."""
    field = named(QLineEdit(), object_name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData)
    field.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,8}"), field))
    field.setMaxLength(8)
    field.setMinimumHeight(TOUCH_MIN_PX)
    return field


class PinScreen(Screen):
    name = "pin"
    submitted = Signal(str)
    newPinChosen = Signal(str, str)  # change mode: the new PIN and its repetition
    backRequested = Signal()

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._notice: tuple[str, dict[str, object]] | None = None
        self._changing = False
        self.title = label("title", role="title")
        self.prompt = label("prompt")
        self.pin_label = label("pinLabel", wrap=False)
        self.pin = pin_field("pin")
        self.pin.setFixedWidth(280)
        self.repeat_label = label("repeatPinLabel", wrap=False)
        self.repeat = pin_field("repeatPin")
        self.repeat.setFixedWidth(280)
        self.notice = label("notice", role="notice")
        self.back = touch_button("back")
        self.ok = touch_button("pinOk", primary=True)
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.pin_label, self.pin)
        form.addRow(self.repeat_label, self.repeat)
        fields = QHBoxLayout()  # Back and OK beside the last field: never where the number pad opens
        fields.setSpacing(16)
        fields.addLayout(form)
        fields.addStretch(1)
        fields.addWidget(self.back, 0, Qt.AlignmentFlag.AlignBottom)
        fields.addWidget(self.ok, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.prompt)
        layout.addLayout(fields)
        layout.addWidget(self.notice)
        layout.addStretch(1)  # below the fields: where the number pad opens
        self.ok.clicked.connect(self._submit)
        self.pin.returnPressed.connect(self._enter_on_pin)
        self.repeat.returnPressed.connect(self._submit)
        self.back.clicked.connect(self.backRequested)
        self.retranslate()

    @property
    def changing(self) -> bool:
        return self._changing

    def ask_new_pin(self) -> None:
        """Change mode: the default PIN was right; a new one must be chosen (twice) before the settings."""
        self._changing = True
        self.pin.clear()
        self.repeat.clear()
        self.show_notice(None)

    def show_notice(self, message_id: str | None, **params: object) -> None:
        self._notice = (message_id, params) if message_id else None
        self.retranslate()

    def clear(self) -> None:
        self._changing = False
        self.pin.clear()
        self.repeat.clear()
        self.show_notice(None)

    def retranslate(self) -> None:
        self.title.setText(self.t("pin.title"))
        self.prompt.setText(self.t("pin.change_prompt" if self._changing else "pin.prompt"))
        self.pin_label.setText(self.t("settings.new_pin" if self._changing else "pin.label"))
        self.repeat_label.setText(self.t("settings.repeat_pin"))
        self.repeat_label.setVisible(self._changing)
        self.repeat.setVisible(self._changing)
        self.back.setText(self.t("button.back"))
        self.ok.setText(self.t("button.ok"))
        self.notice.setText(self.t(self._notice[0], **self._notice[1]) if self._notice else "")
        self.notice.setVisible(self._notice is not None)

    def _enter_on_pin(self) -> None:
        if self._changing:
            self.repeat.setFocus()
        else:
            self._submit()

    def _submit(self) -> None:
        pin, repeat = self.pin.text(), self.repeat.text()
        self.pin.clear()  # never leave a PIN in a widget
        self.repeat.clear()
        if self._changing:
            emit(self.newPinChosen, pin, repeat)
        elif pin:
            emit(self.submitted, pin)
