"""S511: confirm the selection and choose the certificate type / issuing institution (Fig. 11B).

Institutions and certificate types are named in the screen's language (``kiosk.institutions``); the period shows
a time only where the selection's first or last row shares its day with another row (``kiosk.row_text``).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QListView, QVBoxLayout, QWidget

from backend_client import CertificateType, EligibleItem
from kiosk.core.language import Language
from kiosk.core.messages import counted
from kiosk.i18n import format_kwh
from kiosk.institutions import certificate_name, relabel
from kiosk.models import method_label
from kiosk.qt_compat import emit
from kiosk.row_text import span_period
from kiosk.screens.base import Screen
from kiosk.widgets.controls import TOUCH_MIN_PX, button_row, label, named, touch_button


class ConfirmScreen(Screen):
    name = "confirm"
    issueRequested = Signal(str)  # type_id
    backRequested = Signal()

    def __init__(self, lang: Language, *, timezone: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._timezone = timezone
        self._items: list[EligibleItem] = []
        self._rows: list[EligibleItem] = []  # the whole list the selection was made from
        self._types: list[CertificateType] = []
        self.title = label("title", role="title")
        self.summary = label("confirmSummary", role="summary")
        self.institution_label = label("institutionLabel", wrap=False)
        self.combo = named(QComboBox(), "institutionCombo")
        self.combo.setView(QListView())  # so the style sheet can size the popup rows for touch
        self.combo.setMinimumHeight(TOUCH_MIN_PX)
        self.combo.setMinimumWidth(520)
        # Long institution names must not widen the window: the combo keeps its width and the popup elides.
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(20)
        self.certificate_name = label("certificateName", role="detail")
        self.notice = label("notice", role="notice")
        self.back = touch_button("back")
        self.issue = touch_button("issueOk", primary=True)

        choice = QGridLayout()
        choice.setHorizontalSpacing(24)
        choice.setVerticalSpacing(8)
        choice.addWidget(self.institution_label, 0, 0)
        choice.addWidget(self.combo, 0, 1)
        choice.addWidget(self.certificate_name, 1, 1)
        choice.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addSpacing(16)
        layout.addLayout(choice)
        layout.addWidget(self.notice)
        layout.addStretch(1)
        layout.addLayout(button_row(self.back, self.issue))

        self.back.clicked.connect(self.backRequested)
        self.issue.clicked.connect(self._issue)
        self.combo.currentIndexChanged.connect(self._show_certificate_name)
        self.retranslate()

    def set_selection(self, items: Sequence[EligibleItem], types: Sequence[CertificateType], *,
                      rows: Sequence[EligibleItem] | None = None) -> None:
        """``rows``: the list the selection was made from (for the times of a split day; default: ``items``)."""
        self._items = list(items)
        self._rows = list(rows if rows is not None else items)
        current = self.combo.currentData()
        self._types = list(types)
        relabel(self.combo, self._types, self.lang)
        if current is not None and (index := self.combo.findData(current)) >= 0:
            self.combo.setCurrentIndex(index)
        else:  # first time: an institution whose certificates are in the screen's language, if there is one
            same = [i for i, t in enumerate(self._types) if t.language == self._lang]
            if same:
                self.combo.setCurrentIndex(same[0])
        self.retranslate()

    def selected_type_id(self) -> str | None:
        data = self.combo.currentData()
        return data if isinstance(data, str) else None

    def clear(self) -> None:
        self._items = []
        self._rows = []
        self._types = []
        self.combo.clear()
        self.certificate_name.clear()
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.t("confirm.title"))
        self.institution_label.setText(self.t("confirm.institution"))
        self.back.setText(self.t("button.back"))
        self.issue.setText(self.t("confirm.issue"))
        relabel(self.combo, self._types, self.lang)
        self._show_certificate_name(self.combo.currentIndex())
        if self._items:
            methods = dict.fromkeys(item.production_method for item in self._items)  # one, as the list allows
            self.summary.setText(self.t(
                counted("confirm.summary", len(self._items)), count=len(self._items),
                kwh=format_kwh(sum(item.amount_wh for item in self._items)),
                method=" / ".join(method_label(self.lang, method) for method in methods),
                period=span_period(self._items, self._rows, self._timezone, self.lang)))
        else:
            self.summary.setText("")
        self.notice.setText(self.t("confirm.no_types"))
        self.notice.setVisible(not self._types)
        self.issue.setEnabled(bool(self._items and self._types))

    def _show_certificate_name(self, index: int) -> None:
        names = [certificate_name(cert_type, self.lang) for cert_type in self._types]
        self.certificate_name.setText(names[index] if 0 <= index < len(names) else "")

    def _issue(self) -> None:
        type_id = self.selected_type_id()
        if type_id is not None and self._items:
            emit(self.issueRequested, type_id)
