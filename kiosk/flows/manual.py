"""The main embodiment (S201–S214) for sites that prefer it: one form, one OK, one certificate.

S202 the applicant enters ID, password, period, production method (optional: the kiosk then takes the first
method, renewable first, the applicant has rows of in the period) and institution; on OK the kiosk signs in
(S203/S204), reads the applicant's rows (S207), picks the open rows of that method inside the period and shows
what it would issue (amount, period, method, institution) to confirm; "Issue" issues them as one certificate
(S209a–S213a), then outputs it (S214a). When the period's rows were all certified
before, the issued notification names the certificates (S209b/S210b); when nothing matches, it says so plainly.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from backend_client import AlreadyIssued, CertificateType, EligibleItem, Session
from kiosk.core.language import LANGUAGES
from kiosk.core.period import ManualRequest, Pick, pick_rows
from kiosk.core.selection import fits, green_first
from kiosk.flows.common import SharedFlow, quiet_logout
from kiosk.i18n import format_period, method_name
from kiosk.institutions import type_of
from kiosk.row_text import span_clock
from kiosk.screens.error import ErrorInfo
from kiosk.screens.manual_confirm import ManualSummary
from kiosk.worker import Cancelled

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checked:
    """What sign-in and the rows said about the request (S203–S207), before anything is issued."""

    session: Session
    pick: Pick
    method: str  # the form's, or the one the kiosk chose when none was (``default_method``)
    rows: tuple[EligibleItem, ...] = ()  # every row of the applicant's list (for the times of a split day)


@dataclass(frozen=True)
class ManualOutcome:
    session: Session
    pick: Pick
    certificate_id: str | None = None  # issued now
    pdf: bytes | None = None
    already: tuple[str, ...] = ()  # the ledger said "issued" while we were issuing (S209b)


class ManualFlow:
    def __init__(self, flow: SharedFlow) -> None:
        self.flow = flow
        self.types: list[CertificateType] | None = None
        self.pending: tuple[ManualRequest, Pick, str] | None = None  # confirmed on the summary: request, rows, key
        screen = flow.window.manual
        screen.submitted.connect(self.submit)
        screen.typesWanted.connect(self.load_types)
        flow.window.manual_confirm.issueRequested.connect(self.issue)
        flow.window.manual_confirm.backRequested.connect(self.back_to_form)

    # -- the institutions to choose from (Fig. 11B), loaded while the form waits --------------------
    def ensure_types(self) -> None:
        if self.types:
            self.flow.window.manual.set_types(self.types)
        else:
            self.load_types()

    def forget_types(self) -> None:
        self.types = None

    def load_types(self) -> None:
        client = self.flow.client

        def loaded(types: list[CertificateType]) -> None:
            self.types = types
            self.flow.window.manual.set_types(types)

        def failed(exc: Exception) -> None:
            log.warning("could not load the certificate types: %s", exc)
            self.flow.window.manual.set_types(None)

        self.flow.worker.submit(client.certificate_types, loaded, failed)

    # -- S202–S207: OK on the form signs in and reads the rows; then the summary asks to confirm -------------
    def submit(self, request: ManualRequest) -> None:
        flow = self.flow
        client = flow.client
        start, end = request.bounds(flow.config.timezone)

        def job() -> Checked:
            session = client.login(request.applicant_id, request.password)  # S203/S204
            try:
                items = client.eligible_transactions(session)  # S207
                method = request.method or default_method(items, start, end)
                return Checked(session, pick_rows(items, method, start, end) if method else EMPTY, method,
                               tuple(items))
            except Exception:
                quiet_logout(client, session)
                raise

        flow.window.manual.password.clear()
        flow.show_progress("progress.manual", on_cancel=lambda: flow.show_idle(keep_applicant_id=True))
        flow.run(job, lambda checked: self._checked(request, checked), retry=lambda: self.submit(request),
                 during_login=True, on_dropped=lambda checked: flow.close_late_session((checked.session,)))

    def _checked(self, request: ManualRequest, checked: Checked) -> None:
        flow, pick = self.flow, checked.pick
        if pick.open:  # S202: what will be issued, to confirm before anything is
            flow.set_session(checked.session)
            self.pending = replace(request, password="", method=checked.method), pick, uuid.uuid4().hex
            flow.window.manual_confirm.show_summary(ManualSummary(
                count=len(pick.open), amount_wh=sum(item.amount_wh for item in pick.open),
                period_start=min(item.period_start for item in pick.open),
                period_end=max(item.period_end for item in pick.open), method=checked.method,
                institution=type_of(self.types or [], request.type_id), skipped=len(pick.issued),
                fits=fits(pick.open), clock=span_clock(pick.open, checked.rows, flow.config.timezone)))
            flow.window.show_screen("manualConfirm")
        elif pick.issued:  # S209b/S210b: the issued notification, with a reprint
            flow.set_session(checked.session)
            flow.show_already_issued(pick.certificate_ids, stale=False)
        else:
            session = checked.session
            flow.worker.submit_detached(lambda: quiet_logout(flow.client, session))
            start, end = request.bounds(flow.config.timezone)
            zone = flow.config.timezone
            params: dict[str, object] = {  # in both languages: the applicant may switch on the error screen
                "period": {lang: format_period(start, end, zone, lang) for lang in LANGUAGES}}
            if checked.method:
                params["method"] = {lang: method_name(lang, checked.method) for lang in LANGUAGES}
            if pick.partial:
                params["count"] = pick.partial
            flow.show_error(ErrorInfo("no_match", params, back_to_login=True), retry=None)

    def back_to_form(self) -> None:
        """"Back" on the summary: sign out, the form keeps the request (with the method the kiosk chose)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            self.flow.window.manual.select_method(pending[0].method)
        self.flow.end_request()

    # -- S209a–S214a: "Issue" on the summary ------------------------------------------------------------
    def issue(self) -> None:
        flow = self.flow
        session = flow.require_session()
        if session is None or self.pending is None:
            return
        request, pick, key = self.pending  # one key per confirmed request; a retry reuses it
        client, worker = flow.client, flow.worker
        item_ids = [item.item_id for item in pick.open]

        def job() -> ManualOutcome:
            if worker.cancelled_since(generation):  # cancelled (or timed out) before anything was issued
                raise Cancelled("the applicant cancelled the request before it was issued")
            try:
                certificate = client.issue_certificate(session, item_ids, request.type_id, key)
            except AlreadyIssued as exc:  # S208/S209b: certified elsewhere since we read the rows
                return ManualOutcome(session, pick, already=(exc.certificate_id,))
            pdf = client.certificate_pdf(session, certificate.certificate_id)  # S213a
            return ManualOutcome(session, pick, certificate.certificate_id, pdf)

        # Cancelling does not undo an issuance that reached the ledger: back to the form, signed out.
        flow.show_progress("progress.issuing", on_cancel=flow.end_request)
        generation = worker.generation
        flow.run(job, self._answered, retry=self.issue)

    def _answered(self, outcome: ManualOutcome) -> None:
        flow, pick = self.flow, outcome.pick
        self.pending = None
        if outcome.certificate_id is not None and outcome.pdf is not None:  # S214a
            flow.after_done(flow.end_request, "done.new_request")
            flow.deliver_pdf(outcome.certificate_id, outcome.pdf, reprint=False, skipped=len(pick.issued))
        else:  # S209b/S210b: the issued notification, with a reprint
            flow.show_already_issued(list(outcome.already) or pick.certificate_ids, stale=False)


EMPTY = Pick((), (), 0)


def default_method(items: Sequence[EligibleItem], start: int, end: int) -> str:
    """No method chosen on the form: the first (renewable first) the applicant has open rows of in the period,
    else one with certified rows there (to say so), else ""."""
    methods = [items[n].production_method for n in green_first(items)]
    picks = {method: pick_rows(items, method, start, end) for method in dict.fromkeys(methods)}
    return next((m for m, p in picks.items() if p.open), next((m for m, p in picks.items() if p.issued), ""))
