"""S214a when the printer fails: the certificate was issued but is not in the tray (issue #10).

Its own screen, never the done screen's "ready" headline: what happened in plain words, the printer's state in
words (``kiosk.printers.describe_state``, checked after the failure), the certificate's short reference to quote,
"Print again", and to ask staff. No file path, no raw printer message: those are for the log.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.core.language import Language
from kiosk.core.reference import reference_of
from kiosk.printers import PrinterInfoLike, describe_state
from kiosk.screens.base import Screen
from kiosk.widgets.controls import label, touch_button
from kiosk.widgets.reflow import ReflowRow


@dataclass(frozen=True)
class PrinterCheck:
    """What the kiosk found when it looked at the printer after the failure."""

    state: str  # "checking" | "found" | "missing" | "unreachable"
    printer: PrinterInfoLike | None = None


class NotPrintedScreen(Screen):
    name = "notPrinted"
    printAgainRequested = Signal()
    nextRequested = Signal()
    logoutRequested = Signal()
    showOnScreenRequested = Signal()  # S214a: the printer is out of order, so the certificate on the panel

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._certificate_id = ""
        self._reprint = False
        self._check = PrinterCheck("checking")
        self._next_id = "done.print_another"
        self.title = label("title", role="title")
        self.message = label("message", role="summary")
        self.printer_state = label("printerState")
        self.reference = label("reference", role="code")
        self.ask_staff = label("askStaff", role="notice")
        self.logout = touch_button("logout")
        self.next = touch_button("notPrintedNext")
        self.print_again = touch_button("printAgain", primary=True)
        self.show_on_screen = touch_button("showOnScreen")

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(self.printer_state)
        layout.addSpacing(12)
        layout.addWidget(self.reference)
        layout.addWidget(self.ask_staff)
        layout.addStretch(1)
        # Four buttons: one row, or two on a narrow (portrait) panel.
        layout.addWidget(ReflowRow([self.logout, None, self.next, self.show_on_screen, self.print_again],
                                   [[self.logout, None, self.show_on_screen], [self.next, None, self.print_again]]))
        self.logout.clicked.connect(self.logoutRequested)
        self.next.clicked.connect(self.nextRequested)
        self.print_again.clicked.connect(self.printAgainRequested)
        self.show_on_screen.clicked.connect(self.showOnScreenRequested)
        self.retranslate()

    def show_failure(self, certificate_id: str, *, reprint: bool, next_id: str = "done.print_another") -> None:
        self._certificate_id, self._reprint, self._next_id = certificate_id, reprint, next_id
        self._check = PrinterCheck("checking")
        self.retranslate()

    def set_printer_check(self, check: PrinterCheck) -> None:
        self._check = check
        self.retranslate()

    @property
    def certificate_id(self) -> str:
        return self._certificate_id

    def clear(self) -> None:
        self._certificate_id = ""
        self._check = PrinterCheck("checking")
        self.retranslate()

    def retranslate(self) -> None:
        self.logout.setText(self.t("button.logout"))
        self.next.setText(self.t(self._next_id))
        self.print_again.setText(self.t("not_printed.print_again"))
        self.show_on_screen.setText(self.t("done.show_on_screen"))
        self.title.setText(self.t("not_printed.title"))
        self.message.setText(self.t("not_printed.message_reprint" if self._reprint else "not_printed.message"))
        check = self._check
        if check.state == "found" and check.printer is not None:
            self.printer_state.setText(self.t("not_printed.printer", state=describe_state(self.lang, check.printer)))
        else:
            self.printer_state.setText(self.t(f"not_printed.printer_{check.state}"))
        cid = self._certificate_id
        self.reference.setText(self.t("done.certificate_id", cid=reference_of(cid)) if cid else "")
        self.ask_staff.setText(self.t("not_printed.ask_staff"))
