"""Issue #10, item 7: dragging a list scrolls it, on panels that send mouse events as on touch panels; a drag
does not select rows, and a touch that does not move still does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractScrollArea, QHeaderView, QScroller

from tests.helpers.fake_intermediary import FakeIntermediary, FakePrinter, make_items


@pytest.fixture
def fake() -> FakeIntermediary:
    return FakeIntermediary(make_items(40, certified=range(0, 40, 2)))  # and 20 earlier certificates


def drag(qtbot, widget, start: QPoint, end: QPoint, steps: int = 12) -> None:
    """A finger put down at ``start``, moved to ``end`` and lifted, as the mouse events of a panel. The event
    loop runs between the moves: the scroller applies a drag on its animation ticks."""
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, steps + 1):
        QTest.mouseMove(widget, start + (end - start) * step / steps, 16)
        qtbot.wait(20)
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end, 16)


def test_dragging_the_list_scrolls_it_and_selects_nothing(kiosk, qtbot):
    kiosk.login()
    view = kiosk.view
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0, "the list must be long enough to scroll"
    assert bar.value() == 0
    viewport = view.viewport()
    bottom = QPoint(viewport.width() // 2, viewport.height() - 10)
    drag(qtbot, viewport, bottom, QPoint(bottom.x(), 10))
    qtbot.waitUntil(lambda: bar.value() > 0)
    qtbot.waitUntil(lambda: QScroller.scroller(viewport).state() == QScroller.State.Inactive)
    assert view.selectionModel().selectedRows() == []
    assert kiosk.window.items_list.selected_items() == []


def test_a_touch_without_moving_still_selects_a_row(kiosk):
    kiosk.login()
    kiosk.touch_row(kiosk.window.items_list.model.open_rows()[0])
    assert len(kiosk.window.items_list.selected_items()) == 1


def test_every_scrolling_list_follows_a_mouse_drag(window, fake, qtbot):
    """Every list or scroll area of every screen takes a mouse drag as a scroll gesture (a scroller that only
    listens to touch events stays inactive)."""
    window.items_list.set_items(fake.items)
    window.reprint.set_certificates(fake.certificates(fake.login("demo", "demo")), fake.types)
    window.settings.show_settings(window.flow.store.settings, default_pin=True)
    window.settings.set_printers([FakePrinter(f"MFP-{n}") for n in range(20)])
    window.settings.show_section("printer")
    checked, deaf = [], []
    for name in ("list", "reprint", "settings"):
        window.show_screen(name)
        for area in window.current_screen().findChildren(QAbstractScrollArea):
            if isinstance(area, QHeaderView) or not area.isVisible():
                continue
            viewport = area.viewport()
            states = []
            QScroller.scroller(viewport).stateChanged.connect(states.append)
            start = viewport.rect().center()
            drag(qtbot, viewport, start, start - QPoint(viewport.width() // 4, viewport.height() // 3), steps=3)
            qtbot.waitUntil(lambda v=viewport: QScroller.scroller(v).state() == QScroller.State.Inactive)
            checked.append(area.objectName() or type(area).__name__)
            if QScroller.State.Pressed not in states:
                deaf.append(checked[-1])
    assert {"itemsView", "certificatesView", "printerList"} <= set(checked), checked
    assert not deaf, f"a mouse drag does not scroll {deaf}"
