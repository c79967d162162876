"""Find text a person cannot read in full: labels, buttons and header sections narrower (or lower) than their
text, table cells whose text is elided, and labels and buttons drawn on top of each other. Used by
``tests/kiosk/test_layout_fit.py``.

Each finding is a short string naming the widget, its text and what it needed against what it got.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QTextDocument
from PySide6.QtGui import Qt as QtGuiQt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QTableView,
    QWidget,
)

LOTS = 100_000


def _showing(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def label_problem(label: QLabel) -> str | None:
    text = label.text()
    if not text or not _showing(label):
        return None
    m = label.margin()
    room = label.contentsRect().adjusted(m, m, -m, -m)
    if label.indent() > 0:
        room.setLeft(room.left() + label.indent())
    if label.textFormat() == Qt.TextFormat.RichText or (label.textFormat() == Qt.TextFormat.AutoText
                                                          and QtGuiQt.mightBeRichText(text)):
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(label.font())
        doc.setHtml(text)
        if label.wordWrap():
            doc.setTextWidth(room.width())
        need_w, need_h = doc.idealWidth(), doc.size().height()
    else:
        flags = int(label.alignment().value) | (Qt.TextFlag.TextWordWrap.value if label.wordWrap() else 0)
        box = QRect(0, 0, room.width() if label.wordWrap() else LOTS, LOTS)
        need = QFontMetrics(label.font()).boundingRect(box, flags, text)
        need_w, need_h = need.width(), need.height()
    if need_w > room.width() + 1 or need_h > room.height() + 1:
        return (f"label {label.objectName()!r} {text!r}: needs {need_w:.0f}x{need_h:.0f}, "
                f"has {room.width()}x{room.height()}")
    return None


def button_problem(button: QAbstractButton) -> str | None:
    text = _plain(button.text())
    if not text or not _showing(button):
        return None
    fm = QFontMetrics(button.font())
    need_w = max(fm.horizontalAdvance(line) for line in text.split("\n"))
    need_h = fm.height() * (text.count("\n") + 1)
    if not button.icon().isNull():
        need_w += button.iconSize().width() + 4
    if isinstance(button, QPushButton):
        option = QStyleOptionButton()
        button.initStyleOption(option)
        room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    else:
        room = button.contentsRect()
    if need_w > room.width() or need_h > room.height() + 2:
        return (f"button {button.objectName()!r} {text!r}: needs {need_w}x{need_h}, "
                f"has {room.width()}x{room.height()}")
    return None


def header_problems(header: QHeaderView) -> list[str]:
    if not _showing(header):
        return []
    model = header.model()
    found = []
    wraps = bool(header.defaultAlignment() & Qt.TextFlag.TextWordWrap)  # kiosk.widgets.table_fit
    for section in range(header.count()):
        if header.isSectionHidden(section):
            continue
        text = model.headerData(section, header.orientation(), Qt.ItemDataRole.DisplayRole)
        one_line = header.sectionSizeFromContents(section)
        has = QSize(header.sectionSize(section), header.height())
        need = _wrapped_need(header.fontMetrics(), str(text), one_line, has) if wraps else one_line
        if text and (need.width() > has.width() or need.height() > has.height()):
            found.append(f"header {header.parentWidget().objectName()!r} section {text!r}: needs "
                         f"{need.width()}x{need.height()}, has {has.width()}x{has.height()}")
    return found


def _wrapped_need(metrics: QFontMetrics, text: str, one_line: QSize, room: QSize) -> QSize:
    """What a word-wrapped text needs in a box of ``room`` whose one-line need is ``one_line`` (the difference
    with the text's own size is padding): its widest line and its lines' height, plus the padding."""
    if one_line.width() <= room.width() and one_line.height() <= room.height():
        return one_line  # fits on one line
    pad = QSize(one_line.width() - metrics.horizontalAdvance(text), one_line.height() - metrics.height())
    box = metrics.boundingRect(QRect(0, 0, room.width() - pad.width(), LOTS), Qt.TextFlag.TextWordWrap.value, text)
    return QSize(box.width() + pad.width(), box.height() + pad.height())


def table_problems(view: QTableView) -> list[str]:
    """Cells shown elided (or cut), and columns pushed out of sight (a sideways scroll bar)."""
    if not _showing(view):
        return []
    found = []
    if view.horizontalScrollBar().maximum() > 0:
        found.append(f"table {view.objectName()!r}: columns wider than the table "
                     f"(scrolls sideways by {view.horizontalScrollBar().maximum()} px)")
    model = view.model()
    viewport = view.viewport().rect()
    for row in range(model.rowCount()):
        if view.isRowHidden(row):
            continue
        for column in range(model.columnCount()):
            index: QModelIndex = model.index(row, column)
            cell = view.visualRect(index)
            if not cell.intersects(viewport) or view.isColumnHidden(column):
                continue
            need = view.sizeHintForIndex(index)  # on one line, even when the view wraps
            if view.wordWrap():
                text = str(model.data(index, Qt.ItemDataRole.DisplayRole) or "")
                need = _wrapped_need(view.fontMetrics(), text, need, cell.size())
            if need.width() > cell.width() or need.height() > cell.height():
                text = model.data(index, Qt.ItemDataRole.DisplayRole)
                found.append(f"table {view.objectName()!r} row {row} column {column} {text!r}: needs "
                             f"{need.width()}x{need.height()}, has {cell.width()}x{cell.height()}")
    return found


def clipped_texts(root: QWidget) -> list[str]:
    """Every clipped text in ``root`` and its visible descendants."""
    found: list[str] = []
    for label in root.findChildren(QLabel):
        problem = label_problem(label)
        if problem:
            found.append(problem)
    for button in root.findChildren(QAbstractButton):
        if button.objectName().startswith("qt_"):
            continue
        problem = button_problem(button)
        if problem:
            found.append(problem)
    for view in root.findChildren(QTableView):
        found += header_problems(view.horizontalHeader())
        found += table_problems(view)
    return found


def _texts(root: QWidget) -> list[QWidget]:
    """The visible text-bearing widgets of ``root``: labels with text and buttons."""
    labels: list[QWidget] = [w for w in root.findChildren(QLabel) if w.text() and _showing(w)]
    buttons: list[QWidget] = [w for w in root.findChildren(QAbstractButton) if _showing(w)]
    return labels + buttons


def _shown_rect(widget: QWidget, window: QWidget) -> QRect:
    """The part of ``widget`` that can be seen, in ``window``'s coordinates: its rectangle cut to the viewport of
    every scroll area it is inside (empty when scrolled out of sight)."""
    shown = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
    ancestor = widget.parentWidget()
    while ancestor is not None and ancestor is not window:
        parent = ancestor.parentWidget()
        if isinstance(parent, QAbstractScrollArea) and ancestor is parent.viewport():
            shown &= QRect(ancestor.mapTo(window, ancestor.rect().topLeft()), ancestor.size())
        ancestor = parent
    return shown


def _related(a: QWidget, b: QWidget) -> bool:
    return a.isAncestorOf(b) or b.isAncestorOf(a)


def _describe(widget: QWidget) -> str:
    kind = "label" if isinstance(widget, QLabel) else "button"
    text = widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else ""
    return f"{kind} {widget.objectName()!r} {text!r}"


def overlapping_texts(roots: list[QWidget]) -> list[str]:
    """Every pair of visible labels and buttons of ``roots`` (one screen: e.g. the header and the page) drawn on
    top of each other. A widget is not compared with its own ancestors or descendants (a label on a button);
    inside a scroll area only the part shown in the viewport counts (out of sight: not compared)."""
    if not roots:
        return []
    window = roots[0].window()
    shown = [(widget, _shown_rect(widget, window)) for root in roots for widget in _texts(root)]
    shown = [(widget, rect) for widget, rect in shown if not rect.isEmpty()]
    found = []
    for n, (a, rect_a) in enumerate(shown):
        for b, rect_b in shown[n + 1:]:
            if rect_a.intersects(rect_b) and not _related(a, b):
                both = rect_a & rect_b
                found.append(f"{_describe(a)} at {_rect_text(rect_a)} overlaps {_describe(b)} at "
                             f"{_rect_text(rect_b)} ({both.width()}x{both.height()} px)")
    return found


def _rect_text(rect: QRect) -> str:
    return f"{rect.width()}x{rect.height()}+{rect.x()}+{rect.y()}"
