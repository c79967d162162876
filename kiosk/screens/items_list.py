"""S510/S511: the list of the applicant's eligible transactions (Fig. 33B); touch rows to select them.

Certified rows are greyed and cannot be selected; touching one opens the "already issued" screen (S563 note:
a completed row may be chosen and then answered with the issued notification).

One certificate certifies one production method. The first selected row decides the method; rows of other
methods then cannot be added (they turn grey-text; touching one explains why and keeps the selection) until
the selection is cleared. "Select all" names the method it selects: the selected one, or with nothing
selected the method of the first open row (renewable rows come first).

One certificate holds what the intermediary accepts in one issuance (``kiosk.core.selection``): "Select all" selects
no more than that, a touch beyond it is refused with a plain notice, and a line under the table says how much
of the certificate is used. With ``FILTER_FROM_ROWS`` rows or more, one row above the table filters it: toggle
buttons by production method, and a month stepper (◀ month ▶). Rows are shown renewable first (``kiosk.models``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from backend_client import EligibleItem
from kiosk.core.language import Language
from kiosk.core.messages import counted
from kiosk.core.selection import fits, fitting_prefix
from kiosk.i18n import format_kwh, method_name
from kiosk.models import COLUMNS, EligibleItemsModel
from kiosk.qt_compat import emit
from kiosk.screens.base import Screen
from kiosk.widgets.controls import TOUCH_MIN_PX, button_row, label, named, touch_button
from kiosk.widgets.reflow import ReflowRow
from kiosk.widgets.scrolling import flick_to_scroll
from kiosk.widgets.table_fit import fit_columns

ROW_HEIGHT = TOUCH_MIN_PX
STRETCH_COLUMN = "period"  # the columns fit their texts (kiosk.widgets.table_fit); the period takes the rest
FILTER_FROM_ROWS = 18  # from this many rows on, the list offers filters by method and month
Month = tuple[int, int]


class ItemsListScreen(Screen):
    name = "list"
    proceed = Signal(list)  # the selected EligibleItems, in list order
    issuedTouched = Signal(str)  # certificate id of a greyed row that was touched
    logoutRequested = Signal()
    reprintRequested = Signal()  # the applicant wants an earlier certificate again

    def __init__(self, lang: Language, *, timezone: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self.model = EligibleItemsModel(lang, timezone=timezone, parent=self)
        self._notice: tuple[str, str] | None = None  # (message id, method) of a touch that changed nothing
        self._sanitizing = False
        self._method_filter: str | None = None
        self._month_filter: Month | None = None
        self._months: list[Month] = []
        self.title = label("title", role="title")
        self.hint = label("hint")
        self.method_notice = label("methodNotice", role="notice")
        self.summary = label("selectionSummary", role="summary", wrap=False)
        self.capacity = label("capacity", role="detail", wrap=False)
        self.as_of = label("asOf", role="detail")  # why the list ends where it does (kiosk.row_text)
        self.empty = label("emptyMessage", role="notice")
        self.filters = named(ReflowRow((), (), spacing=8), "listFilters")  # two rows on a narrow panel
        self.method_filters = QButtonGroup(self)
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
        layout.addWidget(self._make_filters())
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.as_of)
        # The selection and how full the certificate is: one line, or two on a narrow panel.
        layout.addWidget(ReflowRow([self.summary, None, self.capacity], [[self.summary, None], [None, self.capacity]]))
        layout.addLayout(button_row(self.back, self.clear_selection, self.select_all, self.next))

        self.view.clicked.connect(self._on_clicked)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.modelReset.connect(self._on_reset)
        self.select_all.clicked.connect(self.select_all_available)
        self.clear_selection.clicked.connect(lambda: self.view.clearSelection())
        self.back.clicked.connect(self.logoutRequested)
        self.reprint.clicked.connect(self.reprintRequested)
        self.next.clicked.connect(lambda: emit(self.proceed, self.selected_items()))
        self.method_filters.idClicked.connect(lambda _id: self._filter_touched())
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
        self.columns = fit_columns(view, COLUMNS.index(STRETCH_COLUMN), ROW_HEIGHT)
        flick_to_scroll(view)
        return view

    def _make_filters(self) -> QWidget:
        """One row above the table: method toggles ("All methods", "Solar", ...) and a month stepper ("◀", the
        month shown or "All months", "▶"): a list of years has too many months for a button each."""
        self.method_filters.setExclusive(True)
        self.older_month = touch_button("filterOlderMonth")
        self.newer_month = touch_button("filterNewerMonth")
        for arrow in (self.older_month, self.newer_month):
            arrow.setMinimumWidth(TOUCH_MIN_PX)
        self.month_shown = label("filterMonth", role="summary", wrap=False)
        self.month_shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._arrange_filters()
        self.older_month.clicked.connect(lambda: self._step_month(+1))
        self.newer_month.clicked.connect(lambda: self._step_month(-1))
        self.filters.hide()
        return self.filters

    # -- content ----------------------------------------------------------------------------------
    def set_items(self, items: Sequence[EligibleItem]) -> None:
        self.model.set_items(items)
        self._method_filter = self._month_filter = None
        self._build_filters()
        self._apply_filters()
        self.view.scrollToTop()

    def selected_items(self) -> list[EligibleItem]:
        return [self.model.item(row) for row in self._selected_rows()]

    def _selected_rows(self) -> list[int]:
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [row for row in rows if self.model.is_selectable(row)]

    def shown_rows(self) -> list[int]:
        """The rows the filters let through (all of them without filters)."""
        return [row for row in range(self.model.rowCount()) if self._passes(row)]

    def _passes(self, row: int) -> bool:
        item = self.model.item(row)
        return (self._method_filter in (None, item.production_method)
                and self._month_filter in (None, self.model.month(row)))

    def select_all_method(self) -> str | None:
        """The method "Select all" selects: the selected rows' one, else the first open row's, else None."""
        if self.model.locked_method is not None:
            return self.model.locked_method
        rows = [row for row in self.model.open_rows() if self._passes(row)]
        return self.model.item(rows[0]).production_method if rows else None

    def _select_all_target(self) -> tuple[list[int], int]:
        """The rows "Select all" would select (what is selected, then shown open rows of the method, as many as one
        certificate holds) and how many shown open rows of the method there are."""
        method = self.select_all_method()
        if method is None:
            return [], 0
        selected = self._selected_rows()
        candidates = [row for row in self.model.open_rows(method) if self._passes(row) and row not in selected]
        ordered = selected + candidates
        keep = max(len(selected), fitting_prefix([self.model.item(row) for row in ordered]))
        return sorted(ordered[:keep]), len(set(selected) | set(candidates))

    def select_all_available(self) -> None:
        """Select the open rows of ``select_all_method()`` that one certificate can hold (one selection change)."""
        rows, _ = self._select_all_target()
        if rows:
            self.view.selectionModel().select(self._rows_selection(rows),
                                              QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def capacity_used(self) -> tuple[int, int]:
        """(rows selected, the most rows this certificate can hold now)."""
        rows, _ = self._select_all_target()
        return len(self._selected_rows()), max(len(rows), 1)

    def clear(self) -> None:
        self.model.clear()
        self._method_filter = self._month_filter = None
        self._build_filters()

    def retranslate(self) -> None:
        self.model.set_language(self.lang)
        self.title.setText(self.t("list.title"))
        self.reprint.setText(self.t("list.reprint"))
        self.empty.setText(self.t("list.empty"))
        self.clear_selection.setText(self.t("list.clear"))
        self.back.setText(self.t("button.logout"))
        self.next.setText(self.t("button.next"))
        self._retranslate_filters()
        self._update_summary()

    # -- filters ----------------------------------------------------------------------------------
    def _build_filters(self) -> None:
        for button in self.method_filters.buttons():
            self.method_filters.removeButton(button)
            button.hide()
            button.deleteLater()
        rows = range(self.model.rowCount())
        self._months = sorted({self.model.month(row) for row in rows}, reverse=True)  # newest first
        if len(rows) < FILTER_FROM_ROWS:
            self.filters.hide()
            return
        methods = [None, *dict.fromkeys(self.model.item(row).production_method for row in rows)]
        for method in methods:
            button = touch_button(f"filter-method-{method or 'all'}")
            button.setCheckable(True)
            button.setChecked(method is None)
            button.setProperty("role", "choice")
            button.setProperty("filterValue", method)
            self.method_filters.addButton(button)
        self._arrange_filters()
        self.filters.show()
        self._retranslate_filters()

    def _arrange_filters(self) -> None:
        """Method toggles, then the month stepper; on a narrow panel the stepper goes onto a second row."""
        methods: list[QWidget | None] = list(self.method_filters.buttons())
        stepper: list[QWidget | None] = [self.older_month, self.month_shown, self.newer_month]
        self.filters.set_lines([*methods, None, *stepper], [[*methods, None], [None, *stepper]])

    def _retranslate_filters(self) -> None:
        for button in self.method_filters.buttons():
            method = button.property("filterValue")
            button.setText(self.t("list.filter_all_methods") if method is None else method_name(self.lang, method))
        self.older_month.setText(self.t("list.filter_older"))
        self.newer_month.setText(self.t("list.filter_newer"))
        month = self._month_filter
        if month is None:
            self.month_shown.setText(self.t("list.filter_all_months"))
        else:
            names = self.t("date.months").split(",")
            self.month_shown.setText(self.t("date.month", month=names[month[1] - 1], year=month[0]))
        at = self._months.index(month) if month in self._months else -1
        self.older_month.setEnabled(at + 1 < len(self._months))
        self.newer_month.setEnabled(month is not None)

    def _step_month(self, step: int) -> None:
        """+1 one month older (from "all": the newest); -1 one month newer (past the newest: all months)."""
        month, months = self._month_filter, self._months
        if not months:
            self._month_filter = None
        else:
            at = months.index(month) if month in months else -1
            at = min(at + step, len(months) - 1)
            self._month_filter = months[at] if at >= 0 else None
        self._filter_touched()

    def _filter_touched(self) -> None:
        button = self.method_filters.checkedButton()
        method = button.property("filterValue") if button is not None else None
        self._method_filter = method if isinstance(method, str) else None
        self._retranslate_filters()
        self._apply_filters()
        self._update_summary()

    def _apply_filters(self) -> None:
        shown = set(self.shown_rows())
        for row in range(self.model.rowCount()):
            self.view.setRowHidden(row, row not in shown)

    # -- reactions --------------------------------------------------------------------------------
    def _on_clicked(self, index: QModelIndex) -> None:
        item = self.model.item(index.row())
        if item.issued:
            if item.certificate_id:
                emit(self.issuedTouched, item.certificate_id)
        elif self.model.locked_method is not None and not self.model.is_selectable(index.row()):
            # Another production method than the selected rows': say why nothing happened, keep the selection.
            self._notice = ("list.other_method", item.production_method)
            self._update_summary()

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        """Keep the selection to one production method and to what one certificate holds, and lock the model to
        the method (None when nothing is left).

        A touch on a row the model does not let be selected changes nothing (Qt checks the flags); this covers
        what does get through: a range or several rows selected at once (a drag, code), whose rows of other
        methods are dropped from the selection model too, so that none of them lingers hidden and reappears
        as selected once the lock is lifted; and rows beyond what one certificate holds, newest touch last.
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
        kept = sorted(set(rows) - set(stray))
        notice: tuple[str, str] | None = None
        if not fits([model.item(row) for row in kept]):
            new = selection_rows(selected)
            keep = [row for row in kept if row not in new]
            for row in (row for row in kept if row in new):
                if fits([model.item(r) for r in [*keep, row]]):
                    keep.append(row)
                else:
                    stray.append(row)
            notice = ("list.full", method or "")
        model.set_locked_method(method)
        if stray:
            self._sanitizing = True
            try:
                self.view.selectionModel().select(self._rows_selection(stray),
                                                  QItemSelectionModel.SelectionFlag.Deselect)
            finally:
                self._sanitizing = False
        self._notice = notice
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
            notice_id, notice_method = self._notice
            self.method_notice.setText(self.t(notice_id, method=method_name(self.lang, notice_method)))
        self.method_notice.setVisible(self._notice is not None)
        self.hint.setVisible(self._notice is None)
        method = self.select_all_method()
        target, available = self._select_all_target()
        if method is None:
            self.select_all.setText(self.t("list.select_all"))
            self.select_all.setEnabled(False)
        else:
            words = method_name(self.lang, method)
            if len(target) >= available:
                self.select_all.setText(self.t("list.select_all_method", method=words))
            else:
                self.select_all.setText(self.t(counted("list.select_some", len(target)), count=len(target),
                                               method=words))
            self.select_all.setEnabled(target != self._selected_rows())
        self.clear_selection.setEnabled(bool(selected))
        self.next.setEnabled(bool(selected))
        total = format_kwh(sum(item.amount_wh for item in selected))
        if selected:
            self.summary.setText(self.t("list.summary_method", count=len(selected), kwh=total,
                                        method=method_name(self.lang, selected[0].production_method)))
        else:
            self.summary.setText(self.t("list.summary", count=0, kwh=total))
        used, limit = self.capacity_used()
        self.capacity.setText(self.model.capacity_text(selected, used, limit))
        self.as_of.setText(self.model.as_of_text())
        self.as_of.setVisible(bool(self.as_of.text()))
        self.capacity.setVisible(has_rows and method is not None)


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
