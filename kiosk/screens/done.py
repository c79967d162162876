"""S214a / S520: the certificate was printed on printer X (or, with no printer set up, saved for staff to print).

A person reads the certificate's short reference, never its 64-digit id nor a path on the kiosk's disk; a
printer that failed has its own screen (``kiosk.screens.not_printed``). The printer is named as people know it
(``kiosk.core.printer_name``: CUPS printer-info, which the flow looks up after printing, or the queue name made
readable), never a raw token.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.core.language import Language
from kiosk.core.messages import counted
from kiosk.core.printer_name import printer_label
from kiosk.core.reference import reference_of
from kiosk.screens.base import Screen
from kiosk.widgets.controls import button_row, label, touch_button


@dataclass(frozen=True)
class Outcome:
    certificate_id: str
    kind: str  # "printed" | "saved"
    printer: str | None
    path: Path | None  # for the log only: never shown to the applicant
    printer_expected: bool  # a printer is configured: "saved" then means the printer had a problem
    reprint: bool
    detail_en: str = ""  # the printer's own words: for the log, never shown (they hold paths and raw states)
    detail_ja: str = ""
    skipped: int = 0  # manual flow: covered rows left out because they were certified already


class DoneScreen(Screen):
    name = "done"
    printAnotherRequested = Signal()
    logoutRequested = Signal()
    showOnScreenRequested = Signal()  # S214a: the certificate on the panel (issue #13)

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._outcome: Outcome | None = None
        self._printer_info = ""  # CUPS printer-info of the outcome's printer, once looked up
        self._next_id = "done.print_another"
        self._on_screen = False
        self.title = label("title", role="title")
        self.message = label("deliveryMessage", role="summary")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.note = label("outcomeNote", role="notice")
        self.certificate = label("certificateId", role="code")
        self.logout = touch_button("logout")
        self.print_another = touch_button("printAnother", primary=True)
        self.show_on_screen = touch_button("showOnScreen")

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(self.note)
        layout.addSpacing(12)
        layout.addWidget(self.certificate)
        layout.addStretch(1)
        layout.addLayout(button_row(self.logout, self.show_on_screen, self.print_another))
        self.logout.clicked.connect(self.logoutRequested)
        self.show_on_screen.clicked.connect(self.showOnScreenRequested)
        self.print_another.clicked.connect(self.printAnotherRequested)
        self.retranslate()

    def show_outcome(self, outcome: Outcome, *, next_id: str = "done.print_another", on_screen: bool = False) -> None:
        """``next_id``: the words on the way forward ("Print another", "Reprint another", "New request");
        ``on_screen``: offer to show the certificate on the panel (S214a: saved, or the site prefers it)."""
        self._outcome = outcome
        self._on_screen = on_screen
        self._printer_info = ""
        self._next_id = next_id
        self.retranslate()

    def set_printer_info(self, printer: str, info: str) -> None:
        """The human name (CUPS printer-info) of ``printer``, if the outcome shown was printed there."""
        if self._outcome is not None and self._outcome.printer == printer:
            self._printer_info = info
            self.retranslate()

    @property
    def outcome(self) -> Outcome | None:
        return self._outcome

    def clear(self) -> None:
        self._outcome = None
        self._on_screen = False
        self.retranslate()

    def retranslate(self) -> None:
        self.logout.setText(self.t("button.logout"))
        self.print_another.setText(self.t(self._next_id))
        self.show_on_screen.setText(self.t("done.show_on_screen"))
        self.show_on_screen.setVisible(self._on_screen and self._outcome is not None)
        outcome = self._outcome
        if outcome is None:
            for widget in (self.title, self.message, self.certificate, self.note):
                widget.setText("")
            self.note.hide()
            return
        if outcome.reprint:
            self.note.setText(self.t("done.reprint_note"))
        elif outcome.skipped:
            self.note.setText(self.t(counted("done.skipped", outcome.skipped), count=outcome.skipped))
        else:
            self.note.setText("")
        self.note.setVisible(bool(self.note.text()))
        self.title.setText(self.t("done.title_reprint" if outcome.reprint else "done.title"))
        if outcome.kind == "printed":
            name = printer_label(outcome.printer, self._printer_info)
            self.message.setText(self.t("done.printed", printer=name) if name else self.t("done.printed_here"))
        else:
            self.message.setText(self.t("done.saved"))
        self.certificate.setText(self.t("done.certificate_id", cid=reference_of(outcome.certificate_id)))
