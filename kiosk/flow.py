"""What each touch does and where it leads: what every flow shares (session, background work, progress, errors,
output, logout and idle timeout, settings). The flows themselves are in ``kiosk.flows``: the list flow
(modification 3, S501–S520, the default), the manual flow (main embodiment, S201–S214), reprints, staff settings.

    login ─OK→ progress ─→ list ─Next→ confirm ─Issue→ progress(issuing) ─→ progress(printing) ─→ done
      ↑                      │ touch a grey row           │ AlreadyIssued (S209b/S210b)    └→ notPrinted ─Print again→
      └── logout / idle ─────┴──────────→ alreadyIssued ←─┘ ─Reprint→ progress ─→ done
    list ─Reprint a certificate→ reprint ─Reprint→ progress ─→ done ─Reprint another→ reprint
    manual ─OK→ progress ─→ manualConfirm ─Issue→ progress ─→ done | alreadyIssued; or error(no match)
                                                                      (mode "manual": the idle screen)
    login/manual ─Staff settings→ pin ─→ settings ─Save→ login/manual
    login ─Verify a certificate→ verify ─→ verifyResult ─→ certificateView   (the auditor's mode, kiosk.flows.verify)
    done/notPrinted ─Show on screen→ certificateView ─Back→ done/notPrinted   (S214a on the screen)

Every network or printer call runs on the ``Worker``; answers that arrive after a logout, an idle timeout or
a cancel are dropped. Errors become an ``ErrorInfo`` with a way forward. The flows reach the intermediary
through an ``IntermediaryPort`` only, which in direct mode (modification 2) is ``kiosk.direct``'s backend.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject

from backend_client import AlreadyIssued, CertificateType, EligibleItem, Session
from kiosk.core.auditor import Auditor, TrustCache, fetch_trust_of
from kiosk.core.config import KioskConfig, Mode
from kiosk.core.ports import Deliver, DeliveryLike, IntermediaryPort
from kiosk.core.reference import reference_of
from kiosk.core.settings import KioskSettings, SettingsStore
from kiosk.failures import describe_error, pdf_filename
from kiosk.flows.common import quiet_logout
from kiosk.flows.list import ListFlow
from kiosk.flows.manual import ManualFlow
from kiosk.flows.operator import OperatorFlow
from kiosk.flows.reprint import ReprintFlow
from kiosk.flows.verify import VerifyFlow
from kiosk.flows.view import ViewFlow
from kiosk.idle import IdleWatcher
from kiosk.main_window import IDLE_SCREENS, MainWindow
from kiosk.notice import TransientNotice
from kiosk.printers import ListPrinters, PrinterInfoLike, cups_list_printers
from kiosk.screens.done import Outcome
from kiosk.screens.error import ErrorInfo
from kiosk.screens.not_printed import PrinterCheck
from kiosk.worker import Worker

log = logging.getLogger(__name__)

Connect = Callable[[KioskSettings], IntermediaryPort]


class KioskFlow(QObject):
    def __init__(self, window: MainWindow, client: IntermediaryPort, config: KioskConfig, deliver: Deliver,
                 *, worker: Worker, idle: IdleWatcher, store: SettingsStore, connect: Connect | None = None,
                 list_printers: ListPrinters | None = None, now: Callable[[], float] = time.time,
                 auditor: Callable[[], Auditor] | None = None, camera: bool = False) -> None:
        super().__init__(window)
        self.window = window
        self.client = client
        self.config = config
        self.deliver = deliver
        self.worker = worker
        self.idle = idle
        self.store = store
        self._connect = connect
        self.now = now  # Unix time: when a locked ID can be used again
        self.session: Session | None = None
        self.types: list[CertificateType] = []
        self._on_cancel: Callable[[], None] = self.show_idle
        self._on_retry: Callable[[], None] | None = None
        self._on_error_back: Callable[[], None] = self.show_idle
        self._on_already_back: Callable[[], None] = self.show_list
        self._on_done_next: Callable[[], None] = self.refresh_list
        self._done_next_id = "done.print_another"
        self._on_print_again: Callable[[], None] | None = None  # holds the PDF while "not printed" is shown
        self.transient = TransientNotice(self)
        self._connect_signals()
        self.lists = ListFlow(self)
        self.manual = ManualFlow(self)
        self.reprints = ReprintFlow(self)
        self.operator = OperatorFlow(self, list_printers or cups_list_printers)
        self.viewer = ViewFlow(self)
        self.verifier = VerifyFlow(self, auditor or self.make_auditor, self.viewer, camera=camera)
        self._shown_pdf: tuple[str, bytes] | None = None  # the certificate "Show on screen" shows

    def make_auditor(self) -> Auditor:
        """The auditor's check through the port in use: the intermediary's trust list, or in direct mode the
        node's registry with the pinned validators; the last one fetched is kept for offline checks."""
        return Auditor(TrustCache(self.config.verify_trust_path), fetch_trust_of(self.client),
                       zone_name=self.config.timezone)

    def _connect_signals(self) -> None:
        w = self.window
        w.progress.cancelRequested.connect(self.cancel)
        w.done.printAnotherRequested.connect(lambda: self._on_done_next())
        w.done.logoutRequested.connect(self.logout)
        w.not_printed.printAgainRequested.connect(self._print_again)
        w.not_printed.nextRequested.connect(lambda: self._on_done_next())
        w.not_printed.logoutRequested.connect(self.logout)
        w.not_printed.showOnScreenRequested.connect(lambda: self.show_on_screen("notPrinted"))
        w.done.showOnScreenRequested.connect(lambda: self.show_on_screen("done"))
        w.already_issued.reprintRequested.connect(self.reprint)
        w.already_issued.backRequested.connect(lambda: self._on_already_back())
        w.error.retryRequested.connect(self._retry)
        w.error.backRequested.connect(lambda: self._on_error_back())
        self.idle.warned.connect(self.on_idle_warning)
        self.idle.resumed.connect(w.idle_warning.close_overlay)
        self.idle.timedOut.connect(self.on_idle_timeout)
        self.worker.busyChanged.connect(self._on_busy_changed)

    @property
    def settings(self) -> KioskSettings:
        return self.store.settings

    @property
    def mode(self) -> Mode:
        return self.settings.mode

    def start(self) -> None:
        self.idle.start()
        self.show_idle()

    def shutdown(self) -> None:
        self.idle.stop()
        self.transient.cancel()
        session, self.session = self.session, None
        self.worker.cancel_all()
        if session is not None:
            self.worker.submit_detached(lambda: self.client.logout(session))
        self.worker.wait_for_done()

    # -- the session and the list ------------------------------------------------------------------
    def close_late_session(self, result: tuple[Any, ...]) -> None:
        """Signed in after the applicant cancelled or the kiosk timed out: close that session again."""
        client, session = self.client, result[0]
        self.worker.submit_detached(lambda: quiet_logout(client, session))

    def set_session(self, session: Session) -> None:
        self.session = session
        self.window.set_user_name(session.user_name, session.user_name_ja)

    def refresh_list(self) -> None:
        session = self.require_session()
        if session is None:
            return
        self.show_progress("progress.loading", on_cancel=self.show_list)
        self.run(lambda: self.client.eligible_transactions(session), self._list_loaded, retry=self.refresh_list)

    def _list_loaded(self, items: list[EligibleItem]) -> None:
        self.window.items_list.set_items(items)
        self.show_list()

    def reprint(self, certificate_id: str, *, from_reprint_list: bool = False) -> None:
        """Fetch the PDF marked as a reprint and output it again; nothing is issued."""
        session = self.require_session()
        if session is None or not certificate_id:
            return
        if from_reprint_list:
            back: Callable[[], None] = lambda: self.window.show_screen("reprint")  # noqa: E731
            self.after_done(back, "done.reprint_another")
        else:
            back = self.home
            self.after_done(self.home_after_output, self.home_after_output_id())
        self.show_progress("progress.reprinting", on_cancel=back)
        self.run(lambda: self.client.certificate_pdf(session, certificate_id, reprint=True),
                 lambda pdf: self.deliver_pdf(certificate_id, pdf, reprint=True),
                 retry=lambda: self.reprint(certificate_id, from_reprint_list=from_reprint_list))

    def after_done(self, then: Callable[[], None], message_id: str) -> None:
        """What the done screen's way forward does next, and its words."""
        self._on_done_next, self._done_next_id = then, message_id

    def deliver_pdf(self, certificate_id: str, pdf: bytes, *, reprint: bool, skipped: int = 0) -> None:
        config, settings, deliver = self.config, self.settings, self.deliver
        printer, media = settings.printer, settings.paper_size

        def job() -> DeliveryLike:
            return deliver(pdf, pdf_filename(certificate_id), save_dir=config.save_dir, printer=printer,
                           server=config.cups_server, media=media)

        self._shown_pdf = (certificate_id, pdf)

        def delivered(delivery: DeliveryLike) -> None:
            if delivery.kind != "printed" and printer is not None:  # saved instead: the printer failed
                log.warning("certificate %s was not printed on %s (saved at %s): %s", certificate_id, printer,
                            delivery.path, delivery.message_en)
                self._on_print_again = lambda: self.deliver_pdf(certificate_id, pdf, reprint=reprint,
                                                                skipped=skipped)
                self.show_not_printed(certificate_id, printer, reprint=reprint)
                return
            self.window.done.show_outcome(Outcome(
                certificate_id=certificate_id, kind=delivery.kind, printer=delivery.printer, path=delivery.path,
                printer_expected=printer is not None, reprint=reprint, detail_en=delivery.message_en,
                detail_ja=delivery.message_ja, skipped=skipped),
                next_id=self._done_next_id, on_screen=settings.show_on_screen or delivery.kind != "printed")
            self.window.show_screen("done")
            if delivery.kind == "printed" and delivery.printer:
                self.look_up_printer_info(delivery.printer)
            if settings.show_on_screen:  # S214a: the site prefers the screen; the done screen is behind it
                self.show_on_screen("done")

        def failed(exc: Exception) -> None:
            log.error("could not print or save certificate %s", certificate_id, exc_info=exc)
            self.show_error(ErrorInfo("print", {"cid": reference_of(certificate_id)}, can_retry=True),
                            retry=lambda: self.deliver_pdf(certificate_id, pdf, reprint=reprint, skipped=skipped))

        self.show_progress("progress.printing", cancellable=False)
        self.worker.submit(job, delivered, failed)

    def look_up_printer_info(self, printer: str) -> None:
        """The printer's name for people (CUPS printer-info) on the done screen; its queue name until then."""
        screen, server, list_printers = self.window.done, self.config.cups_server, self.operator.list_printers

        def found(printers: Sequence[PrinterInfoLike]) -> None:
            match = next((p for p in printers if p.name == printer), None)
            info = getattr(match, "info", "")
            if isinstance(info, str) and info:
                screen.set_printer_info(printer, info)

        def failed(exc: Exception) -> None:
            log.info("could not read the name of printer %s: %s", printer, exc)

        # Nobody waits for the name: a slow CUPS must not hold off the idle timeout (the done screen has a name).
        self.worker.submit(lambda: list_printers(server), found, failed, waited_for=False)

    def show_not_printed(self, certificate_id: str, printer: str, *, reprint: bool) -> None:
        """The printer failed: its own screen, then a look at the printer to say what is wrong with it."""
        screen, server, list_printers = self.window.not_printed, self.config.cups_server, self.operator.list_printers
        screen.show_failure(certificate_id, reprint=reprint, next_id=self._done_next_id)
        self.window.show_screen("notPrinted")

        def found(printers: Sequence[PrinterInfoLike]) -> None:
            match = next((p for p in printers if p.name == printer), None)
            screen.set_printer_check(PrinterCheck("found", match) if match else PrinterCheck("missing"))

        def failed(exc: Exception) -> None:
            log.warning("could not look at printer %s after a failed print: %s", printer, exc)
            screen.set_printer_check(PrinterCheck("unreachable"))

        self.worker.submit(lambda: list_printers(server), found, failed)

    def show_on_screen(self, back_to: str) -> None:
        """S214a: the certificate just output, on the panel; back to ``back_to`` (done or notPrinted)."""
        if self._shown_pdf is None:
            return
        certificate_id, pdf = self._shown_pdf
        self.viewer.show(pdf, certificate_id=certificate_id, back=lambda: self.window.show_screen(back_to))

    def _print_again(self) -> None:
        if self._on_print_again is not None:
            self._on_print_again()

    # -- S209b/S210b: issued notification ---------------------------------------------------------
    def show_already_issued(self, certificate_ids: Sequence[str], *, stale: bool) -> None:
        """``stale``: the server said so while our list showed the row as free, so reload the list on back."""
        if self.mode == "manual":
            self._on_already_back = self.home
        else:
            self._on_already_back = self.refresh_list if stale else self.show_list
        self.window.already_issued.show_certificates(certificate_ids)
        self.window.show_screen("alreadyIssued")

    # -- leaving ----------------------------------------------------------------------------------
    def logout(self) -> None:
        self._reset()

    def end_request(self) -> None:
        """Manual flow: sign out but keep the request on the form (the same applicant may correct it)."""
        self._reset(keep_form=True)

    def home(self) -> None:
        """Back from a screen reached while signed in: the list, or in manual mode the form (signed out)."""
        if self.mode == "manual":
            self.end_request()
        else:
            self.show_list()

    def home_after_output(self) -> None:
        if self.mode == "manual":
            self.end_request()
        else:
            self.refresh_list()

    def home_after_output_id(self) -> str:
        return "done.new_request" if self.mode == "manual" else "done.print_another"

    def nothing_to_clear(self) -> bool:
        screen = self.window.current_screen()
        return self.session is None and screen.name in IDLE_SCREENS and not screen.has_input()

    def on_idle_warning(self, seconds_left: int) -> None:
        if not self.nothing_to_clear():
            self.window.idle_warning.show_countdown(seconds_left)

    def on_idle_timeout(self) -> None:
        self.window.idle_warning.close_overlay()
        if self.nothing_to_clear():
            return
        self._reset(notice="login.idle_logout" if self.session is not None else None)

    def cancel(self) -> None:
        self.worker.cancel_all()
        self._on_cancel()

    def _reset(self, notice: str | None = None, *, keep_form: bool = False) -> None:
        """Log out and wipe every screen (names, ids, amounts, password); pending answers are dropped.

        ``keep_form``: the manual form keeps the applicant ID and the request (not the password), and the
        language stays; otherwise the kiosk returns to its default language for the next person.
        """
        session, self.session = self.session, None
        self.worker.cancel_all()
        self.types = []
        self.lists.forget()
        self.manual.pending = None
        self._on_retry = None
        self._on_print_again = None
        self._shown_pdf = None
        form = self.window.manual.snapshot() if keep_form else None
        self.window.clear_personal_data()
        if form is not None:
            self.window.manual.restore(form)
        elif self.window.language != self.settings.language:
            self.window.set_language(self.settings.language)
        self.show_idle(keep_applicant_id=keep_form, notice=notice)
        self.idle.touch()
        if session is not None:
            client = self.client
            self.worker.submit_detached(lambda: client.logout(session))

    # -- settings ---------------------------------------------------------------------------------
    def apply_settings(self, old: KioskSettings, new: KioskSettings) -> None:
        """The operator saved ``new``: use it from now on (the idle screen shows the new mode)."""
        self.idle.set_timeout(new.idle_timeout_s)
        if connection(new) != connection(old):
            self.manual.forget_types()  # institutions come from the server (or the kiosk's own formats)
            if self._connect is not None:
                previous, self.client = self.client, self._connect(new)
                close = getattr(previous, "close", None)
                if callable(close):
                    self.worker.submit_detached(close)
            else:
                log.warning("no way to connect to %s: keeping the current client", connection(new))
        if self.window.language != new.language:
            self.window.set_language(new.language)

    # -- helpers ----------------------------------------------------------------------------------
    def show_idle(self, *, keep_applicant_id: bool = False, notice: str | None = None) -> None:
        """The screen that waits for the next applicant: sign-in (list mode) or the request form (manual).

        ``notice`` is for the person who just left: it goes on the next touch or after a short while.
        """
        self.transient.cancel()
        if self.mode == "manual":
            screen = self.window.manual
            screen.clear(keep_request=keep_applicant_id, keep_applicant_id=keep_applicant_id)
            screen.show_notice(notice)
            self.window.show_screen("manual")
            self.manual.ensure_types()
        else:
            login = self.window.login
            login.clear(keep_applicant_id=keep_applicant_id)
            login.show_notice(notice)
            self.window.show_screen("login")
            login.focus_first_empty()
        if notice is not None:
            shown = self.window.manual if self.mode == "manual" else self.window.login
            self.transient.show(lambda: shown.clear_notice(notice))

    def show_list(self) -> None:
        if self.session is None:
            self.show_idle()
        else:
            self.window.show_screen("list")

    def require_session(self) -> Session | None:
        if self.session is None:
            self.show_idle()
        return self.session

    def show_progress(self, stage: str, *, on_cancel: Callable[[], None] | None = None,
                      cancellable: bool = True) -> None:
        self._on_cancel = on_cancel or self.show_list
        self.window.progress.set_stage(stage, cancellable=cancellable)
        self.window.show_screen("progress")

    def run(self, job: Callable[[], Any], on_done: Callable[[Any], None], *, retry: Callable[[], None],
            during_login: bool = False, on_dropped: Callable[[Any], None] | None = None) -> None:
        def failed(exc: Exception) -> None:
            if isinstance(exc, AlreadyIssued):
                self.show_already_issued([exc.certificate_id], stale=True)
            else:
                self.fail(exc, retry=retry, during_login=during_login)

        self.worker.submit(job, on_done, failed, on_dropped=on_dropped)

    def fail(self, exc: Exception, *, retry: Callable[[], None], during_login: bool) -> None:
        info = describe_error(exc, during_login=during_login, timezone=self.config.timezone, now=self.now)
        if info.kind == "expired":
            self._reset()  # the server forgot us: wipe everything before saying so
        self.show_error(info, retry=retry)

    def show_error(self, info: ErrorInfo, *, retry: Callable[[], None] | None) -> None:
        self._on_retry = retry if info.can_retry else None
        if info.back_to_login:  # retyping the ID after a typo, a lock-out or a network hiccup is tedious
            self._on_error_back = lambda: self.show_idle(keep_applicant_id=True)
            if self.mode == "manual" and info.back_id is None:
                info = replace(info, back_id="button.back")  # back to the request form, kept as it was
        elif info.reload_list:
            self._on_error_back = self.refresh_list
        else:
            self._on_error_back = self.home
        self.window.error.show_error(info)
        self.window.show_screen("error")

    def _retry(self) -> None:
        if self._on_retry is not None:
            self._on_retry()

    def _on_busy_changed(self, busy: bool) -> None:
        self.idle.paused = busy
        if not busy:
            self.idle.touch()


def connection(settings: KioskSettings) -> tuple[str, str | None]:
    """What the port depends on: the backend and its URL."""
    if settings.backend == "direct":
        return settings.backend, settings.node_url
    return settings.backend, settings.intermediary_url


__all__ = ["KioskFlow"]
