"""The benchmarks' view of processes in ``/proc``: each process's parent and the CPU time it has spent, and the
processes below one (a node's admission workers)."""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")  # the unit of a process's CPU times in ``/proc/<pid>/stat``


def proc_stats() -> dict[int, tuple[int, float]]:
    """pid → (parent pid, CPU seconds spent so far, user + system, its threads included) of every live process."""
    found = {}
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        try:
            stat = (process / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after the command's name, which may hold spaces
        found[int(process.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    return found


def descendants(pid: int, stats: dict[int, tuple[int, float]]) -> list[int]:
    """The processes below ``pid`` in ``stats`` (``proc_stats``): its children, theirs, ..."""
    children: dict[int, list[int]] = {}
    for child, (parent, _) in stats.items():
        children.setdefault(parent, []).append(child)
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found
