"""A camera for the auditor's-mode tests and screenshots (issue #13) where the machine has none: ``FakeCameraFeed``
hands a real ``QVideoSink`` to the camera screen and turns pictures into real ``QVideoFrame``s pushed through it
(``QVideoSink.setVideoFrame``), as QtMultimedia does with a camera's frames; ``qr_picture`` draws what a camera
would see: a sheet of paper on a desk with a QR code of the given text (segno, as on the printed certificate).

Needs QtMultimedia (PySide6-Addons): import it after checking, e.g. ``pytest.importorskip("PySide6.QtMultimedia")``.
"""

from __future__ import annotations

import io

import segno
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter, QTransform
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat, QVideoSink

from kiosk.camera import CameraFeed
from kiosk.qt_compat import emit

DESK_TOP = QColor("#6b645c")
DESK_BOTTOM = QColor("#3f3a35")


class FakeCameraFeed(CameraFeed):
    """Counts ``start``/``stop``; ``show`` pushes a picture as a frame; ``fail`` is a camera error or unplugging."""

    def __init__(self, parent: QObject | None = None, *, starts: bool = True) -> None:
        super().__init__(parent)
        self.sink = QVideoSink(self)
        self.starts_ok = starts  # False: start() fails at once, like a camera that cannot be opened
        self._active = False
        self.started_count = 0
        self.stopped_count = 0

    @property
    def active(self) -> bool:
        return self._active

    def start(self) -> None:
        self.started_count += 1
        if not self.starts_ok:
            emit(self.failed, "failed")
            return
        self._active = True
        emit(self.started)

    def stop(self) -> None:
        if self._active:
            self.stopped_count += 1
        self._active = False

    def fail(self, reason: str) -> None:
        self._active = False
        emit(self.failed, reason)

    def show(self, picture: QImage | QVideoFrame) -> None:
        self.sink.setVideoFrame(picture if isinstance(picture, QVideoFrame) else QVideoFrame(picture))


def qr_image(text: str, *, scale: int = 6) -> QImage:
    """The QR code of ``text`` (error correction M, quiet zone of 4 modules) as a black-and-white image."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    image = QImage.fromData(buffer.getvalue())
    assert not image.isNull()
    return image


def qr_picture(text: str | None, *, size: tuple[int, int] = (1280, 720), qr_px: int = 380,
               tilt_deg: float = 4.0, blur: int = 0) -> QImage:
    """A camera's view: a desk, a slightly turned sheet with a few lines of print and (unless ``text`` is None) a
    QR code of ``text`` about ``qr_px`` pixels wide in the middle. RGB32, like many cameras' frames. ``blur``: the
    QR code smeared as by a moving hand (drawn from an image ``blur`` times smaller), too blurred to read."""
    width, height = size
    image = QImage(width, height, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        desk = QLinearGradient(QPointF(0, 0), QPointF(0, height))
        desk.setColorAt(0, DESK_TOP)
        desk.setColorAt(1, DESK_BOTTOM)
        painter.fillRect(0, 0, width, height, desk)
        painter.setTransform(QTransform().translate(width / 2, height / 2).rotate(tilt_deg))
        sheet = QRectF(-qr_px * 0.85, -qr_px * 0.85, qr_px * 1.7, qr_px * 1.9)
        painter.fillRect(sheet, QColor("#f7f5ef"))
        painter.setPen(QColor("#3c3c3c"))
        font = QFont()
        font.setPixelSize(max(10, qr_px // 22))
        painter.setFont(font)
        for line in range(3):
            y = sheet.top() + qr_px * 0.08 + line * qr_px * 0.06
            painter.drawLine(QPointF(sheet.left() + qr_px * 0.12, y), QPointF(sheet.right() - qr_px * 0.3, y))
        if text is not None:
            code = qr_image(text)
            if blur > 1:
                small = code.convertToFormat(QImage.Format.Format_RGB32)
                code = small.scaled(max(1, code.width() // blur), max(1, code.height() // blur),
                                    mode=Qt.TransformationMode.SmoothTransformation)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, blur > 1)
            painter.drawImage(QRectF(-qr_px / 2, -qr_px / 2 + qr_px * 0.1, qr_px, qr_px), code)
    finally:
        painter.end()
    return image


def yuv_frame(picture: QImage, pixel_format: str) -> QVideoFrame:
    """``picture``'s brightness as a frame in a camera's YUV format (``"Format_NV12"``, ``"Format_YUYV"``,
    ``"Format_UYVY"``, ``"Format_YUV420P"``), colour planes grey: what a webcam delivers."""
    grey = picture.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height = grey.width(), grey.height()
    frame = QVideoFrame(QVideoFrameFormat(grey.size(), getattr(QVideoFrameFormat.PixelFormat, pixel_format)))
    assert frame.map(QVideoFrame.MapMode.WriteOnly), pixel_format
    try:
        rows = [bytes(grey.constBits()[y * grey.bytesPerLine(): y * grey.bytesPerLine() + width])
                for y in range(height)]
        if pixel_format in ("Format_YUYV", "Format_UYVY"):
            stride, first = frame.bytesPerLine(0), 0 if pixel_format == "Format_YUYV" else 1
            data = bytearray(b"\x80" * (stride * height))
            for y, row in enumerate(rows):
                data[y * stride + first: y * stride + first + 2 * width: 2] = row
            frame.bits(0)[: len(data)] = bytes(data)
        else:
            stride = frame.bytesPerLine(0)
            plane = bytearray(stride * height)
            for y, row in enumerate(rows):
                plane[y * stride: y * stride + width] = row
            frame.bits(0)[: len(plane)] = bytes(plane)
            for index in range(1, frame.planeCount()):
                colour = frame.bits(index)
                colour[:] = b"\x80" * len(colour)
    finally:
        frame.unmap()
    return frame


def jpeg_frame(picture: QImage) -> QVideoFrame:
    """``picture`` as an MJPEG camera's frame (``Format_Jpeg``: the JPEG file's bytes in the frame's memory)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert picture.save(buffer, "JPG", 92)
    frame = QVideoFrame(QVideoFrameFormat(picture.size(), QVideoFrameFormat.PixelFormat.Format_Jpeg))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    try:
        memory = frame.bits(0)
        assert len(memory) >= data.size()
        memory[: data.size()] = data.data()
    finally:
        frame.unmap()
    return frame


__all__ = ["FakeCameraFeed", "jpeg_frame", "qr_image", "qr_picture", "yuv_frame"]
