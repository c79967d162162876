"""A zoomable picture of a certificate page (seed S214a: the certificate shown on the panel): drag to move it,
zoom with big buttons (no pinch needed, no hover), and one touch to make its QR code large enough to scan
from the panel with a phone or a handheld scanner.

The page comes as PNG with the place of its QR code (``kiosk.core.page_image``). ``scale`` is screen pixels per
page pixel; "fit" shows the whole page.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QScrollArea, QWidget

from kiosk.widgets.scrolling import flick_to_scroll

ZOOM_STEP = 1.4
MAX_SCALE = 4.0
QR_SCREEN_FRACTION = 0.8  # "large QR": the QR code fills this much of the view's shorter side


class PageView(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageView")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWidgetResizable(False)
        self.page = QLabel()
        self.page.setObjectName("pageImage")
        self.page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWidget(self.page)
        self._pixmap: QPixmap | None = None
        self._qr: QRect | None = None
        self._fit = True
        self._scale = 1.0
        flick_to_scroll(self)

    # -- the page ---------------------------------------------------------------------------------------
    def set_page(self, png: bytes, qr: tuple[int, int, int, int] | None) -> bool:
        """Show the page; False when ``png`` is not an image (the view stays empty)."""
        pixmap = QPixmap()
        if not pixmap.loadFromData(png, "PNG"):
            self.clear_page()
            return False
        self._pixmap = pixmap
        self._qr = QRect(*qr) if qr is not None else None
        self.fit()
        return True

    def clear_page(self) -> None:
        self._pixmap, self._qr = None, None
        self.page.clear()
        self.page.resize(0, 0)

    @property
    def has_page(self) -> bool:
        return self._pixmap is not None

    @property
    def has_qr(self) -> bool:
        return self._qr is not None

    @property
    def scale(self) -> float:
        return self._scale

    # -- zoom -------------------------------------------------------------------------------------------
    def fit_scale(self) -> float:
        if self._pixmap is None or self._pixmap.width() == 0 or self._pixmap.height() == 0:
            return 1.0
        room = self.viewport().size()
        return max(0.05, min(room.width() / self._pixmap.width(), room.height() / self._pixmap.height()))

    def fit(self) -> None:
        self._fit = True
        self._apply(self.fit_scale())

    def zoom_in(self) -> None:
        self._zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_by(1 / ZOOM_STEP)

    def _zoom_by(self, factor: float) -> None:
        center = self._center_fraction()
        self._fit = False
        self._apply(max(self.fit_scale(), min(MAX_SCALE, self._scale * factor)))
        self._center_on(center)

    def show_qr(self) -> None:
        """Zoom so that the QR code fills most of the view, and centre it."""
        if self._qr is None or self._pixmap is None:
            return
        room = self.viewport().size()
        side = max(self._qr.width(), self._qr.height(), 1)
        self._fit = False
        self._apply(min(MAX_SCALE, QR_SCREEN_FRACTION * min(room.width(), room.height()) / side))
        c = self._qr.center()
        self._center_on((c.x() / self._pixmap.width(), c.y() / self._pixmap.height()))

    def qr_on_screen(self) -> int:
        """How many screen pixels the QR code's side has now (0 without one)."""
        return round(max(self._qr.width(), self._qr.height()) * self._scale) if self._qr is not None else 0

    def _apply(self, scale: float) -> None:
        self._scale = scale
        if self._pixmap is None:
            return
        size = self._pixmap.size() * scale
        self.page.setPixmap(self._pixmap.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                                Qt.TransformationMode.SmoothTransformation))
        self.page.resize(size)

    def _center_fraction(self) -> tuple[float, float]:
        width, height = max(self.page.width(), 1), max(self.page.height(), 1)
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        room = self.viewport().size()
        return (h.value() + room.width() / 2) / width, (v.value() + room.height() / 2) / height

    def _center_on(self, fraction: tuple[float, float]) -> None:
        room = self.viewport().size()
        self.horizontalScrollBar().setValue(round(fraction[0] * self.page.width() - room.width() / 2))
        self.verticalScrollBar().setValue(round(fraction[1] * self.page.height() - room.height() / 2))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit:
            self._apply(self.fit_scale())
