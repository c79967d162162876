"""S510/S511: the list of the applicant's eligible transactions (Fig. 33B); touch rows to select them.

Certified rows are greyed and cannot be selected; touching one opens the "already issued" screen (S563 note:
a completed row may be chosen and then answered with the issued notification).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QScroller, QTableView, QVBoxLayout, QWidget

from backend_client import EligibleItem
from kiosk.i18n import Language, format_kwh
from kiosk.models import COLUMNS, EligibleItemsModel
from kiosk.qt_compat import emit
from kiosk.screens.base import TOUCH_MIN_PX, Screen, button_row, label, named, touch_button

ROW_HEIGHT = TOUCH_MIN_PX
FIXED_COLUMN_WIDTHS = {"method": 200, "amount": 150, "status": 240}


class ItemsListScreen(Screen):
    name = "list"
    proceed = Signal(list)  # the selected EligibleItems, in list order
    issuedTouched = Signal(str)  # certificate id of a greyed row that was touched
    logoutRequested = Signal()

    def __init__(self, lang: Language, *, timezone: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self.model = EligibleItemsModel(lang, timezone=timezone, parent=self)
        self.title = label("title", role="title")
        self.hint = label("hint")
        self.summary = label("selectionSummary", role="summary", wrap=False)
        self.empty = label("emptyMessage", role="notice")
        self.view = self._make_view()
        self.select_all = touch_button("selectAll")
        self.clear_selection = touch_button("clearSelection")
        self.back = touch_button("back")  # leaving the list means logging out
        self.next = touch_button("listNext", primary=True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.summary)
        layout.addLayout(button_row(self.back, self.clear_selection, self.select_all, self.next))

        self.view.clicked.connect(self._on_clicked)
        self.view.selectionModel().selectionChanged.connect(self._update_summary)
        self.model.modelReset.connect(self._update_summary)
        self.select_all.clicked.connect(self.select_all_available)
        self.clear_selection.clicked.connect(lambda: self.view.clearSelection())
        self.back.clicked.connect(self.logoutRequested)
        self.next.clicked.connect(lambda: emit(self.proceed, self.selected_items()))
        self.retranslate()

    def _make_view(self) -> QTableView:
        view = named(QTableView(), "itemsView")
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)  # a touch toggles a row
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        view.setWordWrap(False)
        view.setShowGrid(True)
        view.setAlternatingRowColors(False)
        view.setMouseTracking(False)
        view.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover, False)  # no hover effects on a touch panel
        vertical = view.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: no per-row measuring
        vertical.setDefaultSectionSize(ROW_HEIGHT)
        horizontal = view.horizontalHeader()
        horizontal.setHighlightSections(False)
        horizontal.setSectionsClickable(False)
        horizontal.setMinimumHeight(40)
        for column, name in enumerate(COLUMNS):
            if name in FIXED_COLUMN_WIDTHS:
                horizontal.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
                horizontal.resizeSection(column, FIXED_COLUMN_WIDTHS[name])
            else:
                horizontal.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        QScroller.grabGesture(view.viewport(), QScroller.ScrollerGestureType.TouchGesture)  # flick to scroll
        return view

    # -- content ----------------------------------------------------------------------------------
    def set_items(self, items: Sequence[EligibleItem]) -> None:
        self.model.set_items(items)
        self.view.scrollToTop()

    def selected_items(self) -> list[EligibleItem]:
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [self.model.item(row) for row in rows if not self.model.item(row).issued]

    def select_all_available(self) -> None:
        """Select every row that is not certified yet, as contiguous ranges (one selection change)."""
        selection = QItemSelection()
        last_column = self.model.columnCount() - 1
        for first, last in contiguous_runs(self.model.selectable_rows()):
            selection.select(self.model.index(first, 0), self.model.index(last, last_column))
        self.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def clear(self) -> None:
        self.model.clear()

    def retranslate(self) -> None:
        self.model.set_language(self.lang)
        self.title.setText(self.t("list.title"))
        self.hint.setText(self.t("list.hint"))
        self.empty.setText(self.t("list.empty"))
        self.select_all.setText(self.t("list.select_all"))
        self.clear_selection.setText(self.t("list.clear"))
        self.back.setText(self.t("button.logout"))
        self.next.setText(self.t("button.next"))
        self._update_summary()

    # -- reactions --------------------------------------------------------------------------------
    def _on_clicked(self, index: QModelIndex) -> None:
        item = self.model.item(index.row())
        if item.issued and item.certificate_id:
            emit(self.issuedTouched, item.certificate_id)

    def _update_summary(self) -> None:
        selected = self.selected_items()
        has_rows = self.model.rowCount() > 0
        self.view.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        self.select_all.setEnabled(bool(self.model.selectable_rows()))
        self.clear_selection.setEnabled(bool(selected))
        self.next.setEnabled(bool(selected))
        total = sum(item.amount_wh for item in selected)
        self.summary.setText(self.t("list.summary", count=len(selected), kwh=format_kwh(total)))


def contiguous_runs(rows: Sequence[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 7, 8] → [(1, 3), (7, 8)] for sorted, distinct rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
