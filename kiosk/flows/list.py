"""Modification 3 (S501–S520), the kiosk's default: sign in, the list of eligible transactions, select,
confirm the institution, issue, output.

    login ─OK→ progress ─→ list ─Next→ confirm ─Issue→ progress(issuing) ─→ progress(printing) ─→ done
"""

from __future__ import annotations

import uuid

from backend_client import CertificateType, EligibleItem, Session
from kiosk.flows.common import SharedFlow, quiet_logout

SignedIn = tuple[Session, list[EligibleItem], list[CertificateType]]


class ListFlow:
    def __init__(self, flow: SharedFlow) -> None:
        self.flow = flow
        self.selection: list[EligibleItem] = []
        self.idempotency_key: str | None = None
        w = flow.window
        w.login.submitted.connect(self.login)
        w.items_list.proceed.connect(self.choose)
        w.items_list.issuedTouched.connect(lambda cid: flow.show_already_issued([cid], stale=False))
        w.items_list.logoutRequested.connect(flow.logout)
        w.confirm.issueRequested.connect(self.issue)
        w.confirm.backRequested.connect(flow.show_list)

    def forget(self) -> None:
        self.selection, self.idempotency_key = [], None

    # -- S501–S509: sign in and fetch the eligible transactions -----------------------------------
    def login(self, applicant_id: str, password: str) -> None:
        flow = self.flow
        client = flow.client

        def job() -> SignedIn:
            session = client.login(applicant_id, password)
            try:
                return session, client.eligible_transactions(session), client.certificate_types()
            except Exception:
                quiet_logout(client, session)
                raise

        flow.window.login.password.clear()  # never leave a password in a widget longer than needed
        flow.show_progress("progress.login", on_cancel=lambda: flow.show_idle(keep_applicant_id=True))
        flow.run(job, self._logged_in, retry=lambda: self.login(applicant_id, password), during_login=True,
                 on_dropped=flow.close_late_session)

    def _logged_in(self, result: SignedIn) -> None:
        flow = self.flow
        session, items, flow.types = result
        flow.set_session(session)
        flow.window.login.clear()
        flow.window.items_list.set_items(items)
        flow.show_list()

    # -- S510/S511: select and confirm ------------------------------------------------------------
    def choose(self, items: list[EligibleItem]) -> None:
        if not items:
            return
        self.selection = list(items)
        self.idempotency_key = uuid.uuid4().hex  # one per confirmed choice; a retry reuses it
        window = self.flow.window
        window.confirm.set_selection(self.selection, self.flow.types, rows=window.items_list.model.items())
        window.show_screen("confirm")

    # -- S512–S519: issue; S520: output -----------------------------------------------------------
    def issue(self, type_id: str) -> None:
        flow = self.flow
        session = flow.require_session()
        if session is None or not self.selection:
            return
        item_ids = [item.item_id for item in self.selection]
        key = self.idempotency_key or uuid.uuid4().hex
        self.idempotency_key = key
        client = flow.client

        def job() -> tuple[str, bytes]:
            certificate = client.issue_certificate(session, item_ids, type_id, key)
            return certificate.certificate_id, client.certificate_pdf(session, certificate.certificate_id)

        def issued(result: tuple[str, bytes]) -> None:
            flow.after_done(flow.refresh_list, "done.print_another")
            flow.deliver_pdf(*result, reprint=False)

        # Cancelling does not undo an issuance that reached the ledger: reload the list to show the truth.
        flow.show_progress("progress.issuing", on_cancel=flow.refresh_list)
        flow.run(job, issued, retry=lambda: self.issue(type_id))
