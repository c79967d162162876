"""Modification 3 (S501–S520), the kiosk's default flow: what each touch does and where it leads.

    login ─OK→ progress ─→ list ─Next→ confirm ─Issue→ progress(issuing) ─→ progress(printing) ─→ done
      ↑                      │ touch a grey row           │ AlreadyIssued (S209b/S210b)
      └── logout / idle ─────┴──────────→ alreadyIssued ←─┘ ─Reprint→ progress ─→ done

Every network or printer call runs on the ``Worker``; answers that arrive after a logout, an idle timeout or
a cancel are dropped. Errors become an ``ErrorInfo`` with a way forward.
"""

from __future__ import annotations

import logging
import math
import re
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from backend_client import (
    AlreadyIssued,
    ApiError,
    BadRequest,
    CertificateType,
    ClientError,
    EligibleItem,
    Locked,
    ServerError,
    Session,
    Unauthorized,
    Unreachable,
)
from kiosk.config import KioskConfig
from kiosk.idle import IdleWatcher
from kiosk.main_window import MainWindow
from kiosk.ports import Deliver, DeliveryLike, IntermediaryPort
from kiosk.screens.base import breakable_id
from kiosk.screens.done import Outcome
from kiosk.screens.error import ErrorInfo
from kiosk.worker import Worker

log = logging.getLogger(__name__)


def describe_error(exc: Exception, *, during_login: bool = False) -> ErrorInfo:
    """Map a failure to the error screen's words. ``AlreadyIssued`` is not an error: it has its own screen."""
    if isinstance(exc, Unreachable):
        return ErrorInfo("unreachable", can_retry=True, back_to_login=during_login)
    if isinstance(exc, Locked):
        minutes = math.ceil(exc.retry_after / 60) if exc.retry_after else None
        return ErrorInfo("locked", {"minutes": minutes} if minutes else {}, back_to_login=True)
    if isinstance(exc, Unauthorized):
        if during_login or exc.code == "invalid_credentials":
            return ErrorInfo("credentials", back_to_login=True)
        return ErrorInfo("expired", back_to_login=True)
    if isinstance(exc, ServerError):
        return ErrorInfo("server", can_retry=True, back_to_login=during_login)
    if isinstance(exc, BadRequest) and exc.code == "mixed_methods":
        # The list lets one method be selected at a time, so our rows disagree with the server's: reload them.
        return ErrorInfo("mixed_methods", back_to_login=during_login, reload_list=not during_login)
    if isinstance(exc, ApiError):
        return ErrorInfo("rejected", back_to_login=during_login)
    if isinstance(exc, ClientError):  # ProtocolError: the server answered something undocumented
        return ErrorInfo("server", can_retry=True, back_to_login=during_login)
    log.error("unexpected failure in the kiosk flow", exc_info=exc)
    return ErrorInfo("unexpected", can_retry=True, back_to_login=during_login)


def pdf_filename(certificate_id: str) -> str:
    """A short, safe file name; 16 hex digits of the id (64 bits) are plenty to tell certificates apart."""
    return f"certificate-{re.sub(r'[^A-Za-z0-9._-]', '_', certificate_id)[:16]}.pdf"


