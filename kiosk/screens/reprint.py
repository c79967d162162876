"""Reprint one of the applicant's earlier certificates, without issuing again (issue 5, "Reprint").

The certificates are a table (model/view); touching one selects it, "Reprint" fetches its PDF marked as a
reprint and prints it. Reached from the list screen, from the manual screen (signing in with the ID and
password typed there), and from the "already issued" screen when several certificates cover a period.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from backend_client import CertificateType
from backend_client.intermediary import CertificateRecord
from kiosk.core.language import Language
from kiosk.core.reference import reference_of
from kiosk.qt_compat import emit
from kiosk.reprint_model import COLUMNS, CertificatesModel
from kiosk.screens.base import Screen
from kiosk.widgets.controls import TOUCH_MIN_PX, button_row, label, named, touch_button
from kiosk.widgets.scrolling import flick_to_scroll
from kiosk.widgets.table_fit import fit_columns

# The columns fit their texts (dates are longer in Japanese; kiosk.widgets.table_fit), the institution takes
# what is left; on a narrow panel the rows wrap onto two lines.
STRETCH_COLUMN = "institution"


class ReprintScreen(Screen):
    name = "reprint"
    reprintRequested = Signal(str)  # certificate id
    backRequested = Signal()

    def __init__(self, lang: Language, *, timezone: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self.model = CertificatesModel(lang, timezone=timezone, parent=self)
        self._filtered = False
        self.title = label("title", role="title")
        self.hint = label("hint")
        self.empty = label("emptyMessage", role="notice")
        self.selected = label("selectedCertificate", role="code")
        self.view = self._make_view()
        self.back = touch_button("back")
        self.reprint = touch_button("reprintOk", primary=True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.selected)
        layout.addLayout(button_row(self.back, self.reprint))
        self.back.clicked.connect(self.backRequested)
        self.reprint.clicked.connect(self._reprint)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.model.modelReset.connect(self._update)
        self.retranslate()

    def _make_view(self) -> QTableView:
        view = named(QTableView(), "certificatesView")
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        view.setWordWrap(False)
        view.setMouseTracking(False)
        view.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover, False)
        vertical = view.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(TOUCH_MIN_PX)
        horizontal = view.horizontalHeader()
        horizontal.setHighlightSections(False)
        horizontal.setSectionsClickable(False)
        horizontal.setMinimumHeight(40)
        self.columns = fit_columns(view, COLUMNS.index(STRETCH_COLUMN), TOUCH_MIN_PX)
        flick_to_scroll(view)
        return view

    def set_certificates(self, records: Sequence[CertificateRecord], types: Sequence[CertificateType], *,
                         filtered: bool = False) -> None:
        """``filtered``: only the certificates of one request (the "already issued" case), said in the hint."""
        self._filtered = filtered
        self.model.set_records(records, types)
        self.view.scrollToTop()
        if len(records) == 1:
            self.view.selectRow(0)
        self.retranslate()

    def selected_record(self) -> CertificateRecord | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def clear(self) -> None:
        self._filtered = False
        self.model.clear()

    def retranslate(self) -> None:
        self.model.set_language(self.lang)
        self.title.setText(self.t("reprint.title"))
        self.hint.setText(self.t("reprint.hint_filtered" if self._filtered else "reprint.hint"))
        self.empty.setText(self.t("reprint.empty"))
        self.back.setText(self.t("button.back"))
        self.reprint.setText(self.t("already.reprint"))
        self._update()

    def _update(self) -> None:
        has_rows = self.model.rowCount() > 0
        self.view.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        record = self.selected_record()
        self.selected.setText(self.t("reprint.selected", cid=reference_of(record.certificate_id)) if record else "")
        self.reprint.setEnabled(record is not None)

    def _reprint(self) -> None:
        record = self.selected_record()
        if record is not None:
            emit(self.reprintRequested, record.certificate_id)
