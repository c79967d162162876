"""S510/S511: the list of the applicant's eligible transactions (Fig. 33B); touch rows to select them.

Certified rows are greyed and cannot be selected; touching one opens the "already issued" screen (S563 note:
a completed row may be chosen and then answered with the issued notification).

One certificate certifies one production method. The first selected row decides the method; rows of other
methods then cannot be added (they turn grey-text; touching one explains why and keeps the selection) until
the selection is cleared. "Select all" names the method it selects: the selected one, or with nothing
selected the method of the first open row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from backend_client import EligibleItem
from kiosk.i18n import Language, format_kwh, method_name
from kiosk.models import COLUMNS, EligibleItemsModel
from kiosk.qt_compat import emit
from kiosk.screens.base import TOUCH_MIN_PX, Screen, button_row, label, named, touch_button
from kiosk.widgets.scrolling import flick_to_scroll

ROW_HEIGHT = TOUCH_MIN_PX
FIXED_COLUMN_WIDTHS = {"method": 200, "amount": 150, "status": 240}


class ItemsListScreen(Screen):
    name = "list"
    proceed = Signal(list)  # the selected EligibleItems, in list order
    issuedTouched = Signal(str)  # certificate id of a greyed row that was touched
    logoutRequested = Signal()
    reprintRequested = Signal()  # the applicant wants an earlier certificate again

    def __init__(self, lang: Language, *, timezone: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self.model = EligibleItemsModel(lang, timezone=timezone, parent=self)
        self._notice: str | None = None  # the method of a row that was touched but cannot be added
        self._sanitizing = False
        self.title = label("title", role="title")
        self.hint = label("hint")
        self.method_notice = label("methodNotice", role="notice")
        self.summary = label("selectionSummary", role="summary", wrap=False)
        self.empty = label("emptyMessage", role="notice")
        self.view = self._make_view()
        self.select_all = touch_button("selectAll")
        self.clear_selection = touch_button("clearSelection")
        self.back = touch_button("back")  # leaving the list means logging out
        self.next = touch_button("listNext", primary=True)
        self.reprint = touch_button("listReprint")

        layout = QVBoxLayout(self)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.reprint)
        layout.addLayout(title_row)
        layout.addWidget(self.hint)
        layout.addWidget(self.method_notice)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.summary)
        layout.addLayout(button_row(self.back, self.clear_selection, self.select_all, self.next))

        self.view.clicked.connect(self._on_clicked)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._on_reset)
        self.select_all.clicked.connect(self.select_all_available)
        self.clear_selection.clicked.connect(lambda: self.view.clearSelection())
        self.back.clicked.connect(self.logoutRequested)
        self.reprint.clicked.connect(self.reprintRequested)
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
        flick_to_scroll(view)
        return view

    # -- content ----------------------------------------------------------------------------------
    def set_items(self, items: Sequence[EligibleItem]) -> None:
        self.model.set_items(items)
        self.view.scrollToTop()

    def selected_items(self) -> list[EligibleItem]:
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [self.model.item(row) for row in rows if self.model.is_selectable(row)]

    def select_all_method(self) -> str | None:
        """The method "Select all" selects: the selected rows' one, else the first open row's, else None."""
        if self.model.locked_method is not None:
            return self.model.locked_method
        rows = self.model.open_rows()
        return self.model.item(rows[0]).production_method if rows else None

    def select_all_available(self) -> None:
        """Select every open row of ``select_all_method()``, as contiguous ranges (one selection change)."""
        method = self.select_all_method()
        if method is None:
            return
        self.view.selectionModel().select(self._rows_selection(self.model.open_rows(method)),
                                          QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def clear(self) -> None:
        self.model.clear()

    def retranslate(self) -> None:
        self.model.set_language(self.lang)
        self.title.setText(self.t("list.title"))
        self.reprint.setText(self.t("list.reprint"))
        self.empty.setText(self.t("list.empty"))
        self.clear_selection.setText(self.t("list.clear"))
        self.back.setText(self.t("button.logout"))
        self.next.setText(self.t("button.next"))
        self._update_summary()

    # -- reactions --------------------------------------------------------------------------------
    def _on_clicked(self, index: QModelIndex) -> None:
        item = self.model.item(index.row())
        if item.issued:
            if item.certificate_id:
                emit(self.issuedTouched, item.certificate_id)
        elif self.model.locked_method is not None and not self.model.is_selectable(index.row()):
            # Another production method than the selected rows': say why nothing happened, keep the selection.
            self._notice = item.production_method
            self._update_summary()

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        """Keep the selection to one production method and lock the model to it (None when nothing is left).

        A touch on a row the model does not let be selected changes nothing (Qt checks the flags); this covers
        what does get through: a range or several rows selected at once (a drag, code), whose rows of other
        methods are dropped from the selection model too, so that none of them lingers hidden and reappears
        as selected once the lock is lifted.
        """
        if self._sanitizing:
            return
        model = self.model
        rows = selection_rows(self.view.selectionModel().selection())
        method = model.locked_method
        if method is None or not any(model.is_selectable(row) for row in rows):  # nothing of it left
            added = [row for row in sorted(selection_rows(selected)) if not model.item(row).issued]
            method = model.item(added[0]).production_method if added else None
        stray = [row for row in rows if model.item(row).issued or model.item(row).production_method != method]
        model.set_locked_method(method)
        if stray:
            self._sanitizing = True
            try:
                self.view.selectionModel().select(self._rows_selection(stray),
                                                  QItemSelectionModel.SelectionFlag.Deselect)
            finally:
                self._sanitizing = False
        self._notice = None
        self._update_summary()

    def _on_reset(self) -> None:
        self._notice = None
        self._update_summary()

    def _rows_selection(self, rows: Iterable[int]) -> QItemSelection:
        selection = QItemSelection()
        last_column = self.model.columnCount() - 1
        for first, last in contiguous_runs(sorted(set(rows))):
            selection.select(self.model.index(first, 0), self.model.index(last, last_column))
        return selection

    def _update_summary(self) -> None:
        selected = self.selected_items()
        has_rows = self.model.rowCount() > 0
        self.view.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        # One line each, in the same place: the table does not move under the finger.
        locked = self.model.locked_method
        if locked is None:
            self.hint.setText(self.t("list.hint"))
        else:
            self.hint.setText(self.t("list.hint_method", method=method_name(self.lang, locked)))
        if self._notice is not None:
            self.method_notice.setText(self.t("list.other_method", method=method_name(self.lang, self._notice)))
        self.method_notice.setVisible(self._notice is not None)
        self.hint.setVisible(self._notice is None)
        method = self.select_all_method()
        if method is None:
            self.select_all.setText(self.t("list.select_all"))
            self.select_all.setEnabled(False)
        else:
            self.select_all.setText(self.t("list.select_all_method", method=method_name(self.lang, method)))
            self.select_all.setEnabled(len(selected) < len(self.model.open_rows(method)))
        self.clear_selection.setEnabled(bool(selected))
        self.next.setEnabled(bool(selected))
        total = format_kwh(sum(item.amount_wh for item in selected))
        if selected:
            self.summary.setText(self.t("list.summary_method", count=len(selected), kwh=total,
                                        method=method_name(self.lang, selected[0].production_method)))
        else:
            self.summary.setText(self.t("list.summary", count=0, kwh=total))


def selection_rows(selection: QItemSelection) -> set[int]:
    """Every row a selection's ranges cover, whether or not the model lets it be selected now."""
    parts = (selection.at(i) for i in range(selection.size()))
    return {row for part in parts for row in range(part.top(), part.bottom() + 1)}


def contiguous_runs(rows: Sequence[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 7, 8] → [(1, 3), (7, 8)] for sorted, distinct rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
