"""The applicant's earlier certificates as a table model, for the reprint screen (one model, no widget per row)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from backend_client import CertificateType
from backend_client.intermediary import CertificateRecord
from kiosk.core.language import Language
from kiosk.i18n import format_day, format_kwh, format_period, method_name, tr
from kiosk.institutions import institution_name
from kiosk.qt_compat import emit

COLUMNS = ("issued", "period", "method", "amount", "institution")
RecordRole = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class CertificatesModel(QAbstractTableModel):
    def __init__(self, lang: Language = "ja", *, timezone: str | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._records: list[CertificateRecord] = []
        self._types: dict[str, CertificateType] = {}
        self._lang: Language = lang
        self._timezone = timezone

    def set_records(self, records: Iterable[CertificateRecord], types: Sequence[CertificateType] = ()) -> None:
        self.beginResetModel()
        self._records = list(records)
        self._types = {t.type_id: t for t in types}
        self.endResetModel()

    def clear(self) -> None:
        self.set_records(())

    def record(self, row: int) -> CertificateRecord:
        return self._records[row]

    def records(self) -> Sequence[CertificateRecord]:
        return tuple(self._records)

    def set_language(self, lang: Language) -> None:
        self._lang = lang
        emit(self.headerDataChanged, Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._records:
            emit(self.dataChanged, self.index(0, 0), self.index(len(self._records) - 1, len(COLUMNS) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            return tr(self._lang, f"reprint.col.{COLUMNS[section]}")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(record, column)
        if role == RecordRole:
            return record
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "amount":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, record: CertificateRecord, column: str) -> str:
        if column == "issued":
            return format_day(record.issued_at, self._timezone, self._lang)
        if column == "period":
            return format_period(record.period_start, record.period_end, self._timezone, self._lang)
        if column == "method":
            return method_name(self._lang, record.production_method)
        if column == "amount":
            return format_kwh(record.amount_wh)
        return institution_name(self._types.get(record.type_id, record.type_id), self._lang)
