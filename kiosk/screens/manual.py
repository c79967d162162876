"""S201/S202: the certificate issuance screen of the main embodiment (Fig. 21A), for sites that prefer it.

Applicant ID, password, the usage period (two touch date fields), the production method (selection buttons)
and the issuing institution on one screen; OK sends it all (``submitted(ManualRequest)``; the flow shows what
would be issued to confirm before it issues), Cancel clears it.
"Reprint a certificate" signs in with the ID and password typed here and lists the earlier certificates.
"Verify a certificate" (in the title row) opens the auditor's mode without a log-in (issue #13).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from backend_client import CertificateType
from kiosk.core.language import Language
from kiosk.core.period import ManualRequest
from kiosk.i18n import method_name
from kiosk.institutions import institution_name, relabel
from kiosk.qt_compat import emit
from kiosk.screens.base import Screen
from kiosk.widgets.controls import TOUCH_MIN_PX, button_row, label, named, touch_button
from kiosk.widgets.date_picker import DateField
from kiosk.widgets.reflow import ChoiceGrid

# Fig. 21A offers "selection buttons" for the production method: renewable first, two rows of five.
METHODS = ("solar", "wind", "hydro", "geothermal", "biomass", "oil", "coal", "gas", "lng", "nuclear")
METHODS_PER_ROW = 5


class ManualScreen(Screen):
    name = "manual"
    submitted = Signal(object)  # ManualRequest
    reprintRequested = Signal(str, str)  # applicant_id, password
    typesWanted = Signal()  # OK without institutions to choose from: load them (again)
    verifyRequested = Signal()  # the auditor's mode (issue #13), as from the sign-in screen

    def __init__(self, lang: Language, *, default_period: tuple[date, date], parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._default_period = default_period
        self._notice: tuple[str, dict[str, object]] | None = None
        self._types: list[CertificateType] = []
        self._types_state = "loading"  # "loading" | "loaded" | "failed"
        self.title = label("title", role="title")
        self.applicant_id = named(QLineEdit(), "applicantId")
        self.password = named(QLineEdit(), "password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setInputMethodHints(Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText)
        for field in (self.applicant_id, self.password):
            field.setMinimumHeight(TOUCH_MIN_PX)
            field.setMaxLength(128)
        self.first_day = DateField("periodStart", "date.pick_first", lang)
        self.last_day = DateField("periodEnd", "date.pick_last", lang)
        self.methods = QButtonGroup(self)
        self.methods.setExclusive(True)
        buttons = []
        for n, method in enumerate(METHODS):
            button = touch_button(f"method-{method}")
            button.setCheckable(True)
            button.setProperty("role", "choice")
            button.setMinimumWidth(TOUCH_MIN_PX * 2)
            button.setProperty("method", method)
            self.methods.addButton(button, n)
            buttons.append(button)
        self.method_grid = named(ChoiceGrid(buttons, METHODS_PER_ROW), "methodGrid")  # fewer a row when narrow
        self.institution = named(QComboBox(), "institutionCombo")
        self.institution.setView(QListView())
        self.institution.setMinimumHeight(TOUCH_MIN_PX)
        self.institution.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.institution.setMinimumContentsLength(24)
        self.labels = {key: label(f"{key}Label") for key in ("id", "password", "period", "method",
                                                                          "institution", "to")}
        self.notice = label("notice", role="notice")
        self.back = touch_button("back")  # CANCEL: clears what was entered
        self.reprint = touch_button("manualReprint")
        self.ok = touch_button("manualOk", primary=True)
        self.verify = touch_button("manualVerify")  # in the title row: no room for a 4th button below

        form = QGridLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(10)
        credentials = QHBoxLayout()
        credentials.setSpacing(16)
        credentials.addWidget(self.applicant_id, 1)
        credentials.addWidget(self.labels["password"])
        credentials.addWidget(self.password, 1)
        period = QHBoxLayout()
        period.setSpacing(16)
        period.addWidget(self.first_day)
        period.addWidget(self.labels["to"])
        period.addWidget(self.last_day)
        period.addStretch(1)
        for row, (key, item) in enumerate((("id", credentials), ("period", period))):
            form.addWidget(self.labels[key], row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            form.addLayout(item, row, 1)
        form.addWidget(self.labels["method"], 2, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.addWidget(self.method_grid, 2, 1)
        form.addWidget(self.labels["institution"], 3, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addWidget(self.institution, 3, 1)
        form.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        title_row = QHBoxLayout()
        title_row.setSpacing(16)
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.verify, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(title_row)
        layout.addLayout(form)
        layout.addWidget(self.notice)
        layout.addStretch(1)
        layout.addLayout(button_row(self.back, self.reprint, self.ok))

        self.ok.clicked.connect(self._submit)
        self.reprint.clicked.connect(self._reprint)
        self.back.clicked.connect(lambda: self.clear())
        self.verify.clicked.connect(self.verifyRequested)
        self.applicant_id.returnPressed.connect(self.password.setFocus)
        self.clear()

    # -- content ----------------------------------------------------------------------------------
    def set_types(self, types: Sequence[CertificateType] | None) -> None:
        """The institutions to choose from; None: loading them failed."""
        current = self.institution.currentData()
        self._types = list(types or [])
        self._types_state = "failed" if types is None else "loaded"
        self.institution.clear()
        for cert_type in self._types:
            self.institution.addItem(institution_name(cert_type, self.lang), cert_type.type_id)
        if current is not None and (index := self.institution.findData(current)) >= 0:
            self.institution.setCurrentIndex(index)
        self.institution.setEnabled(bool(self._types))
        if self._notice and self._notice[0].startswith("manual.institutions"):
            self._notice = None
        if types is None:
            self._notice = ("manual.institutions_failed", {})
        self.retranslate()

    @property
    def types_loaded(self) -> bool:
        return self._types_state == "loaded" and bool(self._types)

    def selected_method(self) -> str | None:
        button = self.methods.checkedButton()
        method = button.property("method") if button is not None else None
        return method if isinstance(method, str) else None

    def select_method(self, method: str) -> None:
        self.methods.button(METHODS.index(method)).setChecked(True)

    def set_period(self, first: date, last: date) -> None:
        self.first_day.set_date(first)
        self.last_day.set_date(last)

    def show_notice(self, message_id: str | None, **params: object) -> None:
        self._notice = (message_id, params) if message_id else None
        self.retranslate()

    def clear_notice(self, message_id: str) -> None:
        """Remove the notice ``message_id`` if it is still the one shown."""
        if self._notice is not None and self._notice[0] == message_id:
            self.show_notice(None)

    def has_input(self) -> bool:
        return bool(self.applicant_id.text() or self.password.text() or self.selected_method()) \
            or (self.first_day.date(), self.last_day.date()) != self._default_period

    def snapshot(self) -> dict[str, object]:
        """What was entered, without the password (kept across a sign-out by "New request")."""
        return {"applicant_id": self.applicant_id.text(), "period": (self.first_day.date(), self.last_day.date()),
                "method": self.selected_method(), "type_id": self.institution.currentData()}

    def restore(self, snapshot: dict[str, object]) -> None:
        applicant_id, period, method, type_id = (snapshot.get(k) for k in ("applicant_id", "period", "method",
                                                                           "type_id"))
        self.applicant_id.setText(applicant_id if isinstance(applicant_id, str) else "")
        if isinstance(period, tuple):
            self.set_period(*period)
        if isinstance(method, str):
            self.select_method(method)
        if type_id is not None and (index := self.institution.findData(type_id)) >= 0:
            self.institution.setCurrentIndex(index)

    def set_default_period(self, first: date, last: date) -> None:
        self._default_period = (first, last)

    def clear(self, *, keep_request: bool = False, keep_applicant_id: bool = False) -> None:
        """CANCEL, logout, idle timeout: forget what was entered (``keep_*``: after an error, to correct it)."""
        self.password.clear()
        if not keep_applicant_id:
            self.applicant_id.clear()
        if not keep_request:
            self.set_period(*self._default_period)
            self.methods.setExclusive(False)
            for button in self.methods.buttons():
                button.setChecked(False)
            self.methods.setExclusive(True)
        self.show_notice(None)

    def focus_first_empty(self) -> None:
        (self.password if self.applicant_id.text() else self.applicant_id).setFocus()

    def retranslate(self) -> None:
        self.title.setText(self.t("manual.title"))
        for key, message_id in (("id", "login.applicant_id"), ("password", "login.password"),
                                ("period", "manual.period"), ("method", "manual.method"),
                                ("institution", "manual.institution"), ("to", "manual.period_to")):
            self.labels[key].setText(self.t(message_id))
        for field in (self.first_day, self.last_day):
            field.set_language(self.lang)
        for button in self.methods.buttons():
            button.setText(method_name(self.lang, str(button.property("method"))))
        relabel(self.institution, self._types, self.lang)  # institutions in the screen's language
        if self._types_state == "loading" and not self._types:
            self.institution.setPlaceholderText(self.t("manual.institutions_loading"))
        else:
            self.institution.setPlaceholderText("")
        self.back.setText(self.t("button.cancel"))
        self.reprint.setText(self.t("manual.reprint"))
        self.ok.setText(self.t("button.ok"))
        self.verify.setText(self.t("login.verify"))
        self.notice.setText(self.t(self._notice[0], **self._notice[1]) if self._notice else "")
        self.notice.setVisible(self._notice is not None)

    # -- reactions --------------------------------------------------------------------------------
    def _credentials(self) -> tuple[str, str] | None:
        applicant_id, password = self.applicant_id.text().strip(), self.password.text()
        if not applicant_id or not password:
            self.show_notice("login.missing")
            self.focus_first_empty()
            return None
        return applicant_id, password

    def _submit(self) -> None:
        credentials = self._credentials()
        if credentials is None:
            return
        method, type_id = self.selected_method(), self.institution.currentData()
        first, last = self.first_day.date(), self.last_day.date()
        if last < first:
            self.show_notice("manual.bad_period")
        elif not self.types_loaded:
            self.show_notice("manual.institutions_loading")
            emit(self.typesWanted)
        elif not isinstance(type_id, str):
            self.show_notice("manual.missing_institution")
        else:
            # No method chosen: the kiosk takes one the applicant has rows of, and the summary shows it.
            emit(self.submitted, ManualRequest(*credentials, first, last, method or "", type_id))

    def _reprint(self) -> None:
        credentials = self._credentials()
        if credentials is not None:
            emit(self.reprintRequested, *credentials)
