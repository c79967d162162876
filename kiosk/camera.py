"""The camera of the auditor's mode (issue #13): is there one, and its frames while the camera screen is shown.

QtMultimedia comes with PySide6-Addons, which a kiosk may lack, and most MFP panels have no camera, so both are
checked once at start-up (``camera_available``): without either, the verify screen offers no camera button and
nothing else changes. QtMultimedia is imported only inside these functions and ``QtCameraFeed``, never at import.

A ``CameraFeed`` delivers frames into its ``sink`` (a ``QVideoSink``) between ``start()`` and ``stop()``, says
``started`` when the first picture can come, and ``failed(reason)`` — ``"no_camera"``, ``"failed"`` (the camera
reported an error or stopped by itself) or ``"unplugged"`` — after which it is stopped. ``QtCameraFeed`` is the real
one (``QMediaCaptureSession`` + ``QCamera``); tests use a fake one that pushes frames into a real sink.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QSize, Signal

from kiosk.qt_compat import emit

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QCamera, QCameraFormat, QVideoSink

log = logging.getLogger(__name__)

# The camera mode asked for: uncompressed frames (YUV, RGB: read where they lie, kiosk.camera_frames) at ten or more
# a second if the camera has them, since an MJPEG frame costs ~10x as much to read (bench/camera_scan.py); then the
# largest picture up to 1280×720 (a QR code 15–25 cm away needs no more); then the highest frame rate.
MAX_CAPTURE = QSize(1280, 720)
MIN_RAW_FPS = 10.0
FAILURES = ("no_camera", "failed", "unplugged")


def multimedia() -> Any | None:
    """The ``PySide6.QtMultimedia`` module, or None where it is not installed (PySide6-Essentials only)."""
    try:
        return importlib.import_module("PySide6.QtMultimedia")
    except ImportError:
        return None


def video_inputs() -> int:
    """How many cameras Qt sees (0 without QtMultimedia)."""
    module = multimedia()
    if module is None:
        return 0
    try:
        return len(module.QMediaDevices.videoInputs())
    except Exception as exc:  # a broken multimedia backend must not stop the kiosk
        log.info("no camera: QtMultimedia could not list video inputs (%s)", exc)
        return 0


def camera_available() -> bool:
    """Offer the camera in the auditor's mode: QtMultimedia imports and at least one camera is attached."""
    return video_inputs() > 0


class CameraFeed(QObject):
    """Frames from a camera into ``sink`` (see the module's docstring)."""

    started = Signal()
    failed = Signal(str)  # one of FAILURES
    sink: QVideoSink

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    @property
    def active(self) -> bool:
        raise NotImplementedError


class _FormatLike(Protocol):
    def resolution(self) -> QSize: ...

    def maxFrameRate(self) -> float: ...

    def pixelFormat(self) -> Any: ...


def choose_format(formats: Sequence[_FormatLike]) -> _FormatLike | None:
    """The camera mode to ask for (see ``MAX_CAPTURE``); None: none fits, leave the camera's default."""
    fitting = [f for f in formats if 0 < f.resolution().width() <= MAX_CAPTURE.width()
               and 0 < f.resolution().height() <= MAX_CAPTURE.height()]
    if not fitting:
        return None

    def preference(f: _FormatLike) -> tuple[bool, int, float]:
        raw = getattr(f.pixelFormat(), "name", "") != "Format_Jpeg" and f.maxFrameRate() >= MIN_RAW_FPS
        return raw, f.resolution().width() * f.resolution().height(), f.maxFrameRate()

    return max(fitting, key=preference)


class QtCameraFeed(CameraFeed):
    """The default camera (``QMediaDevices.defaultVideoInput``) through a ``QMediaCaptureSession``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QMediaCaptureSession, QMediaDevices, QVideoSink

        self.sink = QVideoSink(self)
        self._session = QMediaCaptureSession(self)
        self._session.setVideoSink(self.sink)
        self._devices = QMediaDevices(self)
        self._devices.videoInputsChanged.connect(self._inputs_changed)
        self._camera: QCamera | None = None
        self._device_id = b""

    @property
    def active(self) -> bool:
        return self._camera is not None

    def start(self) -> None:
        from PySide6.QtMultimedia import QCamera, QMediaDevices

        self.stop()
        device = QMediaDevices.defaultVideoInput()
        if device.isNull():
            emit(self.failed, "no_camera")
            return
        camera = QCamera(device, self)
        chosen = choose_format(device.videoFormats())
        if chosen is not None:
            camera.setCameraFormat(_as_camera_format(chosen))
        camera.errorOccurred.connect(lambda _error, text: self._error(camera, text))
        camera.activeChanged.connect(lambda active: self._active_changed(camera, active))
        self._camera = camera
        self._device_id = bytes(device.id().data())
        self._session.setCamera(camera)
        log.info("camera %s starting", device.description())
        camera.start()

    def stop(self) -> None:
        camera, self._camera = self._camera, None
        if camera is None:
            return
        camera.stop()  # its activeChanged(False) now finds another (or no) camera: ignored
        self._session.setCamera(None)  # type: ignore[arg-type]  # nullptr: no camera (the stubs miss it)
        camera.deleteLater()

    def _active_changed(self, camera: QCamera, active: bool) -> None:
        if camera is not self._camera:
            return
        if active:
            emit(self.started)
        else:
            log.warning("the camera stopped by itself")
            self._fail("failed")

    def _error(self, camera: QCamera, text: str) -> None:
        if camera is self._camera:
            log.warning("camera error: %s", text)
            self._fail("failed")

    def _inputs_changed(self) -> None:
        from PySide6.QtMultimedia import QMediaDevices

        if self._camera is None:
            return
        if all(bytes(d.id().data()) != self._device_id for d in QMediaDevices.videoInputs()):
            log.warning("the camera was unplugged")
            self._fail("unplugged")

    def _fail(self, reason: str) -> None:
        self.stop()
        emit(self.failed, reason)


def _as_camera_format(chosen: _FormatLike) -> QCameraFormat:
    from PySide6.QtMultimedia import QCameraFormat

    assert isinstance(chosen, QCameraFormat)
    return chosen


__all__ = ["FAILURES", "MAX_CAPTURE", "MIN_RAW_FPS", "CameraFeed", "QtCameraFeed", "camera_available", "choose_format",
           "multimedia", "video_inputs"]
