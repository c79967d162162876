"""The main embodiment (S201–S214) for sites that prefer it: one form, one OK, one certificate.

S202 the applicant enters ID, password, period, production method and institution; on OK the kiosk signs in
(S203/S204), reads the applicant's rows (S207), picks the open rows of that method inside the period and issues
them as one certificate (S209a–S213a), then outputs it (S214a). When the period's rows were all certified
before, the issued notification names the certificates (S209b/S210b); when nothing matches, it says so plainly.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backend_client import AlreadyIssued, CertificateType, Session
from kiosk.flow import quiet_logout
from kiosk.i18n import LANGUAGES, format_period, method_name
from kiosk.period import ManualRequest, Pick, pick_rows
from kiosk.screens.error import ErrorInfo
from kiosk.worker import Cancelled

if TYPE_CHECKING:
    from kiosk.flow import KioskFlow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ManualOutcome:
    session: Session
    pick: Pick
    certificate_id: str | None = None  # issued now
    pdf: bytes | None = None
    already: tuple[str, ...] = ()  # the ledger said "issued" while we were issuing (S209b)


class ManualFlow:
    def __init__(self, flow: KioskFlow) -> None:
        self.flow = flow
        self.types: list[CertificateType] | None = None
        screen = flow.window.manual
        screen.submitted.connect(self.submit)
        screen.typesWanted.connect(self.load_types)

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

    # -- S202–S214 ------------------------------------------------------------------------------------
    def submit(self, request: ManualRequest, key: str | None = None) -> None:
        flow = self.flow
        client = flow.client
        start, end = request.bounds(flow.config.timezone)
        key = key or uuid.uuid4().hex  # one per OK; a retry after a network failure reuses it
        worker = flow.worker

        def job() -> ManualOutcome:
            session = client.login(request.applicant_id, request.password)  # S203/S204
            try:
                pick = pick_rows(client.eligible_transactions(session), request.method, start, end)  # S207
                if not pick.open:
                    return ManualOutcome(session, pick)
                if worker.cancelled_since(generation):  # cancelled (or timed out) before anything was issued
                    raise Cancelled("the applicant cancelled the request before it was issued")
                item_ids = [item.item_id for item in pick.open]
                try:
                    certificate = client.issue_certificate(session, item_ids, request.type_id, key)
                except AlreadyIssued as exc:  # S208/S209b: certified elsewhere since we read the rows
                    return ManualOutcome(session, pick, already=(exc.certificate_id,))
                pdf = client.certificate_pdf(session, certificate.certificate_id)  # S213a
                return ManualOutcome(session, pick, certificate.certificate_id, pdf)
            except Exception:
                quiet_logout(client, session)
                raise

        flow.window.manual.password.clear()
        flow.show_progress("progress.manual", on_cancel=lambda: flow.show_idle(keep_applicant_id=True))
        generation = worker.generation
        flow.run(job, lambda outcome: self._answered(request, outcome), retry=lambda: self.submit(request, key),
                 during_login=True, on_dropped=lambda outcome: flow.close_late_session((outcome.session,)))

    def _answered(self, request: ManualRequest, outcome: ManualOutcome) -> None:
        flow, pick = self.flow, outcome.pick
        if outcome.certificate_id is not None and outcome.pdf is not None:  # S214a
            flow.set_session(outcome.session)
            flow.after_done(flow.end_request, "done.new_request")
            flow.deliver_pdf(outcome.certificate_id, outcome.pdf, reprint=False, skipped=len(pick.issued))
        elif outcome.already or pick.issued:  # S209b/S210b: the issued notification, with a reprint
            flow.set_session(outcome.session)
            flow.show_already_issued(list(outcome.already) or pick.certificate_ids, stale=False)
        else:
            quiet_session = outcome.session
            flow.worker.submit_detached(lambda: quiet_logout(flow.client, quiet_session))
            start, end = request.bounds(flow.config.timezone)
            zone = flow.config.timezone
            params: dict[str, object] = {  # in both languages: the applicant may switch on the error screen
                "method": {lang: method_name(lang, request.method) for lang in LANGUAGES},
                "period": {lang: format_period(start, end, zone, lang) for lang in LANGUAGES}}
            if pick.partial:
                params["count"] = pick.partial
            flow.show_error(ErrorInfo("no_match", params, back_to_login=True), retry=None)
