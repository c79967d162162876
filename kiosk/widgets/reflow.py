"""A row of buttons that goes onto several rows when the panel is too narrow for it (a portrait panel).

``ReflowRow(wide, narrow)``: ``wide`` is the one-row arrangement, ``narrow`` the rows used when the widgets do
not fit side by side at their natural width; ``None`` in a row is a stretch. The row never asks for the
one-row width as its minimum, so it never widens the window: it takes the rows instead.

Both widgets tell their parent layout their height for a width (Qt's height-for-width): the parent gives them
the room of the rows a width makes before it places them, whichever arrangement they show at that moment. They
rearrange when they are resized, within the room given, and never lay out their parent from inside its layout
pass (that pass would go on to place the rest with the heights it had computed before).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLayout, QVBoxLayout, QWidget, QWidgetItem

Line = Sequence[QWidget | None]  # None: a stretch
HeightForWidth = Callable[[int], int]


class _HeightForWidthLayout:
    """Mixed into a Qt layout: its height for a width is what ``height_for_width`` says (the rows of a
    ``ReflowRow`` or a ``ChoiceGrid`` that width gets)."""

    def __init__(self, parent: QWidget, height_for_width: HeightForWidth) -> None:
        super().__init__(parent)  # type: ignore[call-arg]  # the Qt layout after this mixin takes the parent
        self._height_for_width = height_for_width

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._height_for_width(width)


class _RowsLayout(_HeightForWidthLayout, QVBoxLayout):
    pass


class _GridLayout(_HeightForWidthLayout, QGridLayout):
    pass


def _shown_height(widget: QWidget) -> int | None:
    """The height a box layout gives ``widget`` at its preferred size; None when it takes no room (hidden)."""
    item = QWidgetItem(widget)  # what a layout measures: size hint bounded by minimum and maximum, hidden or not
    return None if item.isEmpty() else item.sizeHint().height()


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
        self._rows = _RowsLayout(self, self._height_for)
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

    def _height_for(self, width: int) -> int:
        """The height of the arrangement ``width`` gets: one row, or the narrow rows (empty ones take no room)."""
        lines = self._narrow if width < self.wide_width() else [self._wide]
        heights = [max(shown) for line in lines
                   if (shown := [h for w in line if w is not None and (h := _shown_height(w)) is not None])]
        margins = self._rows.contentsMargins()
        return (sum(heights) + self._rows.spacing() * max(0, len(heights) - 1)
                + margins.top() + margins.bottom())

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
        self.updateGeometry()  # the size hints changed; the height for this width did not (``_height_for``)


class ChoiceGrid(QWidget):
    """Choice buttons in rows of at most ``columns``; fewer per row when the width does not give each button its
    natural size (five production methods a row on a landscape panel, three or four on a portrait one)."""

    def __init__(self, buttons: Sequence[QWidget], columns: int, *, spacing: int = 8,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._buttons = list(buttons)
        self._most = columns
        self._columns = 0
        self._grid = _GridLayout(self, self._height_for)
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

    def _height_for(self, width: int) -> int:
        """The height of the rows ``width`` gets: as many buttons a row as fit at their natural width."""
        heights = [h for b in self._buttons if (h := _shown_height(b)) is not None]
        if not heights:
            return 0
        rows = -(-len(self._buttons) // self._fitting_columns(width))
        margins = self._grid.contentsMargins()
        return (rows * max(heights) + self._grid.verticalSpacing() * (rows - 1)
                + margins.top() + margins.bottom())

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
