"""S214a: the print processing unit prints the certificate through CUPS (pycups) and follows the job.

``cups`` is imported lazily, so the rest of the package works on machines without pycups.  libcups keeps
the server in thread-local state and ``printFile`` looks the queue up through it, so the server is set
around each call (and restored) instead of being passed to ``cups.Connection(host=...)`` only.
"""

from __future__ import annotations

import contextlib
import importlib
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from printing import messages
from printing.errors import PrinterUnavailable, PrintFailed

PRINTER_STATES = {3: "idle", 4: "printing", 5: "stopped"}
JOB_STATES = {
    3: "pending",
    4: "held",
    5: "processing",
    6: "stopped",
    7: "cancelled",
    8: "aborted",
    9: "completed",
}
CONNECT_TIMEOUT = 5.0
_JOB_ATTRS = ["job-state", "job-state-reasons", "job-printer-state-message"]
_PRINTER_ATTRS = ["printer-state", "printer-state-reasons", "printer-state-message"]


@dataclass(frozen=True)
class PrinterInfo:
    name: str
    state: str  # "idle" | "printing" | "stopped"
    state_reasons: tuple[str, ...]
    is_default: bool


@dataclass(frozen=True)
class JobOutcome:
    """How a job ended: "completed", "aborted", "cancelled", "printer-stopped" or "timed-out"."""

    job_id: int
    state: str
    message_en: str
    message_ja: str

    @property
    def ok(self) -> bool:
        return self.state == "completed"


def list_printers(server: str | None = None) -> list[PrinterInfo]:
    """The queues of the CUPS server (default: libcups' own default), sorted by name."""
    with _connection(server) as (cups, conn):
        try:
            queues: dict[str, dict[str, Any]] = conn.getPrinters()
            default = conn.getDefault()
        except (cups.IPPError, cups.HTTPError, RuntimeError) as exc:
            raise _unavailable(server, exc) from exc
    return [
        PrinterInfo(
            name=name,
            state=PRINTER_STATES.get(attrs.get("printer-state", 0), "stopped"),
            state_reasons=_reasons(attrs.get("printer-state-reasons")),
            is_default=name == default,
        )
        for name, attrs in sorted(queues.items())
    ]


def print_pdf(
    pdf_path: Path,
    printer: str,
    *,
    title: str,
    copies: int = 1,
    media: str = "A4",
    server: str | None = None,
    timeout: float = 60.0,
) -> JobOutcome:
    """Submit ``pdf_path`` and follow the job until it ends, the printer is stopped, or ``timeout``."""
    pdf_path = Path(pdf_path)
    if not pdf_path.is_file():
        raise PrintFailed(f"{pdf_path}: expected a PDF file to print, found nothing")
    if copies < 1:
        raise PrintFailed(f"copies: expected at least 1, found {copies}")
    with _connection(server) as (cups, conn):
        try:
            queues = conn.getPrinters()
        except (cups.IPPError, cups.HTTPError, RuntimeError) as exc:
            raise _unavailable(server, exc) from exc
        if printer not in queues:
            raise PrinterUnavailable(
                f"The printer {printer!r} was not found on {_where(server)} "
                f"(it has {', '.join(sorted(queues)) or 'no printers'}).",
                message_ja=f"プリンター {printer} が見つかりません。",
            )
        try:
            options = {"copies": str(copies), "media": media}
            job_id = int(conn.printFile(printer, str(pdf_path), title, options))
        except (cups.IPPError, cups.HTTPError, RuntimeError) as exc:
            raise PrintFailed(
                f"The printer {printer!r} did not accept the job ({_text(exc)}).",
                message_ja=f"プリンター {printer} が印刷ジョブを受け付けませんでした（{_text(exc)}）。",
            ) from exc
        return _follow(cups, conn, printer, job_id, timeout)


