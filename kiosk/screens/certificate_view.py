"""Seed S214a on the screen: the certificate's page, zoomable, with its QR code large enough to scan from the
panel (issue #13). Shown after issuance where the site prefers the screen or the printer is out of order, and
from the auditor's result for a PDF that was checked. The flow renders the page off the GUI thread
(``kiosk.core.page_image``) and hands it here; "back" goes wherever the flow came from."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.core.language import Language
from kiosk.core.page_image import PageImage
from kiosk.core.reference import reference_of
from kiosk.screens.base import Screen
from kiosk.widgets.controls import label, touch_button
from kiosk.widgets.page_view import PageView
from kiosk.widgets.reflow import ReflowRow


class CertificateViewScreen(Screen):
    name = "certificateView"
    backRequested = Signal()

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._state = "empty"  # "loading" | "shown" | "failed" | "empty"
        self._certificate_id = ""
        self.title = label("title", role="title")
        self.status = label("viewStatus", role="notice")
        self.view = PageView()
        self.back = touch_button("back")
        self.zoom_out = touch_button("zoomOut")
        self.zoom_in = touch_button("zoomIn")
        self.fit = touch_button("zoomFit")
        self.qr = touch_button("zoomQr", primary=True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        layout.addWidget(ReflowRow([self.back, None, self.zoom_out, self.zoom_in, self.fit, self.qr],
                                   [[self.back, None, self.fit, self.qr], [None, self.zoom_out, self.zoom_in]]))
        self.back.clicked.connect(self.backRequested)
        self.zoom_in.clicked.connect(self.view.zoom_in)
        self.zoom_out.clicked.connect(self.view.zoom_out)
        self.fit.clicked.connect(self.view.fit)
        self.qr.clicked.connect(self.view.show_qr)
        self.retranslate()

    def show_loading(self, certificate_id: str = "") -> None:
        self._state, self._certificate_id = "loading", certificate_id
        self.view.clear_page()
        self.retranslate()

    def show_page(self, page: PageImage, certificate_id: str = "") -> None:
        shown = self.view.set_page(page.png, page.qr)
        self._state, self._certificate_id = ("shown" if shown else "failed"), certificate_id
        self.retranslate()

    def show_failed(self) -> None:
        self._state = "failed"
        self.view.clear_page()
        self.retranslate()

    @property
    def state(self) -> str:
        return self._state

    def clear(self) -> None:
        self._state, self._certificate_id = "empty", ""
        self.view.clear_page()
        self.retranslate()

    def retranslate(self) -> None:
        cid = self._certificate_id
        title = self.t("view.title")
        self.title.setText(f"{title}  {self.t('done.certificate_id', cid=reference_of(cid))}" if cid else title)
        status = {"loading": "view.loading", "failed": "view.failed", "shown": "view.hint"}.get(self._state)
        self.status.setText(self.t(status) if status else "")
        self.status.setProperty("role", "detail" if self._state == "shown" else "notice")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.back.setText(self.t("button.back"))
        self.zoom_in.setText(self.t("view.zoom_in"))
        self.zoom_out.setText(self.t("view.zoom_out"))
        self.fit.setText(self.t("view.fit"))
        self.qr.setText(self.t("view.qr"))
        shown = self._state == "shown"
        for button in (self.zoom_in, self.zoom_out, self.fit):
            button.setEnabled(shown)
        self.qr.setEnabled(shown and self.view.has_qr)
