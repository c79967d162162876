"""The half hours a meter has reported: sorted, disjoint ``[start, end)`` intervals (adjacent ones merged).

A late reading may fill a gap (a meter that was offline uploads what it buffered) as long as it overlaps
nothing reported before. Intervals that ended before the late-reading horizon are dropped, since no reading may
start before the horizon any more, so a meter's record stays a few dozen intervals long (a solar meter reports
nothing at night: one interval a day). Stored under ``meter/<address>`` as ``{"covered": [[start, end], ...]}``;
the earlier form ``{"last_end": t}`` reads as everything up to ``t`` reported.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

Intervals = list[list[int]]


def covered(record: dict[str, Any] | None) -> Intervals:
    if record is None:
        return []
    if "covered" in record:
        return list(record["covered"])
    return [[0, record["last_end"]]]


def overlap(intervals: Intervals, start: int, end: int) -> list[int] | None:
    """The reported interval that ``[start, end)`` overlaps, if any."""
    i = bisect_right(intervals, start, key=lambda iv: iv[0])  # intervals[:i] start at or before ``start``
    if i and intervals[i - 1][1] > start:
        return intervals[i - 1]
    if i < len(intervals) and intervals[i][0] < end:
        return intervals[i]
    return None


def add(intervals: Intervals, start: int, end: int, horizon: int) -> Intervals:
    """A new list with ``[start, end)`` (which overlaps nothing) merged in and intervals ending at or before
    ``horizon`` dropped; ``intervals`` is not changed (it is a stored value)."""
    i = bisect_right(intervals, start, key=lambda iv: iv[0])
    before, after = intervals[:i], intervals[i:]
    if before and before[-1][1] == start:
        start = before.pop()[0]
    if after and after[0][0] == end:
        end = after.pop(0)[1]
    merged = [*before, [start, end], *after]
    first = 0
    while first < len(merged) - 1 and merged[first][1] <= horizon:  # the newest interval is always kept
        first += 1
    return merged[first:]
