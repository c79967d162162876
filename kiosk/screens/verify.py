"""The auditor's way in (issue #13, no log-in): scan the certificate's QR code with a USB barcode scanner, with a
camera where the kiosk has one, or pick a PDF or photo on a USB stick.

The scanner types into this screen itself (``kiosk.widgets.wedge``): there is no text field to touch, so the
on-screen keyboard never opens, and the screen keeps the keyboard focus while it is shown. The camera button is
shown only when the flow found a camera (``set_camera_available``).

An auditor who brings their own trust anchor scans its ``GCT1:`` QR here (or with the camera: ``load_anchor``):
the screen holds it for this auditor (``anchor``, in memory only) and says plainly that checks use it, with a big
"Stop using it" button; ``clear`` (Finish, Back, the idle timeout) forgets it. A malformed one gets a notice and
nothing is loaded.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.core.auditor import MAX_SCAN_CHARS, looks_like_payload
from kiosk.core.auditor_anchor import LoadedAnchor, load_anchor, looks_like_anchor
from kiosk.core.language import Language
from kiosk.qt_compat import emit
from kiosk.screens.base import Screen
from kiosk.widgets.controls import button_row, label, touch_button
from kiosk.widgets.wedge import WedgeInput
from ledger_lite.trust_anchor import TrustError


class VerifyScreen(Screen):
    name = "verify"
    scanned = Signal(str)  # a GC1 payload from the scanner
    filesRequested = Signal()
    cameraRequested = Signal()
    backRequested = Signal()

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._notice_id: str | None = None
        self._anchor: LoadedAnchor | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.wedge = WedgeInput(max_chars=MAX_SCAN_CHARS, parent=self)
        self.title = label("title", role="title")
        self.prompt = label("prompt", role="summary")
        self.status = label("scanStatus")
        self.notice = label("notice", role="notice")
        self.anchor_hint = label("anchorHint")
        self.anchor_note = label("anchorNote", role="summary")
        self.anchor_note.setTextFormat(Qt.TextFormat.PlainText)  # the chain id is the anchor's: never markup
        self.stop_anchor = touch_button("verifyStopAnchor", primary=True)
        self.back = touch_button("back")
        self.camera = touch_button("verifyCamera")
        self.files = touch_button("verifyFiles", primary=True)
        self.camera.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.prompt)
        layout.addSpacing(12)
        layout.addWidget(self.status)
        layout.addWidget(self.notice)
        layout.addSpacing(12)
        layout.addWidget(self.anchor_hint)
        layout.addWidget(self.anchor_note)
        layout.addLayout(button_row(self.stop_anchor))
        layout.addStretch(1)
        layout.addLayout(button_row(self.back, self.camera, self.files))

        self.back.clicked.connect(self.backRequested)
        self.files.clicked.connect(self.filesRequested)
        self.camera.clicked.connect(self.cameraRequested)
        self.stop_anchor.clicked.connect(self.stop_using_anchor)
        self.wedge.scanned.connect(self._scanned)
        self.wedge.overflowed.connect(lambda: self.show_notice("verify.too_long"))
        self.retranslate()

    def set_camera_available(self, available: bool) -> None:
        self.camera.setVisible(available)
        self.retranslate()  # the prompt names the camera only where there is one

    @property
    def camera_available(self) -> bool:
        return not self.camera.isHidden()

    def show_notice(self, message_id: str | None) -> None:
        self._notice_id = message_id
        self.retranslate()

    @property
    def anchor(self) -> LoadedAnchor | None:
        """The auditor's own trust anchor, while it is loaded."""
        return self._anchor

    def load_anchor(self, text: str) -> bool:
        """Load the ``GCT1:`` anchor ``text`` for this auditor; a malformed one: a notice, nothing changes."""
        try:
            anchor = load_anchor(text)
        except TrustError:
            self.show_notice("verify.anchor_bad")
            return False
        self._anchor = anchor
        self.show_notice("verify.anchor_loaded")
        return True

    def stop_using_anchor(self) -> None:
        self._anchor = None
        self.show_notice("verify.anchor_stopped")
        self.setFocus()

    def start_over(self) -> None:
        """Another check by the same auditor: no notice, the anchor kept."""
        self.wedge.clear()
        self.show_notice(None)

    def clear(self) -> None:
        """Finish, Back, the idle timeout: nothing of this auditor stays, the anchor neither."""
        self._anchor = None
        self.start_over()

    def retranslate(self) -> None:
        self.title.setText(self.t("verify.title"))
        self.prompt.setText(self.t("verify.prompt_camera" if self.camera_available else "verify.prompt"))
        self.status.setText(self.t("verify.ready"))
        self.back.setText(self.t("button.back"))
        self.files.setText(self.t("verify.files"))
        self.camera.setText(self.t("verify.camera"))
        self.notice.setText(self.t(self._notice_id) if self._notice_id else "")
        self.notice.setVisible(self._notice_id is not None)
        anchor = self._anchor
        self.anchor_note.setText(self.t("verify.anchor_in_use", chain=anchor.short_chain,
                                        count=anchor.validator_count) if anchor else "")
        self.anchor_note.setVisible(anchor is not None)
        self.anchor_hint.setText(self.t("verify.anchor_hint"))
        self.anchor_hint.setVisible(anchor is None)
        self.stop_anchor.setText(self.t("verify.anchor_stop"))
        self.stop_anchor.setVisible(anchor is not None)

    def _scanned(self, text: str) -> None:
        if looks_like_anchor(text):
            self.load_anchor(text)
            return
        if not looks_like_payload(text):
            self.show_notice("verify.not_payload")
            return
        self.show_notice(None)
        emit(self.scanned, text.strip())

    # -- the scanner's keys -----------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.wedge.clear()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.wedge.key_pressed(event):
            event.accept()
        else:
            super().keyPressEvent(event)
