"""S501/S502: applicant information input screen (Fig. 33A): applicant ID, password, OK and CANCEL."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from kiosk.core.language import Language
from kiosk.qt_compat import emit
from kiosk.screens.base import Screen
from kiosk.widgets.controls import TOUCH_MIN_PX, form_page, label, named, touch_button

VERIFY_BUTTON_PX = 72  # the auditor's way in: larger than the other buttons


class LoginScreen(Screen):
    name = "login"
    submitted = Signal(str, str)  # applicant_id, password
    verifyRequested = Signal()  # the auditor's mode (issue #13): no log-in

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._notice_id: str | None = None
        self.title = label("title", role="title")
        self.prompt = label("prompt")
        self.notice = label("notice", role="notice")
        self.applicant_id = named(QLineEdit(), "applicantId")
        self.password = named(QLineEdit(), "password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
        for field in (self.applicant_id, self.password):
            field.setMinimumHeight(TOUCH_MIN_PX)
            field.setMaxLength(128)
        self.id_label = label("applicantIdLabel", wrap=False)
        self.password_label = label("passwordLabel", wrap=False)
        self.ok = touch_button("loginOk", primary=True)
        self.back = touch_button("back")  # CANCEL: clears what was typed
        self.verify = touch_button("loginVerify")
        self.verify.setMinimumHeight(VERIFY_BUTTON_PX)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(24)
        form.setVerticalSpacing(16)
        form.addRow(self.id_label, self.applicant_id)
        form.addRow(self.password_label, self.password)

        page = form_page(self, self.title, self.prompt, form, self.notice, self.back, self.ok)
        page.insertWidget(page.count() - 1, self.verify)  # above the buttons row: a way in for auditors

        self.ok.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.applicant_id.returnPressed.connect(self.password.setFocus)
        self.back.clicked.connect(lambda: self.clear())
        self.verify.clicked.connect(self.verifyRequested)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.t("login.title"))
        self.prompt.setText(self.t("login.prompt"))
        self.id_label.setText(self.t("login.applicant_id"))
        self.password_label.setText(self.t("login.password"))
        self.ok.setText(self.t("button.ok"))
        self.back.setText(self.t("button.cancel"))
        self.verify.setText(self.t("login.verify"))
        self.notice.setText(self.t(self._notice_id) if self._notice_id else "")
        self.notice.setVisible(self._notice_id is not None)

    def show_notice(self, message_id: str | None) -> None:
        self._notice_id = message_id
        self.retranslate()

    def clear(self, *, keep_applicant_id: bool = False) -> None:
        self.password.clear()
        if not keep_applicant_id:
            self.applicant_id.clear()
        self.show_notice(None)

    def clear_notice(self, message_id: str) -> None:
        """Remove the notice ``message_id`` if it is still the one shown."""
        if self._notice_id == message_id:
            self.show_notice(None)

    def has_input(self) -> bool:
        return bool(self.applicant_id.text() or self.password.text())

    def focus_first_empty(self) -> None:
        (self.password if self.applicant_id.text() else self.applicant_id).setFocus()

    def _submit(self) -> None:
        applicant_id = self.applicant_id.text().strip()
        password = self.password.text()
        if not applicant_id or not password:
            self.show_notice("login.missing")
            self.focus_first_empty()
            return
        emit(self.submitted, applicant_id, password)
