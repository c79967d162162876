"""Background calls run off the GUI thread; answers come back on it; cancelled answers are dropped."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread, QTimer

from kiosk.worker import Worker


def test_result_arrives_on_the_gui_thread(qtbot):
    worker = Worker()
    seen = {}

    def job():
        seen["job_thread"] = QThread.currentThread()
        return 42

    def done(result):
        seen["result"] = result
        seen["callback_thread"] = QThread.currentThread()

    with qtbot.waitSignal(worker.busyChanged, check_params_cb=lambda busy: not busy):
        worker.submit(job, done)
    gui = QThread.currentThread()
    assert seen["result"] == 42
    assert seen["job_thread"] is not gui
    assert seen["callback_thread"] is gui


def test_errors_are_reported_not_raised(qtbot):
    worker = Worker()
    errors = []
    with qtbot.waitSignal(worker.busyChanged, check_params_cb=lambda busy: not busy):
        worker.submit(lambda: 1 / 0, on_error=errors.append)
    assert isinstance(errors[0], ZeroDivisionError)


def test_the_event_loop_keeps_running_while_a_job_blocks(qtbot):
    worker = Worker()
    gate = threading.Event()
    ticks = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    worker.submit(lambda: gate.wait(5))
    qtbot.waitUntil(lambda: len(ticks) >= 5)
    assert worker.busy()
    gate.set()
    qtbot.waitUntil(lambda: not worker.busy())
    timer.stop()


def test_cancelled_answers_are_dropped(qtbot):
    worker = Worker()
    gate = threading.Event()
    results = []
    worker.submit(lambda: gate.wait(5), results.append)
    worker.cancel_all()
    assert not worker.busy()
    gate.set()
    assert worker.wait_for_done()
    qtbot.wait(20)
    assert results == []


def test_a_dropped_answer_can_be_cleaned_up(qtbot):
    worker = Worker()
    gate = threading.Event()
    results, dropped = [], []
    worker.submit(lambda: gate.wait(5) and "session", results.append, on_dropped=dropped.append)
    worker.cancel_all()
    gate.set()
    qtbot.waitUntil(lambda: dropped == ["session"])
    assert results == []


def test_a_job_nobody_waits_for_does_not_make_the_worker_busy(qtbot):
    worker = Worker()
    gate = threading.Event()
    results, changes = [], []
    worker.busyChanged.connect(changes.append)
    worker.submit(lambda: gate.wait(5) and "name", results.append, waited_for=False)
    assert not worker.busy()
    worker.submit(lambda: "list", results.append)
    assert worker.busy()
    qtbot.waitUntil(lambda: results == ["list"])
    assert not worker.busy(), "the background job still runs, but nobody waits for it"
    gate.set()
    qtbot.waitUntil(lambda: results == ["list", "name"])
    assert changes == [True, False]
