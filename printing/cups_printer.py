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

from printing import messages, reasons
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
_JOB_ATTRS = ["job-state", "job-state-reasons", "job-printer-state-message", "time-at-processing"]
_PRINTER_ATTRS = ["printer-state", "printer-state-reasons", "printer-state-message"]
_CAPABILITY_ATTRS = ["sides-supported", "copies-supported"]
TWO_SIDED = "two-sided-long-edge"  # a portrait certificate turns over its long edge
ONE_SIDED = "one-sided"
_STATE_WORDS = {"idle": ("ready", "待機中"), "printing": ("printing", "印刷中"), "stopped": ("stopped", "停止中")}


@dataclass(frozen=True)
class PrinterInfo:
    name: str
    state: str  # "idle" | "printing" | "stopped"
    state_reasons: tuple[str, ...]  # IPP keywords, e.g. ("media-empty-error", "toner-low-warning")
    is_default: bool
    state_message: str = ""  # free text from the administrator or the driver, often empty
    info: str = ""  # CUPS printer-info: the printer's name for people ("Printer by the entrance"), often empty

    def reasons_in_words(self, language: str) -> list[str]:
        """``["out of paper", "toner low"]`` / ``["用紙切れ", "トナー残量わずか"]``, errors first."""
        return reasons.describe(self.state_reasons, language)

    @property
    def status_en(self) -> str:
        """``"stopped (out of paper, toner low)"``."""
        return self._status("en")

    @property
    def status_ja(self) -> str:
        return self._status("ja")

    def _status(self, language: str) -> str:
        en, ja = _STATE_WORDS.get(self.state, (self.state, self.state))
        words = [w for w in self.reasons_in_words(language) if self.state != "stopped" or w not in _PAUSED]
        if self.state_message and self.state_message not in words:
            words.insert(0, self.state_message)
        state = ja if language == "ja" else en
        if not words:
            return state
        return f"{state}（{'、'.join(words)}）" if language == "ja" else f"{state} ({', '.join(words)})"


_PAUSED = {reasons.WORDS["paused"][0], reasons.WORDS["paused"][1]}  # implied by "stopped"


@dataclass(frozen=True)
class JobOutcome:
    """How a job ended: "completed", "aborted", "cancelled", "printer-stopped" or "timed-out".

    ``sides`` is what the job was submitted with: "two-sided-long-edge" only when duplex was asked for and
    the queue's ``sides-supported`` has it; the messages say when duplex was asked for but not possible.
    """

    job_id: int
    state: str
    message_en: str
    message_ja: str
    copies: int = 1
    media: str = ""
    sides: str = ONE_SIDED
    printer_reasons: tuple[str, ...] = ()  # the queue's state reasons when the job ended

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
            state_message=str(attrs.get("printer-state-message") or "").strip(),
            info=str(attrs.get("printer-info") or "").strip(),
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
    duplex: bool = False,
    server: str | None = None,
    timeout: float = 60.0,
) -> JobOutcome:
    """Submit ``pdf_path`` and follow the job until it ends, the printer is stopped, or ``timeout``.

    ``copies`` and ``media`` (e.g. "A4", "Letter") go to CUPS as job options.  ``duplex`` asks for
    ``sides=two-sided-long-edge`` when the queue's ``sides-supported`` allows it; otherwise the job is sent
    one-sided and the outcome's messages say so.
    """
    pdf_path = Path(pdf_path)
    if not pdf_path.is_file():
        raise PrintFailed(f"{pdf_path}: expected a PDF file to print, found nothing")
    if isinstance(copies, bool) or not isinstance(copies, int) or copies < 1:
        raise PrintFailed(
            f"copies: expected an integer of at least 1, found {copies!r}",
            message_ja=f"部数の指定が正しくありません（{copies!r}）。",
        )
    if not isinstance(media, str) or not media.strip():
        raise PrintFailed(
            f"media: expected a paper size such as 'A4' or 'Letter', found {media!r}",
            message_ja=f"用紙サイズの指定が正しくありません（{media!r}）。",
        )
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
            capabilities = conn.getPrinterAttributes(printer, requested_attributes=_CAPABILITY_ATTRS)
        except (cups.IPPError, cups.HTTPError, RuntimeError) as exc:
            raise _unavailable(server, exc) from exc
        _check_copies(printer, copies, capabilities.get("copies-supported"))
        can_duplex = TWO_SIDED in _strings(capabilities.get("sides-supported"))
        sides = TWO_SIDED if duplex and can_duplex else ONE_SIDED
        try:
            options = {"copies": str(copies), "media": media, "sides": sides}
            job_id = int(conn.printFile(printer, str(pdf_path), title, options))
        except (cups.IPPError, cups.HTTPError, RuntimeError) as exc:
            raise PrintFailed(
                f"The printer {printer!r} did not accept the job ({_text(exc)}).",
                message_ja=f"プリンター {printer} が印刷ジョブを受け付けませんでした（{_text(exc)}）。",
            ) from exc
        state, message, printer_reasons = _follow(cups, conn, printer, job_id, timeout)
    if state == "completed":
        notes = [messages.job_completed(printer, job_id, copies)]
        if duplex and not can_duplex:
            notes.append(messages.printed_one_sided(printer))
        if reasons.attention(printer_reasons, "en"):
            notes.append(messages.printer_reports(_words(printer_reasons, "en"), _words(printer_reasons, "ja")))
        message = messages.joined(notes)
    return JobOutcome(
        job_id=job_id,
        state=state,
        message_en=message[0],
        message_ja=message[1],
        copies=copies,
        media=media,
        sides=sides,
        printer_reasons=printer_reasons,
    )


