"""The main embodiment (S201–S214) for sites that prefer it: one form, one OK, one certificate.

S202 the applicant enters ID, password, period, production method (optional: the kiosk then takes the first
method, renewable first, the applicant has rows of in the period) and institution; on OK the kiosk signs in
(S203/S204), reads the applicant's rows (S207) to show what it would issue (amount, period, method, institution)
to confirm; "Issue" asks the intermediary to certify exactly the applicant's allocations of that method inside the
period (``issue_for_period``, S205–S210: a period that cuts a monthly row certifies the part inside it), then
outputs the certificate (S214a). When the period's rows were all certified before, the issued notification names
the certificates (S209b/S210b); when nothing matches, it says so plainly; when the intermediary finds more than one
certificate holds, the applicant is asked for a shorter period.

The direct mode (Modification 2) has no intermediary: it issues the open rows that lie wholly inside the period
(``issue_certificate``), and a period that cuts a row is explained as before.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from backend_client import (
    AlreadyIssued,
    BadRequest,
    CertificateType,
    EligibleItem,
    IssuedCertificate,
    NotFound,
    Session,
)
from kiosk.core.language import LANGUAGES
from kiosk.core.period import ManualRequest, Pick, pick_rows
from kiosk.core.selection import fits, green_first
from kiosk.flows.common import SharedFlow, quiet_logout
from kiosk.i18n import format_period, method_name
from kiosk.institutions import type_of
from kiosk.row_text import NO_TIMES, span_clock
from kiosk.screens.error import ErrorInfo
from kiosk.screens.manual_confirm import ManualSummary
from kiosk.worker import Cancelled

log = logging.getLogger(__name__)


@runtime_checkable
class PeriodIssuer(Protocol):
    """An intermediary that certifies a period itself (``backend_client.IntermediaryClient.issue_for_period``)."""

    def issue_for_period(self, session: Session, start: int, end: int, production_method: str, type_id: str,
                         idempotency_key: str) -> IssuedCertificate: ...


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
    refused: BadRequest | NotFound | None = None  # the intermediary found nothing, or too much, to certify


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
        by_period = isinstance(client, PeriodIssuer)

        def job() -> Checked:
            session = client.login(request.applicant_id, request.password)  # S203/S204
            try:
                items = client.eligible_transactions(session)  # S207
                method = request.method or default_method(items, start, end, by_period=by_period)
                pick = pick_rows(items, method, start, end) if method else EMPTY
                return Checked(session, pick if by_period else replace(pick, cut=()), method, tuple(items))
            except Exception:
                quiet_logout(client, session)
                raise

        flow.window.manual.password.clear()
        flow.show_progress("progress.manual", on_cancel=lambda: flow.show_idle(keep_applicant_id=True))
        flow.run(job, lambda checked: self._checked(request, checked), retry=lambda: self.submit(request),
                 during_login=True, on_dropped=lambda checked: flow.close_late_session((checked.session,)))

    def _checked(self, request: ManualRequest, checked: Checked) -> None:
        flow, pick = self.flow, checked.pick
        if pick.open or pick.cut:  # S202: what will be issued, to confirm before anything is
            flow.set_session(checked.session)
            self.pending = replace(request, password="", method=checked.method), pick, uuid.uuid4().hex
            rows = pick.open + pick.cut
            start, end = request.bounds(flow.config.timezone)
            flow.window.manual_confirm.show_summary(ManualSummary(
                count=len(rows), amount_wh=sum(item.amount_wh for item in rows),
                period_start=max(start, min(item.period_start for item in rows)),
                period_end=min(end, max(item.period_end for item in rows)), method=checked.method,
                institution=type_of(self.types or [], request.type_id), skipped=len(pick.issued),
                # a cut row's allocations inside the period are fewer than the row's: the intermediary decides
                fits=fits(pick.open), cut=len(pick.cut),
                clock=NO_TIMES if pick.cut else span_clock(pick.open, checked.rows, flow.config.timezone)))
            flow.window.show_screen("manualConfirm")
        elif pick.issued:  # S209b/S210b: the issued notification, with a reprint
            flow.set_session(checked.session)
            flow.show_already_issued(pick.certificate_ids, stale=False)
        else:
            session = checked.session
            flow.worker.submit_detached(lambda: quiet_logout(flow.client, session))
            self._no_match(request, checked.method, pick.partial)

    def _no_match(self, request: ManualRequest, method: str, partial: int) -> None:
        """Nothing of ``method`` to certify in the request's period, in plain words (``partial``: rows it cuts)."""
        flow = self.flow
        start, end = request.bounds(flow.config.timezone)
        zone = flow.config.timezone
        params: dict[str, object] = {  # in both languages: the applicant may switch on the error screen
            "period": {lang: format_period(start, end, zone, lang) for lang in LANGUAGES}}
        if method:
            params["method"] = {lang: method_name(lang, method) for lang in LANGUAGES}
        if partial:
            params["count"] = partial
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
        start, end = request.bounds(flow.config.timezone)

        def job() -> ManualOutcome:
            if worker.cancelled_since(generation):  # cancelled (or timed out) before anything was issued
                raise Cancelled("the applicant cancelled the request before it was issued")
            try:
                if isinstance(client, PeriodIssuer):  # S205: exactly the allocations inside the period
                    certificate = client.issue_for_period(session, start, end, request.method, request.type_id, key)
                else:
                    certificate = client.issue_certificate(session, item_ids, request.type_id, key)
            except AlreadyIssued as exc:  # S208/S209b: certified elsewhere since we read the rows
                return ManualOutcome(session, pick, already=(exc.certificate_id,))
            except NotFound as exc:
                if exc.code != NO_ALLOCATIONS:
                    raise
                return ManualOutcome(session, pick, refused=exc)
            except BadRequest as exc:
                if exc.code != TOO_LARGE:
                    raise
                return ManualOutcome(session, pick, refused=exc)
            pdf = client.certificate_pdf(session, certificate.certificate_id)  # S213a
            return ManualOutcome(session, pick, certificate.certificate_id, pdf)

        # Cancelling does not undo an issuance that reached the ledger: back to the form, signed out.
        flow.show_progress("progress.issuing", on_cancel=flow.end_request)
        generation = worker.generation
        flow.run(job, self._answered, retry=self.issue)

    def _answered(self, outcome: ManualOutcome) -> None:
        flow, pick = self.flow, outcome.pick
        pending, self.pending = self.pending, None
        if outcome.certificate_id is not None and outcome.pdf is not None:  # S214a
            flow.after_done(flow.end_request, "done.new_request")
            flow.deliver_pdf(outcome.certificate_id, outcome.pdf, reprint=False, skipped=len(pick.issued))
        elif isinstance(outcome.refused, NotFound):  # 404 no_allocations: nothing of it is left to certify
            flow.end_request()
            if pending is not None:
                self._no_match(pending[0], pending[0].method, 0)
        elif outcome.refused is not None:  # 400 selection_too_large: more than one certificate holds
            flow.end_request()
            # "period_too_large": the words for a period (error.code.period_too_large), not for rows of a list
            flow.show_error(ErrorInfo("rejected", back_to_login=True, server_code="period_too_large",
                                      server_message=outcome.refused.message), retry=None)
        else:  # S209b/S210b: the issued notification, with a reprint
            flow.show_already_issued(list(outcome.already) or pick.certificate_ids, stale=False)


EMPTY = Pick((), (), 0)
NO_ALLOCATIONS = "no_allocations"  # 404 of POST /certificates with a period: no allocation of it in the period
TOO_LARGE = "selection_too_large"  # 400: more allocations than one certificate (one issuance transaction) holds


def default_method(items: Sequence[EligibleItem], start: int, end: int, *, by_period: bool = False) -> str:
    """No method chosen on the form: the first (renewable first) the applicant has open rows of in the period
    (``by_period``: or open rows the period cuts), else one with certified rows there (to say so), else ""."""
    methods = [items[n].production_method for n in green_first(items)]
    picks = {method: pick_rows(items, method, start, end) for method in dict.fromkeys(methods)}
    return next((m for m, p in picks.items() if p.open or (by_period and p.cut)),
                next((m for m, p in picks.items() if p.issued), ""))
