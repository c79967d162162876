"""Kinetic scrolling for every list and scroll area of the kiosk: a finger (or the mouse events most MFP panels
send for a touch) dragged across a list scrolls it, and flicking it keeps it moving; it does not select rows.

``QScroller``'s touch gesture only sees touch events; a panel that sends mouse events needs the left-button
gesture, which also serves touch panels (Qt turns a touch nobody handles into mouse events). A touch that does
not move still reaches the list as a click, so touching a row still selects it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QAbstractScrollArea, QScroller, QScrollerProperties


def flick_to_scroll(area: QAbstractScrollArea) -> None:
    """Make a drag on ``area`` scroll it (pixel by pixel for item views), never select or drag items."""
    if isinstance(area, QAbstractItemView):
        area.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        area.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        area.setDragEnabled(False)
    viewport = area.viewport()
    QScroller.grabGesture(viewport, QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    scroller = QScroller.scroller(viewport)
    properties = scroller.scrollerProperties()
    # No rubber band past the ends: the list stays where the finger left it.
    off = QScrollerProperties.OvershootPolicy.OvershootAlwaysOff
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.VerticalOvershootPolicy, off)
    properties.setScrollMetric(QScrollerProperties.ScrollMetric.HorizontalOvershootPolicy, off)
    scroller.setScrollerProperties(properties)
