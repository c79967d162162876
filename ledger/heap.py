"""Freed heap memory given back to the system after a write of the state tree (issue 16, "node memory ≤ 1 GB").

Why. A write of the tree (``ledger.state_tree``, ``ledger.storage.write_tree_nodes``) allocates and frees tens of
megabytes at once: its changed nodes, their groups, the rows read and made. glibc's malloc keeps what such frees leave
inside its heaps for the next allocation rather than handing it back, so the node's resident memory held that much
more between writes. ``malloc_trim(0)`` hands back every free page of every heap: on a node at 2.5 M readings of
``bench/ledger_scale.py`` with its whole tree cached, resident memory went from 783 to 686 MB in 9 ms (2026-12-05).

Where the C library has no ``malloc_trim`` (not glibc), ``give_back`` does nothing.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable


def _trim() -> Callable[[int], int] | None:
    try:
        own = ctypes.CDLL(None)  # the symbols of the process itself, its C library's among them
    except OSError:
        return None
    trim = getattr(own, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


_MALLOC_TRIM = _trim()


def give_back() -> bool:
    """Hand the free pages of malloc's heaps back to the system; whether any were (False without glibc)."""
    return _MALLOC_TRIM is not None and bool(_MALLOC_TRIM(0))
