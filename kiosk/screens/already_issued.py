"""S209b/S210b: the issued notification. Names the certificate and offers a reprint (never a second issue)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.i18n import Language
from kiosk.qt_compat import emit
from kiosk.screens.base import Screen, breakable_id, button_row, label, touch_button


class AlreadyIssuedScreen(Screen):
    name = "alreadyIssued"
    reprintRequested = Signal(str)  # certificate id
    backRequested = Signal()

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._certificate_id = ""
        self.title = label("title", role="title")
        self.message = label("message")
        self.certificate = label("certificateId", role="code")
        self.certificate.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.back = touch_button("back")
        self.reprint = touch_button("reprint", primary=True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addSpacing(12)
        layout.addWidget(self.certificate)
        layout.addStretch(1)
        layout.addLayout(button_row(self.back, self.reprint))
        self.back.clicked.connect(self.backRequested)
        self.reprint.clicked.connect(lambda: emit(self.reprintRequested, self._certificate_id))
        self.retranslate()

    def show_certificate(self, certificate_id: str) -> None:
        self._certificate_id = certificate_id
        self.retranslate()

    @property
    def certificate_id(self) -> str:
        return self._certificate_id

    def clear(self) -> None:
        self.show_certificate("")

    def retranslate(self) -> None:
        self.title.setText(self.t("already.title"))
        self.message.setText(self.t("already.message"))
        self.certificate.setText(self.t("done.certificate_id", cid=breakable_id(self._certificate_id))
                                 if self._certificate_id else "")
        self.reprint.setText(self.t("already.reprint"))
        self.reprint.setEnabled(bool(self._certificate_id))
        self.back.setText(self.t("button.back"))
