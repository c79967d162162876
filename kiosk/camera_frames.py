"""A camera frame → the certificate QR code it shows (issue #13, the auditor's mode with a camera).

Frames come from a ``QVideoSink`` as ``QVideoFrame``s in whatever pixel format the camera delivers. The QR reader
(zxing-cpp, the same library ``printing.reading`` reads PDFs and photos with) needs only brightness, so the frame's
luminance is taken straight from its memory where the format allows — the Y plane of NV12/NV21/YUV 4:2:0/4:2:2,
every other byte of YUYV/UYVY, an RGB frame converted by ``QImage`` — and only other formats (e.g. MJPEG) go through
``QVideoFrame.toImage()``. Large frames are scaled down first: a QR code held 15–25 cm from the lens fills a good
part of even a 640×480 frame.

What was read is judged by the same rule as a barcode scanner's text (``kiosk.core.auditor.looks_like_payload``, i.e.
``ledger_lite.audit.payload_text``): a ``GC1:`` payload or a ``/verify`` link carrying one is a certificate; any
other QR code is "not a certificate" (the screen says so and keeps looking).

QtMultimedia is not imported here (a frame is only used through its methods), so this module loads where
PySide6-Addons is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from kiosk.core.auditor import looks_like_payload

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QVideoFrame

MAX_DECODE_SIDE = 1280  # px: longer frames are scaled down before decoding (a 1080p frame costs ~2.3× as much)

# QVideoFrameFormat.PixelFormat names whose first plane is 8-bit luminance, one byte a pixel.
_Y_PLANE_FIRST = frozenset({"Format_NV12", "Format_NV21", "Format_YUV420P", "Format_YV12", "Format_YUV422P",
                            "Format_IMC1", "Format_IMC2", "Format_IMC3", "Format_IMC4", "Format_Y8"})
# Packed 4:2:2: luminance in every other byte, starting at this offset.
_PACKED_Y_OFFSET = {"Format_YUYV": 0, "Format_UYVY": 1}

Kind = Literal["none", "other", "certificate"]


@dataclass(frozen=True)
class FrameReading:
    """What one frame showed: ``none`` (no QR code could be read), ``other`` (QR codes, none a certificate: their
    texts), or ``certificate`` (``payload``: the first certificate's text, as read)."""

    kind: Kind
    payload: str | None = None
    others: tuple[str, ...] = ()


def read_texts(image: QImage) -> list[str]:
    """The distinct texts of the QR codes in ``image`` (any ``QImage`` format), in the order zxing-cpp found them."""
    grey = image if image.format() == QImage.Format.Format_Grayscale8 else image.convertToFormat(
        QImage.Format.Format_Grayscale8)
    grey = _bounded(grey)
    texts: list[str] = []
    for barcode in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
        text = str(barcode.text)
        if barcode.valid and text and text not in texts:
            texts.append(text)
    return texts


def judge(texts: list[str]) -> FrameReading:
    """The first certificate among ``texts``, or what else there was."""
    for text in texts:
        if looks_like_payload(text):
            return FrameReading("certificate", payload=text.strip())
    return FrameReading("other", others=tuple(texts)) if texts else FrameReading("none")


def read_image(image: QImage) -> FrameReading:
    return judge(read_texts(image)) if not image.isNull() else FrameReading("none")


def read_frame(frame: QVideoFrame) -> FrameReading:
    """The certificate (or not) in one camera frame; an invalid or unreadable frame is ``none``."""
    grey = luminance(frame)
    return read_image(grey) if grey is not None else FrameReading("none")


def luminance(frame: QVideoFrame) -> QImage | None:
    """The frame as an 8-bit grey ``QImage`` (a copy: the frame may be reused by the camera), or None."""
    if not frame.isValid():
        return None
    from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat  # here only: the frame proves it is there

    name = frame.pixelFormat().name
    direct = QVideoFrameFormat.imageFormatFromPixelFormat(frame.pixelFormat())
    if name not in _Y_PLANE_FIRST and name not in _PACKED_Y_OFFSET and direct == QImage.Format.Format_Invalid:
        image = frame.toImage()  # Qt's own conversion (JPEG, 10-bit YUV, ...)
        return None if image.isNull() else image.convertToFormat(QImage.Format.Format_Grayscale8)
    if not frame.map(QVideoFrame.MapMode.ReadOnly):
        return None
    try:
        width, height = frame.width(), frame.height()
        stride = frame.bytesPerLine(0)
        bits = frame.bits(0)
        if bits is None or width <= 0 or height <= 0:
            return None
        if name in _Y_PLANE_FIRST:
            return QImage(bits, width, height, stride, QImage.Format.Format_Grayscale8).copy()
        if name in _PACKED_Y_OFFSET:
            return _every_other_byte(memoryview(bits).cast("B"), width, height, stride, _PACKED_Y_OFFSET[name])
        return QImage(bits, width, height, stride, direct).convertToFormat(QImage.Format.Format_Grayscale8)
    finally:
        frame.unmap()


def preview_image(frame: QVideoFrame) -> QImage | None:
    """The frame in colour for the screen (a copy), or None: RGB formats straight from memory, others by Qt."""
    if not frame.isValid():
        return None
    from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

    direct = QVideoFrameFormat.imageFormatFromPixelFormat(frame.pixelFormat())
    if direct == QImage.Format.Format_Invalid:
        image = frame.toImage()
        return None if image.isNull() else image
    if not frame.map(QVideoFrame.MapMode.ReadOnly):
        return None
    try:
        bits = frame.bits(0)
        if bits is None:
            return None
        return QImage(bits, frame.width(), frame.height(), frame.bytesPerLine(0), direct).copy()
    finally:
        frame.unmap()


def _every_other_byte(data: memoryview, width: int, height: int, stride: int, offset: int) -> QImage:
    rows = b"".join(data[row * stride + offset: row * stride + offset + 2 * width: 2].tobytes()
                    for row in range(height))
    return QImage(rows, width, height, width, QImage.Format.Format_Grayscale8).copy()


def _bounded(image: QImage) -> QImage:
    if max(image.width(), image.height()) <= MAX_DECODE_SIDE:
        return image
    return image.scaled(MAX_DECODE_SIDE, MAX_DECODE_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


__all__ = ["MAX_DECODE_SIDE", "FrameReading", "judge", "luminance", "preview_image", "read_frame", "read_image",
           "read_texts"]
