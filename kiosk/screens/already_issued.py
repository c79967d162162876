"""S209b/S210b: the issued notification. Names the certificate (by its short reference) and offers a reprint
(never a second issue).

In the manual flow a period may be covered by several certificates: the screen names them all (up to
``MAX_SHOWN``) and "Reprint" then lists them to choose from (``chooseRequested``).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.core.language import Language
from kiosk.core.reference import reference_of
from kiosk.qt_compat import emit
from kiosk.screens.base import Screen
from kiosk.widgets.controls import button_row, label, touch_button

MAX_SHOWN = 3


class AlreadyIssuedScreen(Screen):
    name = "alreadyIssued"
    reprintRequested = Signal(str)  # certificate id
    chooseRequested = Signal(list)  # several certificate ids: choose one to reprint
    backRequested = Signal()

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._certificate_ids: list[str] = []
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
        self.reprint.clicked.connect(self._reprint)
        self.retranslate()

    def show_certificate(self, certificate_id: str) -> None:
        self.show_certificates([certificate_id] if certificate_id else [])

    def show_certificates(self, certificate_ids: Sequence[str]) -> None:
        self._certificate_ids = list(certificate_ids)
        self.retranslate()

    @property
    def certificate_id(self) -> str:
        return self._certificate_ids[0] if self._certificate_ids else ""

    @property
    def certificate_ids(self) -> list[str]:
        return list(self._certificate_ids)

    def clear(self) -> None:
        self.show_certificates([])

    def retranslate(self) -> None:
        ids = self._certificate_ids
        self.title.setText(self.t("already.title"))
        if len(ids) > 1:
            self.message.setText(self.t("already.message_many", count=len(ids)))
            shown = [self.t("done.certificate_id", cid=reference_of(cid)) for cid in ids[:MAX_SHOWN]]
            self.certificate.setText("\n".join(shown + (["…"] if len(ids) > MAX_SHOWN else [])))
        else:
            self.message.setText(self.t("already.message"))
            self.certificate.setText(self.t("done.certificate_id", cid=reference_of(ids[0])) if ids else "")
        self.reprint.setText(self.t("already.reprint"))
        self.reprint.setEnabled(bool(ids))
        self.back.setText(self.t("button.back"))

    def _reprint(self) -> None:
        if len(self._certificate_ids) > 1:
            emit(self.chooseRequested, list(self._certificate_ids))
        elif self._certificate_ids:
            emit(self.reprintRequested, self._certificate_ids[0])
