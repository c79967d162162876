"""A row of buttons that goes onto several rows when the panel is too narrow for it (a portrait panel).

``ReflowRow(wide, narrow)``: ``wide`` is the one-row arrangement, ``narrow`` the rows used when the widgets do
not fit side by side at their natural width; ``None`` in a row is a stretch. The row never asks for the
one-row width as its minimum, so it never widens the window: it takes the rows instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLayout, QVBoxLayout, QWidget

Line = Sequence[QWidget | None]  # None: a stretch


def _clear(layout: QLayout) -> None:
    while (item := layout.takeAt(0)) is not None:
        child = item.layout()
        if child is not None:
            _clear(child)
            child.deleteLater()


class ReflowRow(QWidget):
    def __init__(self, wide: Line, narrow: Sequence[Line], *, spacing: int = 16,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spacing = spacing
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._rows.setSpacing(spacing // 2)
        self._wide: Line = ()
        self._narrow: Sequence[Line] = ()
        self._is_narrow = False
        self.set_lines(wide, narrow)

    @property
    def is_narrow(self) -> bool:
        return self._is_narrow

    def set_lines(self, wide: Line, narrow: Sequence[Line]) -> None:
        """Replace the arrangements (e.g. when buttons were added or removed)."""
        self._wide, self._narrow = list(wide), [list(line) for line in narrow]
        for widget in self._widgets():
            widget.setParent(self)
        self._arrange(self._is_narrow, force=True)

    def _widgets(self) -> list[QWidget]:
        return [widget for widget in self._wide if widget is not None]

    def _line_width(self, line: Line, *, minimum: bool) -> int:
        shown = [w for w in line if w is not None and not w.isHidden()]
        sizes = [(w.minimumSizeHint() if minimum else w.sizeHint()).expandedTo(w.minimumSize()).width()
                 for w in shown]
        stretches = sum(1 for w in line if w is None)  # a stretch is spaced like a widget
        return sum(sizes) + self._spacing * max(0, len(shown) + stretches - 1)

    def wide_width(self) -> int:
        """The width the one-row arrangement needs with every widget at its natural size."""
        return self._line_width(self._wide, minimum=False)

    def minimumSizeHint(self) -> QSize:
        width = max((self._line_width(line, minimum=True) for line in self._narrow), default=0)
        return QSize(width, self._rows.minimumSize().height())

    def event(self, event: QEvent) -> bool:
        # A text changed: does the one row still fit? (Only once laid out: a hidden row's width means nothing.)
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            self._arrange(self.width() < self.wide_width())
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(event.size().width() < self.wide_width())

    def _arrange(self, narrow: bool, *, force: bool = False) -> None:
        if narrow == self._is_narrow and not force:
            return
        self._is_narrow = narrow
        _clear(self._rows)
        for line in self._narrow if narrow else [self._wide]:
            row = QHBoxLayout()
            row.setSpacing(self._spacing)
            for widget in line:
                if widget is None:
                    row.addStretch(1)
                else:
                    row.addWidget(widget)
            self._rows.addLayout(row)
        self._rows.activate()
        self.updateGeometry()
        # The new height is laid out now (the parents' layouts), not on a later pass of the event loop.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


class ChoiceGrid(QWidget):
    """Choice buttons in rows of at most ``columns``; fewer per row when the width does not give each button its
    natural size (five production methods a row on a landscape panel, three or four on a portrait one)."""

    def __init__(self, buttons: Sequence[QWidget], columns: int, *, spacing: int = 8,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._buttons = list(buttons)
        self._most = columns
        self._columns = 0
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(spacing)
        self._place(columns)

    @property
    def columns(self) -> int:
        return self._columns

    def _cell_width(self) -> int:
        return max((b.sizeHint().expandedTo(b.minimumSize()).width() for b in self._buttons), default=0)

    def _fitting_columns(self, width: int) -> int:
        cell, gap = self._cell_width(), self._grid.horizontalSpacing()
        return max(1, min(self._most, (width + gap) // max(1, cell + gap)))

    def minimumSizeHint(self) -> QSize:
        return QSize(self._cell_width(), self._grid.minimumSize().height())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():  # a text changed (language)
            self._place(self._fitting_columns(self.width()))
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place(self._fitting_columns(event.size().width()))

    def _place(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for button in self._buttons:
            self._grid.removeWidget(button)
        for n, button in enumerate(self._buttons):
            self._grid.addWidget(button, n // columns, n % columns)
        self._grid.activate()
        self.updateGeometry()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
