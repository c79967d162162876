"""Table columns sized to their texts, whatever the panel: nothing elided, no sideways scrolling (issue #10).

Each column is as wide as its widest text (header or cell) on one line, and one chosen column (the period, the
institution) takes what is left. When the texts do not fit on one line (a portrait panel, long English words),
the table wraps: rows grow to two lines, header titles may take two lines ("Amount / (kWh)"), each column gets
the width its texts need on two lines, and what is left goes first to the columns that then fit on one line.

``fit_columns(view, stretch)`` measures once and keeps the fit: again when the rows are replaced, the language
changes (the header texts change) or the table is resized.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableView

MAX_LINES = 2
LOTS = 100_000
ALIGN_ONE_LINE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ROW_MARGIN = 8  # above and below the lines of a wrapped row
SAMPLE_ROWS = 1000  # like QHeaderView's resizeContentsPrecision: a longer list is measured on its first rows


def width_in_lines(metrics: QFontMetrics, text: str, lines: int) -> int:
    """The least width at which ``text`` word-wraps into at most ``lines`` lines (its one-line width for 1)."""
    one_line = metrics.horizontalAdvance(text)
    if lines <= 1 or not text:
        return one_line
    flags = int(Qt.TextFlag.TextWordWrap.value)
    tallest = metrics.boundingRect(QRect(0, 0, LOTS, LOTS), 0, "\n".join("X" * lines)).height()

    def fits(width: int) -> bool:
        box = metrics.boundingRect(QRect(0, 0, width, LOTS), flags, text)
        return box.width() <= width and box.height() <= tallest

    low, high = one_line // lines, one_line
    while low < high:
        middle = (low + high) // 2
        if fits(middle):
            high = middle
        else:
            low = middle + 1
    return high + 1  # advances are fractional: a pixel for the rounding


@dataclass(frozen=True)
class ColumnNeed:
    one_line: int
    wrapped: int  # equal to one_line when the table needs no wrapping (then it is not measured)


def share_width(needs: list[ColumnNeed], room: int, stretch: int) -> tuple[list[int], bool]:
    """Column widths for ``room`` px and whether the table must wrap: one line if everything fits, else the
    wrapped widths, the spare given first to the columns closest to one line; the rest to ``stretch``."""
    widths = [need.one_line for need in needs]
    wrap = sum(widths) > room
    if wrap:
        widths = [need.wrapped for need in needs]
        spare = room - sum(widths)
        for column in sorted(range(len(needs)), key=lambda c: needs[c].one_line - needs[c].wrapped):
            grow = min(max(spare, 0), needs[column].one_line - widths[column])
            widths[column] += grow
            spare -= grow
    widths[stretch] += max(0, room - sum(widths))
    return widths, wrap


class ColumnFitter(QObject):
    """Keeps ``view``'s columns fitted (see the module docstring); ``row_height``: the one-line row height."""

    def __init__(self, view: QTableView, stretch: int, row_height: int) -> None:
        super().__init__(view)
        self._view = view
        self._stretch = stretch
        self._row_height = row_height
        self._room = -1
        self.wrapping = False
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setTextElideMode(Qt.TextElideMode.ElideNone)  # a wrapped title must not be cut to "Amo…"
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        model = view.model()
        self._widths: dict[tuple[str, int], int] = {}  # measured widths, kept until the texts change
        model.modelReset.connect(self._texts_changed)
        model.headerDataChanged.connect(self._texts_changed)
        model.layoutChanged.connect(self._texts_changed)
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self._view.viewport().width() != self._room:
            self.refit()
        return False

    def _texts_changed(self) -> None:
        self._widths.clear()
        self.refit()

    def refit(self) -> None:
        view = self._view
        view.ensurePolished()
        view.horizontalHeader().ensurePolished()
        self._room = view.viewport().width()
        columns = range(view.model().columnCount())
        one_line = [self._one_line(column) for column in columns]
        if not one_line:
            return
        # Two-line widths cost a search per text: measured only when one line does not fit (a narrow panel).
        needs = ([ColumnNeed(width, width) for width in one_line] if sum(one_line) <= self._room else
                 [ColumnNeed(width, self._wrapped(column, width)) for column, width in zip(columns, one_line,
                                                                                         strict=True)])
        widths, wrap = share_width(needs, self._room, self._stretch)
        self._set_wrapping(wrap)
        header = view.horizontalHeader()
        for column, width in enumerate(widths):
            header.resizeSection(column, width)

    def _set_wrapping(self, wrap: bool) -> None:
        view, header = self._view, self._view.horizontalHeader()
        self.wrapping = wrap
        view.setWordWrap(wrap)
        lines = MAX_LINES if wrap else 1
        alignment = ALIGN_ONE_LINE | Qt.TextFlag.TextWordWrap if wrap else ALIGN_ONE_LINE
        header.setDefaultAlignment(Qt.AlignmentFlag(int(alignment)))
        metrics = view.fontMetrics()
        text_height = metrics.boundingRect(QRect(0, 0, LOTS, LOTS), 0, "\n".join("X" * lines)).height() + ROW_MARGIN
        view.verticalHeader().setDefaultSectionSize(max(self._row_height, text_height))
        extra = (lines - 1) * header.fontMetrics().lineSpacing()
        header.setFixedHeight(header.sizeHint().height() + extra if wrap else header.sizeHint().height())

    def _measures(self, column: int) -> tuple[str, QFontMetrics, int, list[tuple[int, str]], int]:
        """The column's title, its font metrics and padding, its distinct cell texts widest first with their
        one-line widths, and the cells' padding."""
        view, model = self._view, self._view.model()
        header = view.horizontalHeader()
        title = str(model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
        title_metrics = header.fontMetrics()
        title_pad = header.sectionSizeFromContents(column).width() - title_metrics.horizontalAdvance(title)
        metrics = view.fontMetrics()
        widest = sorted(((metrics.horizontalAdvance(text), text) for text in set(_cell_texts(model, column))),
                        reverse=True)
        return title, title_metrics, title_pad, widest, _cell_padding(view, column, metrics)

    def _one_line(self, column: int) -> int:
        if ("one", column) not in self._widths:
            title, title_metrics, title_pad, widest, cell_pad = self._measures(column)
            self._widths["one", column] = max([title_pad + title_metrics.horizontalAdvance(title)]
                                              + [cell_pad + w for w, _ in widest[:1]])
        return self._widths["one", column]

    def _wrapped(self, column: int, one_line: int) -> int:
        if ("two", column) not in self._widths:
            self._widths["two", column] = self._measure_wrapped(column, one_line)
        return self._widths["two", column]

    def _measure_wrapped(self, column: int, one_line: int) -> int:
        title, title_metrics, title_pad, widest, cell_pad = self._measures(column)
        metrics = self._view.fontMetrics()
        two = title_pad + width_in_lines(title_metrics, title, MAX_LINES)
        for width, text in widest:  # widest first: a text no wider on one line cannot need more on two
            if cell_pad + width + 1 <= two:  # (+1: width_in_lines adds a pixel for rounding)
                break
            two = max(two, cell_pad + width_in_lines(metrics, text, MAX_LINES))
        return min(one_line, two)


def _cell_texts(model: object, column: int) -> Iterable[str]:
    from PySide6.QtCore import QAbstractItemModel

    assert isinstance(model, QAbstractItemModel)
    for row in range(min(model.rowCount(), SAMPLE_ROWS)):
        text = model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)
        if text:
            yield str(text)


def _cell_padding(view: QTableView, column: int, metrics: QFontMetrics) -> int:
    """What a cell adds around its text (the style sheet's padding, the focus margins), from Qt's own hint."""
    model = view.model()
    index: QModelIndex = model.index(0, column)
    if not index.isValid():
        return 0
    text = str(model.data(index, Qt.ItemDataRole.DisplayRole) or "")
    was_wrapping = view.wordWrap()
    view.setWordWrap(False)  # the one-line hint: text width plus the padding
    hint = view.sizeHintForIndex(index).width()
    view.setWordWrap(was_wrapping)
    grid = 1 if view.showGrid() else 0  # a cell is its section less the grid line
    return hint - metrics.horizontalAdvance(text) + grid


def fit_columns(view: QTableView, stretch: int, row_height: int) -> ColumnFitter:
    """Fit ``view``'s columns now and whenever its rows, language or size change; ``stretch``: the column
    that takes the width left over."""
    fitter = ColumnFitter(view, stretch, row_height)
    fitter.refit()
    return fitter
