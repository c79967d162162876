"""What the camera sees, for the auditor to aim the certificate's QR code (issue #13): the latest picture, scaled to
fit, with a green square in the middle where the QR code should go. Dark when there is no picture."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

BACKGROUND = QColor("#1e2420")
GUIDE = QColor("#4cc27a")
GUIDE_SHARE = 0.62  # of the picture's shorter side
GUIDE_PEN_PX = 5


class CameraPreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraPreview")
        self.setMinimumSize(240, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._image = QImage()

    @property
    def image(self) -> QImage:
        return self._image

    def show_image(self, image: QImage) -> None:
        self._image = image
        self.update()

    def clear(self) -> None:
        self._image = QImage()
        self.update()

    def picture_rect(self) -> QRectF:
        """Where the picture is drawn (centred, its aspect kept); the whole widget when there is none."""
        area = QRectF(self.rect())
        if self._image.isNull():
            return area
        size = self._image.size().toSizeF().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRectF(area.center().x() - size.width() / 2, area.center().y() - size.height() / 2,
                      size.width(), size.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.fillRect(self.rect(), BACKGROUND)
            target = self.picture_rect()
            if not self._image.isNull():
                painter.drawImage(target, self._image)
            side = min(target.width(), target.height()) * GUIDE_SHARE
            guide = QRectF(target.center().x() - side / 2, target.center().y() - side / 2, side, side)
            painter.setPen(QPen(GUIDE, GUIDE_PEN_PX))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(guide, 12, 12)
        finally:
            painter.end()
