"""Run blocking calls (HTTP, printing) off the GUI thread and hand their outcome back on it.

``Worker.submit(fn, on_done, on_error)`` runs ``fn()`` on a private ``QThreadPool``; the result or the
exception comes back through a queued signal, so the callbacks always run on the GUI thread and may touch
widgets.
``cancel_all()`` forgets every pending callback: a late answer for a user who has logged out (or pressed
cancel) is dropped instead of reaching the screens; a job may give an ``on_dropped`` callback to clean up
after such an answer (e.g. close a session that was opened after all). A job with several steps can stop
between them: it notes ``generation`` when it is made and raises ``Cancelled`` once ``cancelled_since`` says
so (e.g. never issue a certificate after the applicant touched cancel).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from kiosk.errors import Error
from kiosk.qt_compat import emit

log = logging.getLogger(__name__)

OnDone = Callable[[Any], None]
OnError = Callable[[Exception], None]


class Cancelled(Error):
    """Raised by a job that noticed it is not wanted any more."""


class _Job(QRunnable):
    def __init__(self, job_id: int, fn: Callable[[], Any], finished: Any) -> None:
        super().__init__()
        self._job_id = job_id
        self._fn = fn
        self._finished = finished  # the owning Worker's bound signal

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # every failure is reported to the GUI thread, never lost in the pool
            self._emit(None, exc)
        else:
            self._emit(result, None)

    def _emit(self, result: Any, error: Exception | None) -> None:
        try:
            emit(self._finished, self._job_id, result, error)
        except RuntimeError:  # the Worker was destroyed while we ran; nobody is waiting any more
            log.debug("job %d finished after its worker was deleted", self._job_id)


class Worker(QObject):
    """A small thread pool whose callbacks run on the thread that owns the Worker (the GUI thread)."""

    _finished = Signal(int, object, object)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._next_id = 0
        self._callbacks: dict[int, tuple[OnDone, OnError]] = {}
        self._on_dropped: dict[int, OnDone] = {}
        self._waited_for: set[int] = set()
        self._generation = 0
        self._finished.connect(self._dispatch)

    def submit(self, fn: Callable[[], Any], on_done: OnDone | None = None, on_error: OnError | None = None,
               *, on_dropped: OnDone | None = None, waited_for: bool = True) -> int:
        """Run ``fn`` in the pool; ``on_dropped(result)`` runs if it succeeds after ``cancel_all()``.

        ``waited_for=False``: nobody is waiting on a screen for this job (e.g. a printer's name looked up for
        the done screen), so it does not make the worker busy and does not hold off the idle timeout.
        """
        self._next_id += 1
        job_id = self._next_id
        was_busy = self.busy()
        self._callbacks[job_id] = (on_done or _ignore, on_error or _log_error)
        if waited_for:
            self._waited_for.add(job_id)
        if on_dropped is not None:
            self._on_dropped[job_id] = on_dropped
        self._pool.start(_Job(job_id, fn, self._finished))
        if not was_busy and self.busy():
            emit(self.busyChanged, True)
        return job_id

    def submit_detached(self, fn: Callable[[], Any]) -> None:
        """Fire and forget (e.g. the server-side logout): nobody waits, failures are only logged."""
        self._pool.start(_Job(0, fn, self._finished))

    def busy(self) -> bool:
        """True while a job whose answer somebody is waiting for is running."""
        return bool(self._waited_for)

    @property
    def generation(self) -> int:
        """Goes up with every ``cancel_all``; read it on the GUI thread when making a job."""
        return self._generation

    def cancelled_since(self, generation: int) -> bool:
        """True once ``cancel_all`` ran after ``generation`` was read (safe to ask from a job's thread)."""
        return self._generation != generation

    def cancel_all(self) -> None:
        self._generation += 1
        was_busy = self.busy()
        self._callbacks.clear()
        self._waited_for.clear()
        if was_busy:
            emit(self.busyChanged, False)

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        """Block until every started job returned (tests, shutdown); callbacks still need the event loop."""
        return self._pool.waitForDone(msecs)

    @Slot(int, object, object)
    def _dispatch(self, job_id: int, result: Any, error: Exception | None) -> None:
        if job_id == 0 and error is not None:
            _log_error(error)
        callbacks = self._callbacks.pop(job_id, None)
        on_dropped = self._on_dropped.pop(job_id, None)
        if callbacks is None:  # cancelled: the answer is not wanted any more
            if on_dropped is not None and error is None:
                on_dropped(result)
            return
        if job_id in self._waited_for:
            self._waited_for.discard(job_id)
            if not self._waited_for:
                emit(self.busyChanged, False)
        on_done, on_error = callbacks
        if error is None:
            on_done(result)
        else:
            on_error(error)


def _ignore(_result: Any) -> None:
    return None


def _log_error(error: Exception) -> None:
    log.warning("background job failed: %s", error)
