"""The auditor's camera (issue #13): a live picture of what the camera sees, read for a certificate's QR code.

    verify ─Scan with the camera→ verifyCamera ─a certificate's QR code→ (the scanner's check) → verifyResult
                                       └─Back→ verify

The screen takes frames from its feed's ``QVideoSink`` (``kiosk.camera``): the picture is redrawn at most every
``PREVIEW_INTERVAL_S`` and read for QR codes (``kiosk.camera_frames``) at most every ``DECODE_INTERVAL_S``, on
the GUI thread (a read costs a few milliseconds), so touches stay answered. The first certificate payload (``GC1:``
text or a ``/verify`` link) stops the camera and is emitted as ``scanned``, which goes to the very check a barcode
scanner's text goes to; an auditor's trust anchor (``GCT1:``) stops it too and is emitted as ``anchorScanned``. Any
other QR code gets a plain notice, and the camera keeps looking.

The camera runs only while this screen is shown: leaving it (Back, the idle timeout's ``clear()``, any other
screen) stops it and clears the picture. A camera that fails or is unplugged stops with a plain message and a
"Try again" button. QtMultimedia is not imported here: the feed is made when the screen is first started
(``feed_factory``, the real camera by default; tests give a fake one).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QHideEvent, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from kiosk.camera import CameraFeed
from kiosk.camera_frames import FrameReading, preview_image, read_frame
from kiosk.core.auditor_anchor import looks_like_anchor
from kiosk.core.language import Language
from kiosk.qt_compat import emit
from kiosk.screens.base import Screen
from kiosk.widgets.camera_preview import CameraPreview
from kiosk.widgets.controls import button_row, label, touch_button

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QVideoFrame

PREVIEW_INTERVAL_S = 0.08  # ~12 pictures a second: smooth enough to aim, cheap enough on a kiosk's CPU
DECODE_INTERVAL_S = 0.2  # five reads a second
FeedFactory = Callable[[QObject], CameraFeed]


def real_camera(parent: QObject) -> CameraFeed:
    from kiosk.camera import QtCameraFeed

    return QtCameraFeed(parent)


class VerifyCameraScreen(Screen):
    name = "verifyCamera"
    scanned = Signal(str)  # a certificate's payload as read from the QR code
    anchorScanned = Signal(str)  # an auditor's trust anchor (GCT1:), passed on to the verify screen
    backRequested = Signal()

    def __init__(self, lang: Language, parent: QWidget | None = None, *, feed_factory: FeedFactory = real_camera,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(lang, parent)
        self.feed_factory = feed_factory
        self.clock = clock
        self.decode_interval_s = DECODE_INTERVAL_S
        self.preview_interval_s = PREVIEW_INTERVAL_S
        self.feed: CameraFeed | None = None
        self.state = "stopped"  # "starting" | "scanning" | "failed" | "stopped"
        self._status_id = "verify_camera.starting"
        self._notice_id: str | None = None
        self._last_preview = -math.inf
        self._last_decode = -math.inf
        self.last_reading: FrameReading | None = None

        self.title = label("title", role="title")
        self.hint = label("cameraHint", role="summary")
        self.status = label("cameraStatus")
        self.notice = label("notice", role="notice")
        self.preview = CameraPreview()
        self.back = touch_button("back")
        self.retry = touch_button("cameraRetry", primary=True)
        self.retry.hide()

        side = QVBoxLayout()
        side.addWidget(self.hint)
        side.addSpacing(12)
        side.addWidget(self.status)
        side.addWidget(self.notice)
        side.addStretch(1)
        body = self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)  # picture above the words on a portrait panel
        body.setSpacing(24)
        body.addWidget(self.preview, 5)
        body.addLayout(side, 4)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(body, 1)
        layout.addSpacing(8)
        layout.addLayout(button_row(self.back, self.retry))

        self.back.clicked.connect(self.backRequested)
        self.retry.clicked.connect(self.start)
        self.retranslate()

    # -- the camera -----------------------------------------------------------------------------------------
    def start(self) -> None:
        """Turn the camera on (again) and look for a certificate."""
        feed = self._feed()
        self._last_preview = self._last_decode = -math.inf
        self.last_reading = None
        self.state = "starting"
        self._status_id = "verify_camera.starting"
        self._notice_id = None
        self.retranslate()
        feed.start()

    def stop(self) -> None:
        """Turn the camera off (the picture stays until ``clear``)."""
        if self.feed is not None and self.feed.active:
            self.feed.stop()
        if self.state in ("starting", "scanning"):
            self.state = "stopped"

    def _feed(self) -> CameraFeed:
        if self.feed is None:
            feed = self.feed_factory(self)
            feed.started.connect(self._started)
            feed.failed.connect(self._failed)
            feed.sink.videoFrameChanged.connect(self._frame)
            self.feed = feed
        return self.feed

    def _started(self) -> None:
        if self.state == "starting":
            self.state = "scanning"
            self._status_id = "verify_camera.looking"
            self.retranslate()

    def _failed(self, reason: str) -> None:
        if self.state not in ("starting", "scanning"):
            return
        self.state = "failed"
        self._status_id = f"verify_camera.{reason}" if reason in ("no_camera", "unplugged") else "verify_camera.failed"
        self._notice_id = None
        self.preview.clear()
        self.retranslate()

    def _frame(self, frame: QVideoFrame) -> None:
        if self.state not in ("starting", "scanning"):
            return  # a frame still on its way after the camera was stopped
        if self.state == "starting":
            self._started()
        now = self.clock()
        if now - self._last_preview >= self.preview_interval_s:
            self._last_preview = now
            image = preview_image(frame)
            if image is not None:
                self.preview.show_image(image)
        if now - self._last_decode >= self.decode_interval_s:
            self._last_decode = now
            self.take(read_frame(frame))

    def take(self, reading: FrameReading) -> None:
        """What one frame showed: a certificate ends the scan; another QR code gets a notice; nothing, nothing."""
        self.last_reading = reading
        if reading.kind == "certificate" and reading.payload is not None:
            self.stop()
            self.state = "stopped"
            emit(self.scanned, reading.payload)
        elif (anchor := next((t for t in reading.others if looks_like_anchor(t)), None)) is not None:
            self.stop()
            self.state = "stopped"
            emit(self.anchorScanned, anchor.strip())
        elif reading.kind == "other" and self._notice_id != "verify_camera.not_certificate":
            self._notice_id = "verify_camera.not_certificate"
            self.retranslate()

    # -- the screen -----------------------------------------------------------------------------------------
    def clear(self) -> None:
        """Idle timeout and logout: the camera off, no picture, no notice."""
        self.stop()
        self.state = "stopped"
        self.preview.clear()
        self._notice_id = None
        self._status_id = "verify_camera.starting"
        self.last_reading = None
        self.retranslate()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        portrait = event.size().width() < event.size().height()
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight)

    def hideEvent(self, event: QHideEvent) -> None:
        self.stop()  # the camera never runs behind another screen
        super().hideEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.t("verify_camera.title"))
        self.hint.setText(self.t("verify_camera.hint"))
        self.hint.setVisible(self.state != "failed")  # no QR code to hold up: the failure's words instead
        self.status.setText(self.t(self._status_id))
        self.status.setProperty("role", "notice" if self.state == "failed" else "body")
        self.status.style().polish(self.status)
        self.notice.setText(self.t(self._notice_id) if self._notice_id else "")
        self.notice.setVisible(self._notice_id is not None)
        self.back.setText(self.t("button.back"))
        self.retry.setText(self.t("button.retry"))
        self.retry.setVisible(self.state == "failed")
