"""Emitting signals must not drain references from ``True`` (PySide6 6.12 defect, see kiosk.qt_compat)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from kiosk.qt_compat import EMIT_STEALS_TRUE, emit


class Emitter(QObject):
    plain = Signal()
    value = Signal(object)


def test_emit_keeps_the_refcount_of_true(qtbot):
    emitter = Emitter()
    received = []
    emitter.value.connect(received.append)
    before = sys.getrefcount(True)
    for n in range(2000):
        emit(emitter.plain)
        emit(emitter.value, n)
    assert abs(sys.getrefcount(True) - before) < 10  # unrepaired, 4000 references would be gone
    assert len(received) == 2000


def test_probe_result_matches_the_installed_pyside():
    import PySide6

    # Known affected: 6.12.0. When this fails after an upgrade, the work-around may be dropped.
    if PySide6.__version__ == "6.12.0" and sys.version_info < (3, 12):
        assert EMIT_STEALS_TRUE


def test_kiosk_code_emits_only_through_the_work_around():
    import re
    from pathlib import Path

    import kiosk

    package = Path(kiosk.__file__).parent
    offenders = [f"{path.relative_to(package)}:{n}" for path in package.rglob("*.py") if path.name != "qt_compat.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"\.emit\(", line)]
    assert offenders == []
