"""The auditor's result (issue #13): the verdict in large type, each step of ``ledger_lite.audit`` with a clear
pass / fail / not-checked mark and plain words, where the ledger's answer came from (online, the PDF's own proof,
or — said plainly — only the signature), and what the certificate says. Ways on: finish, verify another, and for
a PDF the page itself (``certificateView``).

The step's own detail (what was expected and what was found) is shown under a step that failed or could not be
checked, in the screen's language: the light node gives each detail a message id and its parameters, worded by
``printing.step_texts`` (the catalogue ``greencert verify`` and the phone page use too).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.core.auditor import Verification
from kiosk.core.language import Language
from kiosk.core.verify_messages import FACTS, STEPS
from kiosk.i18n import method_name
from kiosk.screens.base import Screen
from kiosk.widgets.controls import button_row, label, named, touch_button
from kiosk.widgets.scrolling import flick_to_scroll
from ledger_lite.verification import Step
from printing.step_texts import step_text

VERDICT_IDS = {"genuine": "verdict.genuine", "not genuine": "verdict.not_genuine",
               "could not check": "verdict.could_not_check"}
OUTCOMES = {True: "ok", False: "fail", None: "unchecked"}
STYLE = """
QLabel#verdict { font-size: 34px; font-weight: bold; padding: 6px 16px; border-radius: 8px; color: #ffffff; }
QLabel#verdict[verdict="genuine"] { background: #1f7a45; }
QLabel#verdict[verdict="not genuine"] { background: #b3261e; }
QLabel#verdict[verdict="could not check"] { background: #8a5a00; }
QLabel[outcome="ok"] { color: #1f7a45; font-weight: bold; }
QLabel[outcome="fail"] { color: #b3261e; font-weight: bold; }
QLabel[outcome="unchecked"] { color: #8a5a00; font-weight: bold; }
QLabel[role="heading"] { font-size: 22px; font-weight: bold; color: #1f5f3a; padding-top: 8px; }
"""


class VerifyResultScreen(Screen):
    name = "verifyResult"
    finishRequested = Signal()
    anotherRequested = Signal()
    showPageRequested = Signal()

    def __init__(self, lang: Language, parent: QWidget | None = None) -> None:
        super().__init__(lang, parent)
        self.setStyleSheet(STYLE)
        self._verification: Verification | None = None
        self._step_rows: list[tuple[Step, QLabel, QLabel, QLabel]] = []
        self._fact_rows: list[tuple[str, QLabel, QLabel]] = []
        self.title = label("title", role="title")
        self.verdict = label("verdict", wrap=True)
        self.failed_at = label("failedAt", role="summary")
        self.source = label("sourceNote", role="notice")
        self.photo = label("photoNote", role="notice")
        self.steps_heading = label("stepsHeading", role="heading")
        self.steps = named(QWidget(), "steps")
        self.steps_grid = QGridLayout(self.steps)
        self.steps_grid.setContentsMargins(0, 0, 0, 0)
        self.steps_grid.setHorizontalSpacing(16)
        self.steps_grid.setColumnStretch(2, 1)
        self.facts_heading = label("factsHeading", role="heading")
        self.facts = named(QWidget(), "facts")
        self.facts_form = QFormLayout(self.facts)
        self.facts_form.setContentsMargins(0, 0, 0, 0)

        body = named(QWidget(), "resultBody")
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 8, 0)
        for widget in (self.verdict, self.failed_at, self.source, self.photo, self.steps_heading, self.steps,
                       self.facts_heading, self.facts):
            column.addWidget(widget)
        column.addStretch(1)
        self.scroll_area = named(QScrollArea(), "resultScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(body)
        flick_to_scroll(self.scroll_area)

        self.finish = touch_button("back")  # finish: back to the idle screen
        self.show_page = touch_button("verifyShowPage")
        self.another = touch_button("verifyAnother", primary=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(button_row(self.finish, self.show_page, self.another))
        self.finish.clicked.connect(self.finishRequested)
        self.another.clicked.connect(self.anotherRequested)
        self.show_page.clicked.connect(self.showPageRequested)
        self.retranslate()

    @property
    def verification(self) -> Verification | None:
        return self._verification

    def show_verification(self, verification: Verification) -> None:
        self._verification = verification
        self._rebuild()
        self.retranslate()
        self.scroll_area.verticalScrollBar().setValue(0)

    def clear(self) -> None:
        self._verification = None
        self._rebuild()
        self.retranslate()

    def _rebuild(self) -> None:
        for *_, mark, title, text in self._step_rows:
            for widget in (mark, title, text):
                widget.setParent(None)
                widget.deleteLater()
        for _, fact_label, _value in self._fact_rows:
            self.facts_form.removeRow(fact_label)  # deletes the row's two labels
        self._step_rows, self._fact_rows = [], []
        v = self._verification
        if v is None:
            return
        for row, step in enumerate(v.report.steps):
            outcome = OUTCOMES[step.ok]
            mark = label(f"mark-{step.name}", wrap=False)
            mark.setProperty("outcome", outcome)
            title = label(f"step-{step.name}", wrap=False)
            text = label(f"stepText-{step.name}")
            text.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            text.setTextFormat(Qt.TextFormat.PlainText)  # a detail quotes a file name, a claim: never markup
            self.steps_grid.addWidget(mark, row, 0, Qt.AlignmentFlag.AlignTop)
            self.steps_grid.addWidget(title, row, 1, Qt.AlignmentFlag.AlignTop)
            self.steps_grid.addWidget(text, row, 2)
            self._step_rows.append((step, mark, title, text))
        for fact in FACTS:
            if fact in v.facts.get("en", {}):
                fact_label = label(f"factLabel-{fact}", wrap=False)
                value = label(f"fact-{fact}")
                self.facts_form.addRow(fact_label, value)
                self._fact_rows.append((fact, fact_label, value))

    def retranslate(self) -> None:
        self.title.setText(self.t("verify_result.title"))
        self.finish.setText(self.t("verify_result.finish"))
        self.another.setText(self.t("verify_result.another"))
        self.show_page.setText(self.t("verify_result.show_page"))
        self.steps_heading.setText(self.t("verify_result.steps"))
        v = self._verification
        self.show_page.setVisible(v is not None and v.pdf is not None)
        if v is None:
            for widget in (self.verdict, self.failed_at, self.source, self.photo, self.facts_heading):
                widget.setText("")
            self.verdict.setProperty("verdict", "")
            return
        self.verdict.setText(self.t(VERDICT_IDS[v.verdict]))
        self.verdict.setProperty("verdict", v.verdict)
        self.verdict.style().unpolish(self.verdict)
        self.verdict.style().polish(self.verdict)
        failed = v.failed_step()
        self.failed_at.setText(self.t("verify_result.failed_at", step=self.step_title(failed)) if failed else "")
        self.failed_at.setVisible(bool(failed))
        source = self.source_id(v)
        height = v.bundle_height if v.bundle_height is not None else "?"
        self.source.setText(self.t(source, height=height) if source else "")
        self.source.setVisible(bool(source))
        self.photo.setText(self.t("verify_result.photo") if v.kind == "image" and v.report.claims else "")
        self.photo.setVisible(bool(self.photo.text()))
        for step, mark, title, text in self._step_rows:
            mark.setText(self.t(f"verify_result.mark.{OUTCOMES[step.ok]}"))
            title.setText(self.step_title(step.name))
            words = self.step_words(step.name, step.ok)
            # which trust (the auditor's), and what became of the energy (transfers, retirements) are said even when
            # they pass
            said = step.ok is not True or step.code.startswith("trust.anchor") or step.name == "lifecycle"
            text.setText(f"{words}\n{step_text(step, self.lang)}" if said else words)
        facts = v.facts.get(self.lang, {})
        self.facts_heading.setText(self.t("verify_result.facts" if v.verdict == "genuine"
                                          else "verify_result.facts_unverified") if facts else "")
        self.facts_heading.setVisible(bool(facts))
        for name, fact_label, value in self._fact_rows:
            fact_label.setText(self.t(f"verify_fact.{name}"))
            text_value = facts.get(name, "")
            value.setText(method_name(self.lang, text_value) if name == "method" else text_value)

    def step_title(self, name: str) -> str:
        return self.t(f"verify_step.{name}") if name in STEPS else name

    def step_words(self, name: str, ok: bool | None) -> str:
        if name not in STEPS:
            return ""
        if ok is None:
            return self.t("verify_step.unchecked")
        return self.t(f"verify_step.{name}.{'ok' if ok else 'fail'}")

    @staticmethod
    def source_id(v: Verification) -> str | None:
        """Where the ledger's answer came from, in words; None when nothing got that far."""
        steps = {s.name: s.ok for s in v.report.steps}
        if steps.get("trust") is None and "trust" in steps and v.trust_from != "anchor":  # a fork: its step says
            return "verify_result.no_trust"
        if "ledger" in steps and steps["ledger"] is None:
            return "verify_result.source.unreachable"
        if steps.get("signature") is not True:
            return None
        return {"node": "verify_result.source.node", "bundle": "verify_result.source.bundle",
                "none": "verify_result.source.none"}.get(v.source)
