"""A camera frame → the certificate QR code it shows (issue #13, the auditor's mode with a camera).

Frames come from a ``QVideoSink`` as ``QVideoFrame``s in whatever pixel format the camera delivers. The QR reader
(zxing-cpp, the same library ``printing.reading`` reads PDFs and photos with) needs only brightness, so it reads
the frame's memory where brightness lies in a known place — the Y plane of NV12/NV21/YUV 4:2:0/4:2:2, every other
byte of YUYV/UYVY, the green byte of 32-bit RGB — with no conversion and no copy; only other formats (e.g. MJPEG)
go through ``QVideoFrame.toImage()`` and a grey ``QImage`` (scaled down above ``MAX_DECODE_SIDE``).

What was read is judged by the same rule as a barcode scanner's text (``kiosk.core.auditor.looks_like_payload``, i.e.
``ledger_lite.audit.payload_text``): a ``GC1:`` payload or a ``/verify`` link carrying one is a certificate; any
other QR code is "not a certificate" (the screen says so and keeps looking).

QtMultimedia is not imported here (a frame is only used through its methods), so this module loads where
PySide6-Addons is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from kiosk.core.auditor import looks_like_payload

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QVideoFrame

MAX_DECODE_SIDE = 1920  # px: larger pictures (a 4K camera's, in MJPEG) are scaled down before reading

# QVideoFrameFormat.PixelFormat names whose first plane is 8-bit luminance, one byte a pixel.
_Y_PLANE_FIRST = frozenset({"Format_NV12", "Format_NV21", "Format_YUV420P", "Format_YV12", "Format_YUV422P",
                            "Format_IMC1", "Format_IMC2", "Format_IMC3", "Format_IMC4", "Format_Y8"})
# Two bytes a pixel: luminance (or its high byte, little-endian) in every other byte, starting at this offset.
_PACKED_Y_OFFSET = {"Format_YUYV": 0, "Format_UYVY": 1, "Format_Y16": 1}
# 32-bit RGB: the green byte stands in for brightness (a printed QR code is black on white), at this offset.
_GREEN_OFFSET = {"Format_BGRA8888": 1, "Format_BGRX8888": 1, "Format_BGRA8888_Premultiplied": 1,
                 "Format_RGBA8888": 1, "Format_RGBX8888": 1, "Format_ARGB8888": 2, "Format_XRGB8888": 2,
                 "Format_ARGB8888_Premultiplied": 2, "Format_ABGR8888": 2, "Format_XBGR8888": 2}

Kind = Literal["none", "other", "certificate"]


@dataclass(frozen=True)
class FrameReading:
    """What one frame showed: ``none`` (no QR code could be read), ``other`` (QR codes, none a certificate: their
    texts), or ``certificate`` (``payload``: the first certificate's text, as read)."""

    kind: Kind
    payload: str | None = None
    others: tuple[str, ...] = ()


def _texts(image: object) -> list[str]:
    texts: list[str] = []
    for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
        text = str(barcode.text)
        if barcode.valid and text and text not in texts:
            texts.append(text)
    return texts


def read_texts(image: QImage) -> list[str]:
    """The distinct texts of the QR codes in ``image`` (any ``QImage`` format), in the order zxing-cpp found them."""
    if max(image.width(), image.height()) > MAX_DECODE_SIDE:
        image = image.scaled(MAX_DECODE_SIDE, MAX_DECODE_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.FastTransformation)
    grey = image if image.format() == QImage.Format.Format_Grayscale8 else image.convertToFormat(
        QImage.Format.Format_Grayscale8)
    return _texts(grey)


def judge(texts: list[str]) -> FrameReading:
    """The first certificate among ``texts``, or what else there was."""
    for text in texts:
        if looks_like_payload(text):
            return FrameReading("certificate", payload=text.strip())
    return FrameReading("other", others=tuple(texts)) if texts else FrameReading("none")


def read_image(image: QImage) -> FrameReading:
    return judge(read_texts(image)) if not image.isNull() else FrameReading("none")


def read_frame(frame: QVideoFrame) -> FrameReading:
    """The certificate (or not) in one camera frame; an invalid or unreadable frame is ``none``.

    Where the frame's memory holds brightness in a known place (the Y plane, every other byte of YUYV/UYVY, the
    green byte of 32-bit RGB), zxing-cpp reads it there through an ``ImageView`` while the frame is mapped: no
    conversion, no copy (zxing-cpp scales large frames down itself). Other formats go through a ``QImage``."""
    if not frame.isValid():
        return FrameReading("none")
    from PySide6.QtMultimedia import QVideoFrame  # here only: the frame proves it is there

    name = frame.pixelFormat().name
    step, offset = _luminance_layout(name)
    if step == 0:
        image = frame.toImage()  # Qt's own conversion (MJPEG, 10-bit YUV, ...)
        return read_image(image)
    if not frame.map(QVideoFrame.MapMode.ReadOnly):
        return FrameReading("none")
    try:
        bits = frame.bits(0)
        if bits is None or frame.width() <= 0 or frame.height() <= 0:
            return FrameReading("none")
        data = memoryview(bits).cast("B")[offset:]
        stride = frame.bytesPerLine(0)
        rows = min(frame.height(), len(data) // stride)  # zxing-cpp wants whole rows: a shifted view loses the last
        # any buffer will do; zxing-cpp's stubs name numpy's array (a numpy present makes mypy hold it to that)
        view = zxingcpp.ImageView(cast(Any, data), frame.width(), rows, zxingcpp.ImageFormat.Lum, stride, step)
        return judge(_texts(view))
    finally:
        frame.unmap()


def _luminance_layout(pixel_format: str) -> tuple[int, int]:
    """Bytes from one pixel's brightness to the next in plane 0, and the first one's offset; (0, 0): unknown."""
    if pixel_format in _Y_PLANE_FIRST:
        return 1, 0
    if pixel_format in _PACKED_Y_OFFSET:
        return 2, _PACKED_Y_OFFSET[pixel_format]
    if pixel_format in _GREEN_OFFSET:
        return 4, _GREEN_OFFSET[pixel_format]
    return 0, 0


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


__all__ = ["MAX_DECODE_SIDE", "FrameReading", "judge", "preview_image", "read_frame", "read_image", "read_texts"]
