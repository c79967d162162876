"""A meter's reported intervals: overlap found wherever it is, neighbours merged, old intervals forgotten."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from ledger.rules.coverage import add, covered, overlap


def test_the_earlier_form_reads_as_everything_up_to_the_last_end() -> None:
    assert covered(None) == []
    assert covered({"last_end": 3600}) == [[0, 3600]]
    assert covered({"covered": [[0, 10], [20, 30]]}) == [[0, 10], [20, 30]]


def test_overlaps_on_either_side_and_inside() -> None:
    intervals = [[10, 20], [30, 40]]
    assert [overlap(intervals, s, e) for s, e in [(0, 10), (20, 30), (40, 50)]] == [None, None, None]
    assert overlap(intervals, 5, 11) == [10, 20]
    assert overlap(intervals, 19, 31) == [10, 20]
    assert overlap(intervals, 25, 35) == [30, 40]
    assert overlap(intervals, 0, 100) == [10, 20]
    assert overlap(intervals, 32, 33) == [30, 40]


def test_neighbours_merge_and_the_stored_list_is_left_alone() -> None:
    stored = [[10, 20], [30, 40]]
    assert add(stored, 20, 30, 0) == [[10, 40]]
    assert add(stored, 0, 10, 0) == [[0, 20], [30, 40]]
    assert add(stored, 22, 25, 0) == [[10, 20], [22, 25], [30, 40]]
    assert stored == [[10, 20], [30, 40]]


def test_intervals_ending_at_the_horizon_are_dropped_but_never_the_newest() -> None:
    assert add([[10, 20], [30, 40]], 50, 60, 40) == [[50, 60]]
    assert add([[10, 20], [30, 40]], 50, 60, 39) == [[30, 40], [50, 60]]
    assert add([], 0, 10, 100) == [[0, 10]]


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 5)), max_size=40))
def test_same_answers_as_a_list_of_every_reading(readings: list[tuple[int, int]]) -> None:
    intervals: list[list[int]] = []
    accepted: list[tuple[int, int]] = []
    for start, length in readings:
        end = start + length
        clash = any(s < end and start < e for s, e in accepted)
        assert (overlap(intervals, start, end) is not None) == clash
        if not clash:
            accepted.append((start, end))
            intervals = add(intervals, start, end, -1)
    half_hours = {t for s, e in accepted for t in range(s, e)}
    assert {t for s, e in intervals for t in range(s, e)} == half_hours
    assert all(a[1] < b[0] for a, b in itertools.pairwise(intervals))  # sorted, disjoint, merged
