"""Seed S214a on the screen (issue #13): render a certificate's first page off the GUI thread and show it,
zoomable, on ``certificateView``; "back" returns to where the person came from.

Used after issuance (the site prefers the screen, or the printer failed: the done and not-printed screens offer
"Show on screen") and from the auditor's result for a checked PDF.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from kiosk.core.page_image import PageImage, render_first_page
from kiosk.flows.common import SharedFlow

log = logging.getLogger(__name__)


class ViewFlow:
    def __init__(self, flow: SharedFlow) -> None:
        self.flow = flow
        self._back: Callable[[], None] = flow.home
        flow.window.certificate_view.backRequested.connect(lambda: self._back())

    def show(self, pdf: bytes | Path, *, certificate_id: str = "", back: Callable[[], None]) -> None:
        window, screen = self.flow.window, self.flow.window.certificate_view
        self._back = back
        screen.show_loading(certificate_id)
        window.show_screen("certificateView")

        def shown(page: PageImage) -> None:
            screen.show_page(page, certificate_id)

        def failed(exc: Exception) -> None:
            log.warning("could not render the certificate page for the screen: %s", exc)
            screen.show_failed()

        self.flow.worker.submit(lambda: render_first_page(pdf), shown, failed)
