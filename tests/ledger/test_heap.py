"""``ledger.heap.give_back``: the free pages of malloc's heaps handed back to the system (glibc's ``malloc_trim``)."""

from __future__ import annotations

import ctypes
import json
import subprocess
import sys

import pytest

from ledger import heap

# A child process frees 60 MB of blocks below malloc's mmap threshold (so they stay in its heap) while the last of
# them and a block allocated after them keep the heap from shrinking at its top, then gives the pages back.
CHILD = """
import ctypes, json
from ledger import heap

def rss():
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS")) // 1024

libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
blocks = [libc.malloc(100_000) for _ in range(600)]
for block in blocks:
    ctypes.memset(block, 1, 100_000)
pin = libc.malloc(1000)
for block in blocks[:-1]:
    libc.free(block)
before = rss()
gave = heap.give_back()
print(json.dumps([before, rss(), gave]))
"""


@pytest.mark.skipif(getattr(ctypes.CDLL(None), "malloc_trim", None) is None, reason="not glibc: nothing to trim")
def test_freed_heap_pages_go_back_to_the_system() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, check=True)
    before, after, gave = json.loads(done.stdout)
    assert gave is True
    assert before - after >= 40, (before, after)


def test_without_malloc_trim_nothing_is_given_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_MALLOC_TRIM", None)
    assert heap.give_back() is False
