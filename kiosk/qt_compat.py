"""Work-arounds for Qt for Python defects, kept in one place so they can be dropped when fixed upstream.

``emit(signal, *args)``: PySide6 6.12.0 returns ``True`` from ``SignalInstance.emit()`` without a new
reference. On CPython < 3.12 (``True`` is not immortal) every Python-side ``emit()`` therefore steals one
reference from ``True``; after a few thousand emits the interpreter aborts with "Fatal Python error:
bool_dealloc: deallocating True or False" — for a kiosk that runs all day, a certain crash. The defect is
probed once at import; when present, ``emit`` hands the reference back. All kiosk code emits through here.
(A successful ``disconnect()`` has the same defect; the kiosk never disconnects.)
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_PROBES = 16

_py_incref = ctypes.pythonapi.Py_IncRef
_py_incref.argtypes = [ctypes.py_object]
_py_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _emit_steals_true() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    for _ in range(max(lost, 0)):
        _py_incref(True)  # give back what the probe took
    return lost >= _PROBES


EMIT_STEALS_TRUE = _emit_steals_true()


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)`` without draining ``True`` (safe from any thread: ctypes keeps the GIL)."""
    signal.emit(*args)
    if EMIT_STEALS_TRUE:
        _py_incref(True)