def _follow(cups: ModuleType, conn: Any, printer: str, job_id: int, timeout: float) -> JobOutcome:
    deadline = time.monotonic() + timeout
    delay = 0.05
    state = "pending"
    while True:
        try:
            job = conn.getJobAttributes(job_id, requested_attributes=_JOB_ATTRS)
            state = JOB_STATES.get(job.get("job-state", 0), "pending")
            if state in ("completed", "aborted", "cancelled"):
                return _ended(printer, job_id, state, job)
            if state == "stopped":  # e.g. cupsd could not open the device; CUPS never resumes it by itself
                _cancel(cups, conn, job_id)
                reason = _job_reason(job) or "stopped by the print system"
                return _outcome(job_id, "aborted", messages.job_stopped(printer, job_id, reason))
            queue = conn.getPrinterAttributes(printer, requested_attributes=_PRINTER_ATTRS)
        except (cups.IPPError, cups.HTTPError, RuntimeError) as exc:
            raise PrintFailed(
                f"Lost track of job {job_id} on {printer!r} before it ended ({_text(exc)}).",
                message_ja=f"ジョブ {job_id} の状態を確認できませんでした（{_text(exc)}）。",
            ) from exc
        if queue.get("printer-state") == 5 and state != "processing":
            _cancel(cups, conn, job_id)
            return _outcome(job_id, "printer-stopped", messages.printer_stopped(printer, job_id, _why(queue)))
        if time.monotonic() >= deadline:
            _cancel(cups, conn, job_id)
            return _outcome(job_id, "timed-out", messages.job_timed_out(printer, job_id, timeout, state))
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.5)


def _ended(printer: str, job_id: int, state: str, job: dict[str, Any]) -> JobOutcome:
    if state == "completed":
        return _outcome(job_id, state, messages.job_completed(printer, job_id))
    if state == "cancelled":
        return _outcome(job_id, state, messages.job_cancelled(printer, job_id))
    reason = _job_reason(job) or "no reason given"
    return _outcome(job_id, state, messages.job_aborted(printer, job_id, reason))


def _job_reason(job: dict[str, Any]) -> str:
    reasons = [r for r in _reasons(job.get("job-state-reasons")) if r != "job-printing"]
    return str(job.get("job-printer-state-message") or "").strip() or ", ".join(reasons)


def _outcome(job_id: int, state: str, message: messages.Message) -> JobOutcome:
    return JobOutcome(job_id=job_id, state=state, message_en=message[0], message_ja=message[1])


def _cancel(cups: ModuleType, conn: Any, job_id: int) -> None:
    with contextlib.suppress(cups.IPPError, cups.HTTPError, RuntimeError):
        conn.cancelJob(job_id)


@contextlib.contextmanager
def _connection(server: str | None) -> Iterator[tuple[ModuleType, Any]]:
    cups = _cups_module()
    if server:
        _check_reachable(server)
    previous = (cups.getServer(), cups.getPort())
    try:
        if server:
            cups.setServer(server)  # "host:port" also sets the port
        try:
            conn = cups.Connection()
        except RuntimeError as exc:
            raise _unavailable(server, exc) from exc
        yield cups, conn
    finally:
        cups.setServer(previous[0])
        cups.setPort(previous[1])


def _cups_module() -> ModuleType:
    try:
        return importlib.import_module("cups")
    except ImportError as exc:
        raise PrinterUnavailable(
            "Printing is not available: the Python module 'cups' (pip install pycups) is not installed.",
            message_ja="印刷機能（pycups）がインストールされていません。",
        ) from exc


def _check_reachable(server: str) -> None:
    """Fail fast (CONNECT_TIMEOUT) instead of waiting for libcups' own, much longer, timeouts."""
    if server.startswith("/"):
        if not Path(server).exists():
            raise _unavailable(server, FileNotFoundError(f"no socket at {server}"))
        return
    host, _, port = server.rpartition(":") if server.count(":") == 1 or "]:" in server else (server, "", "")
    try:
        with socket.create_connection((host.strip("[]"), int(port or 631)), timeout=CONNECT_TIMEOUT):
            pass
    except (OSError, ValueError) as exc:
        raise _unavailable(server, exc) from exc


def _unavailable(server: str | None, exc: BaseException) -> PrinterUnavailable:
    return PrinterUnavailable(
        f"The print server {_where(server)} is not reachable ({_text(exc)}).",
        message_ja=f"印刷サーバー（{_where(server)}）に接続できません（{_text(exc)}）。",
    )


def _where(server: str | None) -> str:
    return server or "(default)"


def _text(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    args = exc.args
    if len(args) == 2 and isinstance(args[1], str):  # cups.IPPError(status, message)
        return f"{args[1]} (IPP status {args[0]})"
    return str(exc) or type(exc).__name__


def _reasons(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, list | tuple) else []
    return tuple(str(item) for item in items if item and item != "none")


def _why(queue: dict[str, Any]) -> str:
    message = str(queue.get("printer-state-message") or "").strip()
    return message or ", ".join(_reasons(queue.get("printer-state-reasons"))) or "no reason given"
