"""Reprint an earlier certificate without issuing again (issue 5, "Reprint").

List mode: the list screen's "Reprint a certificate" loads the applicant's certificates. Manual mode: the form's
"Reprint a certificate" signs in with the ID and password typed there first. Touching a certificate and
"Reprint" fetches its PDF marked as a reprint and outputs it; the done screen says it is a reprint.
"""

from __future__ import annotations

from collections.abc import Collection

from backend_client import CertificateType, Session
from backend_client.intermediary import CertificateRecord
from kiosk.flows.common import SharedFlow, quiet_logout

Loaded = tuple[list[CertificateRecord], list[CertificateType]]


class ReprintFlow:
    def __init__(self, flow: SharedFlow) -> None:
        self.flow = flow
        w = flow.window
        w.items_list.reprintRequested.connect(lambda: self.open())
        w.manual.reprintRequested.connect(self.sign_in_and_open)
        w.already_issued.chooseRequested.connect(lambda ids: self.open(only=ids))
        w.reprint.reprintRequested.connect(lambda cid: flow.reprint(cid, from_reprint_list=True))
        w.reprint.backRequested.connect(flow.home)

    def open(self, only: Collection[str] | None = None) -> None:
        """The signed-in applicant's certificates (``only``: just these, e.g. the ones covering a period)."""
        flow = self.flow
        session = flow.require_session()
        if session is None:
            return
        client, types = flow.client, flow.types

        def job() -> Loaded:
            return client.certificates(session), types or client.certificate_types()

        flow.show_progress("progress.certificates", on_cancel=flow.home)
        flow.run(job, lambda loaded: self._show(loaded, only), retry=lambda: self.open(only))

    def sign_in_and_open(self, applicant_id: str, password: str) -> None:
        flow = self.flow
        client = flow.client

        def job() -> tuple[Session, list[CertificateRecord], list[CertificateType]]:
            session = client.login(applicant_id, password)
            try:
                return session, client.certificates(session), client.certificate_types()
            except Exception:
                quiet_logout(client, session)
                raise

        def signed_in(result: tuple[Session, list[CertificateRecord], list[CertificateType]]) -> None:
            session, records, flow.types = result
            flow.set_session(session)
            self._show((records, flow.types), None)

        flow.window.manual.password.clear()
        flow.show_progress("progress.login", on_cancel=lambda: flow.show_idle(keep_applicant_id=True))
        flow.run(job, signed_in, retry=lambda: self.sign_in_and_open(applicant_id, password), during_login=True,
                 on_dropped=flow.close_late_session)

    def _show(self, loaded: Loaded, only: Collection[str] | None) -> None:
        records, types = loaded
        self.flow.types = types
        if only is not None:
            wanted = set(only)
            records = [r for r in records if r.certificate_id in wanted]
        self.flow.window.reprint.set_certificates(records, types, filtered=only is not None)
        self.flow.window.show_screen("reprint")
