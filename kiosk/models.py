"""S510: the applicant's eligible transactions as a table model (one model, no widget per row).

Certified rows (S508 "completed (issued)") stay visible but greyed and are *not selectable*; they remain
enabled so that touching one can open the "already issued" screen with a reprint button (S209b/S210b).

One certificate certifies one production method (the intermediary answers ``mixed_methods`` otherwise). While
rows are selected, the model is *locked* to their method (``set_locked_method``): rows of other methods are
shown in grey text, without the grey background of certified rows, and are not selectable either.
Display strings are computed on demand for the rows the view paints, so 500+ rows cost nothing up front.

Rows are shown renewable first, fossil last (``kiosk.core.selection.green_first``); a fossil row's method says what
its certificate is: a production-method certificate, not a green one ("Oil — fossil (not renewable)").
Certified rows name their certificate by its short reference (``kiosk.core.reference``), never the 64-digit id.
A period reads as disjoint days, with a time only at an end on a day split between two rows (``kiosk.row_text``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from backend_client import EligibleItem
from kiosk.core.language import Language
from kiosk.core.reference import reference_of
from kiosk.core.selection import green_first, method_group
from kiosk.i18n import format_kwh, method_name, tr
from kiosk.qt_compat import emit
from kiosk.row_text import NO_TIMES, Clock, as_of_text, capacity_text, clocks, row_period

COLUMNS = ("period", "method", "amount", "status")
ItemRole = Qt.ItemDataRole.UserRole + 1
GREY_TEXT = QColor("#767676")
GREY_BACKGROUND = QColor("#e4e4e4")

Index = QModelIndex | QPersistentModelIndex


def method_label(lang: Language, method: str, category: str = "") -> str:
    """The method in words, saying plainly when it is not renewable ("Oil — fossil (not renewable)");
    ``category``: the server's word for the row ("renewable", "fossil", "nuclear"), when it gives one."""
    group = method_group(method, category)
    if group == 0:
        return method_name(lang, method)
    key = "list.method_fossil" if group == 2 else "list.method_not_renewable"
    return tr(lang, key, method=method_name(lang, method))


class EligibleItemsModel(QAbstractTableModel):
    def __init__(self, lang: Language = "ja", *, timezone: str | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[EligibleItem] = []
        self._lang: Language = lang
        self._timezone = timezone
        self._locked_method: str | None = None
        self._clocks: dict[str, Clock] = {}

    # -- content ----------------------------------------------------------------------------------
    def set_items(self, items: Iterable[EligibleItem]) -> None:
        self.beginResetModel()
        rows = list(items)
        self._items = [rows[n] for n in green_first(rows)]
        self._clocks = clocks(self._items, self._timezone)
        self._locked_method = None
        self.endResetModel()

    def clear(self) -> None:
        self.set_items(())

    def set_language(self, lang: Language) -> None:
        self._lang = lang
        emit(self.headerDataChanged, Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._items:
            emit(self.dataChanged, self.index(0, 0), self.index(len(self._items) - 1, len(COLUMNS) - 1))

    def month(self, row: int) -> tuple[int, int]:
        """(year, month) in which the row's period starts, in the kiosk's time zone (the list's month filter)."""
        zone = ZoneInfo(self._timezone) if self._timezone else None
        start = datetime.fromtimestamp(self._items[row].period_start, zone or UTC)
        return start.year, start.month

    def item(self, row: int) -> EligibleItem:
        return self._items[row]

    def items(self) -> Sequence[EligibleItem]:
        return tuple(self._items)

    def as_of_text(self) -> str:
        """Why the list ends where it does ("Allocations up to 15 Nov 18:00 (JST)"); "" when not known."""
        return as_of_text(self._items, self._timezone, self._lang)

    def capacity_text(self, selected: Sequence[EligibleItem], used_rows: int, row_limit: int) -> str:
        """How much of one certificate ``selected`` uses, in allocations when the rows say (else in rows)."""
        return capacity_text(selected, self._items, used_rows, row_limit, self._lang)

    def method_rows(self) -> list[int]:
        """One row of each production method in the list (to measure how wide their names are)."""
        first: dict[str, int] = {}
        for row, item in enumerate(self._items):
            first.setdefault(item.production_method, row)
        return list(first.values())

    def open_rows(self, method: str | None = None) -> list[int]:
        """Rows not certified yet (of ``method`` when given), whatever the lock."""
        return [row for row, item in enumerate(self._items)
                if not item.issued and (method is None or item.production_method == method)]

    def selectable_rows(self) -> list[int]:
        """Rows a touch can select now: not certified, and of the locked method if there is one."""
        return self.open_rows(self._locked_method)

    def is_selectable(self, row: int) -> bool:
        item = self._items[row]
        return not item.issued and self._locked_method in (None, item.production_method)

    @property
    def locked_method(self) -> str | None:
        return self._locked_method

    def set_locked_method(self, method: str | None) -> None:
        """Only rows of ``method`` (None: of any method) can be selected; repaints the rows that change."""
        if method == self._locked_method:
            return
        self._locked_method = method
        if self._items:
            emit(self.dataChanged, self.index(0, 0), self.index(len(self._items) - 1, len(COLUMNS) - 1))

    # -- QAbstractTableModel ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if not self.is_selectable(index.row()):
            # S510: certified rows are shown greyed and not selectable; so are, while rows of one method are
            # selected, rows of other methods. Still enabled: touching one explains why.
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            return tr(self._lang, f"list.col.{COLUMNS[section]}")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == ItemRole:
            return item
        if role == Qt.ItemDataRole.ForegroundRole and not self.is_selectable(index.row()):
            return QBrush(GREY_TEXT)
        if role == Qt.ItemDataRole.BackgroundRole and item.issued:
            return QBrush(GREY_BACKGROUND)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "amount":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, item: EligibleItem, column: str) -> str:
        if column == "period":
            return row_period(item.period_start, item.period_end, self._timezone, self._lang,
                              self._clocks.get(item.item_id, NO_TIMES))
        if column == "method":
            return method_label(self._lang, item.production_method, item.category)
        if column == "amount":
            return format_kwh(item.amount_wh)
        if item.issued:
            return tr(self._lang, "list.status.issued", cid=reference_of(item.certificate_id or ""))
        return tr(self._lang, "list.status.available")
