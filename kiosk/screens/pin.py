"""The staff PIN that guards the settings (issue 5): a digits-only field with the number pad, OK and back."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from kiosk.i18n import Language
from kiosk.qt_compat import emit
from kiosk.screens.base import TOUCH_MIN_PX, Screen, form_page, label, named, touch_button


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
    backRequested = Signal()

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._notice: tuple[str, dict[str, object]] | None = None
        self.title = label("title", role="title")
        self.prompt = label("prompt")
        self.pin_label = label("pinLabel", wrap=False)
        self.pin = pin_field("pin")
        self.pin.setFixedWidth(320)
        self.notice = label("notice", role="notice")
        self.back = touch_button("back")
        self.ok = touch_button("pinOk", primary=True)
        form = QFormLayout()
        form.setHorizontalSpacing(24)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.pin_label, self.pin)
        form_page(self, self.title, self.prompt, form, self.notice, self.back, self.ok)
        self.ok.clicked.connect(self._submit)
        self.pin.returnPressed.connect(self._submit)
        self.back.clicked.connect(self.backRequested)
        self.retranslate()

    def show_notice(self, message_id: str | None, **params: object) -> None:
        self._notice = (message_id, params) if message_id else None
        self.retranslate()

    def clear(self) -> None:
        self.pin.clear()
        self.show_notice(None)

    def retranslate(self) -> None:
        self.title.setText(self.t("pin.title"))
        self.prompt.setText(self.t("pin.prompt"))
        self.pin_label.setText(self.t("pin.label"))
        self.back.setText(self.t("button.back"))
        self.ok.setText(self.t("button.ok"))
        self.notice.setText(self.t(self._notice[0], **self._notice[1]) if self._notice else "")
        self.notice.setVisible(self._notice is not None)

    def _submit(self) -> None:
        pin = self.pin.text()
        self.pin.clear()  # never leave a PIN in a widget
        if pin:
            emit(self.submitted, pin)