class KioskFlow(QObject):
    def __init__(self, window: MainWindow, client: IntermediaryPort, config: KioskConfig, deliver: Deliver,
                 *, worker: Worker, idle: IdleWatcher) -> None:
        super().__init__(window)
        self.window = window
        self.client = client
        self.config = config
        self.deliver = deliver
        self.worker = worker
        self.idle = idle
        self.session: Session | None = None
        self.types: list[CertificateType] = []
        self.selection: list[EligibleItem] = []
        self.idempotency_key: str | None = None
        self._on_cancel: Callable[[], None] = self._show_login
        self._on_retry: Callable[[], None] | None = None
        self._on_error_back: Callable[[], None] = self._show_login
        self._on_already_back: Callable[[], None] = self._show_list
        self._connect()

    def _connect(self) -> None:
        w = self.window
        w.login.submitted.connect(self.login)
        w.items_list.proceed.connect(self.choose)
        w.items_list.issuedTouched.connect(lambda cid: self.show_already_issued(cid, stale=False))
        w.items_list.logoutRequested.connect(self.logout)
        w.confirm.issueRequested.connect(self.issue)
        w.confirm.backRequested.connect(self._show_list)
        w.progress.cancelRequested.connect(self.cancel)
        w.done.printAnotherRequested.connect(self.refresh_list)
        w.done.logoutRequested.connect(self.logout)
        w.already_issued.reprintRequested.connect(self.reprint)
        w.already_issued.backRequested.connect(lambda: self._on_already_back())
        w.error.retryRequested.connect(self._retry)
        w.error.backRequested.connect(lambda: self._on_error_back())
        self.idle.timedOut.connect(self.on_idle_timeout)
        self.worker.busyChanged.connect(self._on_busy_changed)

    def start(self) -> None:
        self.idle.start()
        self._show_login()

    def shutdown(self) -> None:
        self.idle.stop()
        session, self.session = self.session, None
        self.worker.cancel_all()
        if session is not None:
            self.worker.submit_detached(lambda: self.client.logout(session))
        self.worker.wait_for_done()

    # -- S501–S509: sign in and fetch the eligible transactions -----------------------------------
    def login(self, applicant_id: str, password: str) -> None:
        client = self.client

        def job() -> tuple[Session, list[EligibleItem], list[CertificateType]]:
            session = client.login(applicant_id, password)
            try:
                return session, client.eligible_transactions(session), client.certificate_types()
            except Exception:
                _quiet_logout(client, session)
                raise

        def dropped(result: tuple[Session, list[EligibleItem], list[CertificateType]]) -> None:
            # Signed in after the applicant cancelled or the kiosk timed out: close that session again.
            self.worker.submit_detached(lambda: _quiet_logout(client, result[0]))

        self.window.login.password.clear()  # never leave a password in a widget longer than needed
        self._progress("progress.login", on_cancel=lambda: self._show_login(keep_applicant_id=True))
        self._run(job, self._logged_in, retry=lambda: self.login(applicant_id, password), during_login=True,
                  on_dropped=dropped)

    def _logged_in(self, result: tuple[Session, list[EligibleItem], list[CertificateType]]) -> None:
        self.session, items, self.types = result
        self.window.set_user_name(self.session.user_name)
        self.window.login.clear()
        self.window.items_list.set_items(items)
        self._show_list()

    def refresh_list(self) -> None:
        session = self._require_session()
        if session is None:
            return
        self._progress("progress.loading", on_cancel=self._show_list)
        self._run(lambda: self.client.eligible_transactions(session), self._list_loaded,
                  retry=self.refresh_list)

    def _list_loaded(self, items: list[EligibleItem]) -> None:
        self.window.items_list.set_items(items)
        self._show_list()

    # -- S510/S511: select and confirm ------------------------------------------------------------
    def choose(self, items: list[EligibleItem]) -> None:
        if not items:
            return
        self.selection = list(items)
        self.idempotency_key = uuid.uuid4().hex  # one per confirmed choice; a retry reuses it
        self.window.confirm.set_selection(self.selection, self.types)
        self.window.show_screen("confirm")

    # -- S512–S519: issue; S520: output -----------------------------------------------------------
    def issue(self, type_id: str) -> None:
        session = self._require_session()
        if session is None or not self.selection:
            return
        item_ids = [item.item_id for item in self.selection]
        key = self.idempotency_key or uuid.uuid4().hex
        self.idempotency_key = key
        client = self.client

        def job() -> tuple[str, bytes]:
            certificate = client.issue_certificate(session, item_ids, type_id, key)
            return certificate.certificate_id, client.certificate_pdf(session, certificate.certificate_id)

        def issued(result: tuple[str, bytes]) -> None:
            self._deliver(*result, reprint=False)

        # Cancelling does not undo an issuance that reached the ledger: reload the list to show the truth.
        self._progress("progress.issuing", on_cancel=self.refresh_list)
        self._run(job, issued, retry=lambda: self.issue(type_id))

    def reprint(self, certificate_id: str) -> None:
        session = self._require_session()
        if session is None or not certificate_id:
            return
        self._progress("progress.reprinting", on_cancel=self._show_list)
        self._run(lambda: self.client.certificate_pdf(session, certificate_id, reprint=True),
                  lambda pdf: self._deliver(certificate_id, pdf, reprint=True),
                  retry=lambda: self.reprint(certificate_id))

    def _deliver(self, certificate_id: str, pdf: bytes, *, reprint: bool) -> None:
        config, deliver = self.config, self.deliver

        def job() -> DeliveryLike:
            return deliver(pdf, pdf_filename(certificate_id), save_dir=config.save_dir,
                           printer=config.printer, server=config.cups_server)

        def delivered(delivery: DeliveryLike) -> None:
            self.window.done.show_outcome(Outcome(
                certificate_id=certificate_id, kind=delivery.kind, printer=delivery.printer,
                path=delivery.path,
                printer_expected=config.printer is not None, reprint=reprint,
                detail_en=delivery.message_en, detail_ja=delivery.message_ja))
            self.window.show_screen("done")

        def failed(exc: Exception) -> None:
            log.error("could not print or save certificate %s", certificate_id, exc_info=exc)
            self._show_error(ErrorInfo("print", {"cid": breakable_id(certificate_id)}, can_retry=True),
                             retry=lambda: self._deliver(certificate_id, pdf, reprint=reprint))

        self._progress("progress.printing", cancellable=False)
        self.worker.submit(job, delivered, failed)

    # -- S209b/S210b: issued notification ---------------------------------------------------------
    def show_already_issued(self, certificate_id: str, *, stale: bool) -> None:
        """``stale``: the server said so while our list showed the row as free, so reload the list on back."""
        self._on_already_back = self.refresh_list if stale else self._show_list
        self.window.already_issued.show_certificate(certificate_id)
        self.window.show_screen("alreadyIssued")

    # -- leaving ----------------------------------------------------------------------------------
    def logout(self) -> None:
        self._reset()

    def on_idle_timeout(self) -> None:
        login = self.window.login
        nothing_to_clear = (self.session is None and self.window.current_screen_name() == "login"
                            and not login.applicant_id.text() and not login.password.text())
        if nothing_to_clear:
            return
        self._reset(notice="login.idle_logout" if self.session is not None else None)

    def cancel(self) -> None:
        self.worker.cancel_all()
        self._on_cancel()

    def _reset(self, notice: str | None = None) -> None:
        """Log out and wipe every screen (names, ids, amounts, password); pending answers are dropped."""
        session, self.session = self.session, None
        self.worker.cancel_all()
        self.types, self.selection, self.idempotency_key = [], [], None
        self._on_retry = None
        self.window.clear_personal_data()
        self.window.login.show_notice(notice)
        self._show_login()
        self.idle.touch()
        if session is not None:
            client = self.client
            self.worker.submit_detached(lambda: client.logout(session))

    # -- helpers ----------------------------------------------------------------------------------
    def _show_login(self, *, keep_applicant_id: bool = False) -> None:
        if not keep_applicant_id:
            self.window.login.applicant_id.clear()
        self.window.login.password.clear()
        self.window.show_screen("login")
        self.window.login.focus_first_empty()

    def _show_list(self) -> None:
        if self.session is None:
            self._show_login()
        else:
            self.window.show_screen("list")

    def _require_session(self) -> Session | None:
        if self.session is None:
            self._show_login()
        return self.session

    def _progress(self, stage: str, *, on_cancel: Callable[[], None] | None = None,
                  cancellable: bool = True) -> None:
        self._on_cancel = on_cancel or self._show_list
        self.window.progress.set_stage(stage, cancellable=cancellable)
        self.window.show_screen("progress")

    def _run(self, job: Callable[[], Any], on_done: Callable[[Any], None], *, retry: Callable[[], None],
             during_login: bool = False, on_dropped: Callable[[Any], None] | None = None) -> None:
        def failed(exc: Exception) -> None:
            if isinstance(exc, AlreadyIssued):
                self.show_already_issued(exc.certificate_id, stale=True)
            else:
                self._fail(exc, retry=retry, during_login=during_login)

        self.worker.submit(job, on_done, failed, on_dropped=on_dropped)

    def _fail(self, exc: Exception, *, retry: Callable[[], None], during_login: bool) -> None:
        info = describe_error(exc, during_login=during_login)
        if info.kind == "expired":
            self._reset()  # the server forgot us: wipe everything before saying so
        self._show_error(info, retry=retry)

    def _show_error(self, info: ErrorInfo, *, retry: Callable[[], None] | None) -> None:
        self._on_retry = retry if info.can_retry else None
        keep_id = info.kind != "locked"  # retyping the ID after a typo or a network hiccup is tedious
        if info.back_to_login:
            self._on_error_back = lambda: self._show_login(keep_applicant_id=keep_id)
        elif info.reload_list:
            self._on_error_back = self.refresh_list
        else:
            self._on_error_back = self._show_list
        self.window.error.show_error(info)
        self.window.show_screen("error")

    def _retry(self) -> None:
        if self._on_retry is not None:
            self._on_retry()

    def _on_busy_changed(self, busy: bool) -> None:
        self.idle.paused = busy
        if not busy:
            self.idle.touch()


def _quiet_logout(client: IntermediaryPort, session: Session) -> None:
    try:
        client.logout(session)
    except ClientError as exc:
        log.info("logout after a failed sign-in did not reach the server: %s", exc)
