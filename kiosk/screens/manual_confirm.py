"""S202→S209a: before the manual form's request is issued, what will be issued, to confirm (issue #10).

As on a ticket machine, OK on the form does not issue at once: the kiosk signs in, reads the rows the request
covers and shows the amount, period, production method and institution; "Issue" issues them, "Back" returns
to the form with the request kept. A request larger than one certificate holds (``kiosk.core.selection``) cannot be
issued: the screen says so and offers only "Back". When the period cuts monthly rows, the intermediary certifies
only their allocations inside it: the screen gives the rows' total as the most it can be and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from backend_client import CertificateType
from kiosk.core.language import Language
from kiosk.core.messages import counted
from kiosk.i18n import format_kwh
from kiosk.institutions import institution_name
from kiosk.models import method_label
from kiosk.row_text import NO_TIMES, Clock, row_period
from kiosk.screens.base import Screen
from kiosk.widgets.controls import button_row, label, touch_button


@dataclass(frozen=True)
class ManualSummary:
    count: int  # rows to issue
    amount_wh: int
    period_start: int
    period_end: int
    method: str
    institution: CertificateType | str  # named in the screen's language; a str as it is
    skipped: int = 0  # rows of the period certified already: left out
    fits: bool = True  # one certificate can hold it
    clock: Clock = NO_TIMES  # the ends of the period that need a time (a day split between rows)
    cut: int = 0  # rows the period cuts: ``amount_wh`` is then the most it can be, not the amount


class ManualConfirmScreen(Screen):
    name = "manualConfirm"
    issueRequested = Signal()
    backRequested = Signal()

    def __init__(self, lang: Language, *, timezone: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self._timezone = timezone
        self._summary: ManualSummary | None = None
        self.title = label("title", role="title")
        self.prompt = label("prompt")
        self.summary = label("manualSummary", role="summary")
        self.institution = label("institutionSummary", role="summary")
        self.note = label("note", role="notice")
        self.back = touch_button("back")
        self.issue = touch_button("manualIssue", primary=True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.prompt)
        layout.addSpacing(8)
        layout.addWidget(self.summary)
        layout.addWidget(self.institution)
        layout.addWidget(self.note)
        layout.addStretch(1)
        layout.addLayout(button_row(self.back, self.issue))
        self.back.clicked.connect(self.backRequested)
        self.issue.clicked.connect(self.issueRequested)
        self.retranslate()

    def show_summary(self, summary: ManualSummary) -> None:
        self._summary = summary
        self.retranslate()

    @property
    def shown(self) -> ManualSummary | None:
        return self._summary

    def clear(self) -> None:
        self._summary = None
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.t("manual_confirm.title"))
        self.prompt.setText(self.t("manual_confirm.prompt"))
        self.back.setText(self.t("button.back"))
        self.issue.setText(self.t("confirm.issue"))
        s = self._summary
        if s is None:
            for widget in (self.summary, self.institution, self.note):
                widget.setText("")
            self.note.hide()
            self.issue.setEnabled(False)
            return
        summary_id = "manual_confirm.period_summary" if s.cut else counted("confirm.summary", s.count)
        self.summary.setText(self.t(summary_id, count=s.count, kwh=format_kwh(s.amount_wh),
                                    method=method_label(self.lang, s.method),
                                    period=row_period(s.period_start, s.period_end, self._timezone, self.lang,
                                                      s.clock)))
        self.institution.setText(self.t("manual_confirm.institution",
                                        institution=institution_name(s.institution, self.lang)))
        if not s.fits:
            self.note.setText(self.t("manual_confirm.too_large"))
        elif s.cut:
            self.note.setText(self.t("manual_confirm.cut"))
        elif s.skipped:
            self.note.setText(self.t(counted("manual_confirm.skipped", s.skipped), count=s.skipped))
        else:
            self.note.setText("")
        self.note.setVisible(bool(self.note.text()))
        self.issue.setEnabled(s.fits)
        self.issue.setVisible(s.fits)
