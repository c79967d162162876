"""What the flows share, below them: the shared flow as the flows see it (``SharedFlow``, which
``kiosk.flow.KioskFlow`` is) and a sign-out that may fail quietly. ``kiosk.flow`` imports the flows, never the
reverse (an import-linter contract in pyproject.toml keeps it so)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from backend_client import CertificateType, ClientError, Session
from kiosk.core.config import KioskConfig
from kiosk.core.ports import IntermediaryPort
from kiosk.core.settings import KioskSettings, SettingsStore
from kiosk.main_window import MainWindow
from kiosk.screens.error import ErrorInfo
from kiosk.worker import Worker

log = logging.getLogger(__name__)


class SharedFlow(Protocol):
    """What a flow (list, manual, reprint, operator) asks of the shared flow: the window, the port, the worker,
    the session, and the shared steps (progress, errors, output, leaving)."""

    window: MainWindow
    client: IntermediaryPort
    config: KioskConfig
    worker: Worker
    store: SettingsStore
    session: Session | None
    types: list[CertificateType]

    @property
    def settings(self) -> KioskSettings: ...

    def set_session(self, session: Session) -> None: ...

    def require_session(self) -> Session | None: ...

    def close_late_session(self, result: tuple[Any, ...]) -> None: ...

    def show_idle(self, *, keep_applicant_id: bool = False, notice: str | None = None) -> None: ...

    def show_list(self) -> None: ...

    def refresh_list(self) -> None: ...

    def show_progress(self, stage: str, *, on_cancel: Callable[[], None] | None = None,
                      cancellable: bool = True) -> None: ...

    def run(self, job: Callable[[], Any], on_done: Callable[[Any], None], *, retry: Callable[[], None],
            during_login: bool = False, on_dropped: Callable[[Any], None] | None = None) -> None: ...

    def show_error(self, info: ErrorInfo, *, retry: Callable[[], None] | None) -> None: ...

    def show_already_issued(self, certificate_ids: Sequence[str], *, stale: bool) -> None: ...

    def after_done(self, then: Callable[[], None], message_id: str) -> None: ...

    def deliver_pdf(self, certificate_id: str, pdf: bytes, *, reprint: bool, skipped: int = 0) -> None: ...

    def reprint(self, certificate_id: str, *, from_reprint_list: bool = False) -> None: ...

    def apply_settings(self, old: KioskSettings, new: KioskSettings) -> None: ...

    def home(self) -> None: ...

    def end_request(self) -> None: ...

    def logout(self) -> None: ...


def quiet_logout(client: IntermediaryPort, session: Session) -> None:
    try:
        client.logout(session)
    except ClientError as exc:
        log.info("logout after a failed sign-in did not reach the server: %s", exc)