def _check_copies(printer: str, copies: int, supported: object) -> None:
    """``copies-supported`` is a range (pycups gives a tuple ``(1, 9999)``)."""
    if isinstance(supported, tuple | list) and len(supported) == 2 and all(isinstance(v, int) for v in supported):
        low, high = supported
        if not low <= copies <= high:
            raise PrintFailed(
                f"copies: expected {low}..{high} for the printer {printer!r}, found {copies}",
                message_ja=f"部数はプリンター {printer} では {low}〜{high} 部です（指定: {copies} 部）。",
            )


Followed = tuple[str, messages.Message, tuple[str, ...]]  # (state, message, printer state reasons)


def _follow(cups: ModuleType, conn: Any, printer: str, job_id: int, timeout: float) -> Followed:
    deadline = time.monotonic() + timeout
    delay = 0.05
    state = "pending"
    while True:
        try:
            job = conn.getJobAttributes(job_id, requested_attributes=_JOB_ATTRS)
            state = JOB_STATES.get(job.get("job-state", 0), "pending")
            queue = conn.getPrinterAttributes(printer, requested_attributes=_PRINTER_ATTRS)
        except (cups.IPPError, cups.HTTPError, RuntimeError) as exc:
            raise PrintFailed(
                f"Lost track of job {job_id} on {printer!r} before it ended ({_text(exc)}).",
                message_ja=f"ジョブ {job_id} の状態を確認できませんでした（{_text(exc)}）。",
            ) from exc
        printer_reasons = _reasons(queue.get("printer-state-reasons"))
        if state in ("completed", "aborted", "cancelled"):
            return state, _ended(printer, job_id, state, job, queue), printer_reasons
        if state == "stopped" or (state == "held" and _was_tried(job)):
            # "stopped": e.g. cupsd could not open the device; "held" after an attempt: the device failed and
            # CUPS would retry minutes later, unattended.  Neither resumes while the person waits.
            _cancel(cups, conn, job_id)
            reason = _reason(job, queue)
            return "aborted", messages.job_stopped(printer, job_id, reason), printer_reasons
        if queue.get("printer-state") == 5 and state != "processing":
            _cancel(cups, conn, job_id)
            return "printer-stopped", messages.printer_stopped(printer, job_id, _why(queue)), printer_reasons
        if time.monotonic() >= deadline:
            _cancel(cups, conn, job_id)
            return "timed-out", messages.job_timed_out(printer, job_id, timeout, state), printer_reasons
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.5)


def _ended(printer: str, job_id: int, state: str, job: dict[str, Any], queue: dict[str, Any]) -> messages.Message:
    if state == "completed":
        return messages.job_completed(printer, job_id)
    if state == "cancelled":
        return messages.job_cancelled(printer, job_id)
    return messages.job_aborted(printer, job_id, _reason(job, queue))


def _was_tried(job: dict[str, Any]) -> bool:
    """Held after CUPS had started it (``time-at-processing`` set), i.e. not held by an operator."""
    started = job.get("time-at-processing")
    return isinstance(started, int) and started > 0


def _reason(job: dict[str, Any], queue: dict[str, Any]) -> messages.Message:
    """Why a job failed: the driver's message, else the printer's error reasons in words, else the job's."""
    text = str(job.get("job-printer-state-message") or "").strip()
    printer_reasons = _reasons(queue.get("printer-state-reasons"))
    errors = [r for r in printer_reasons if reasons.split(r)[1] == "error" and reasons.split(r)[0] != "paused"]
    job_reasons = [r for r in _reasons(job.get("job-state-reasons")) if r != "job-printing"]
    result = []
    for language in ("en", "ja"):
        words = ([text] if text else []) + reasons.describe(errors, language)
        if not words:
            words = [", ".join(job_reasons) or ("no reason given" if language == "en" else "理由不明")]
        result.append(reasons.joined(words, language))
    return result[0], result[1]


def _words(keywords: tuple[str, ...], language: str) -> str:
    return reasons.joined(reasons.attention(keywords, language), language)


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
    return tuple(item for item in _strings(value) if item != "none")


def _strings(value: object) -> tuple[str, ...]:
    """pycups gives one value as a plain string and several as a list."""
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, list | tuple) else []
    return tuple(str(item) for item in items if item)


def _why(queue: dict[str, Any]) -> messages.Message:
    """Why a queue is stopped: its message (e.g. from ``cupsdisable -r``) and its reasons in words."""
    message = str(queue.get("printer-state-message") or "").strip()
    keywords = [r for r in _reasons(queue.get("printer-state-reasons")) if reasons.split(r)[0] != "paused"]
    result = []
    for language in ("en", "ja"):
        words = ([message] if message else []) + reasons.describe(keywords, language)
        if not words:
            words = ["no reason given" if language == "en" else "理由不明"]
        result.append(reasons.joined(words, language))
    return result[0], result[1]
