"""``_smt_native.IndexSet``, the set of heap indexes ``ledger.state_tree`` notes its changed positions in: the same
answers as a set through growth and clearing (heap indexes past a machine word included), and clear errors for what
is not a heap index. ``test_smt_native.py`` runs the walks noting into it."""

from __future__ import annotations

import random

import pytest

from ledger_lite import smt_tree

if smt_tree.NATIVE:
    from ledger_lite._smt_native import IndexSet

pytestmark = pytest.mark.skipif(not smt_tree.NATIVE, reason="ledger_lite._smt_native is not built")


@pytest.mark.parametrize("seed", range(4))
def test_the_set_answers_as_a_set_through_growth_and_clearing(seed: int) -> None:
    rng = random.Random(seed)
    marks, model = IndexSet(), set()
    for _round in range(3):  # cleared between rounds: it fills again in the table it kept
        for _ in range(5000):
            index = rng.randrange(1, 1 << rng.choice((3, 20, 40, 62, 63, 64, 90)))
            marks.add(index)
            model.add(index)
        batch = [rng.randrange(1, 1 << 30) for _ in range(300)]
        marks.update(batch)
        model.update(batch)
        assert len(marks) == len(model)
        assert sorted(marks) == sorted(model)
        probes = list(model)[:500] + [rng.randrange(1, 1 << 64) for _ in range(500)]
        assert [index in marks for index in probes] == [index in model for index in probes]
        marks.clear()
        model.clear()
        assert len(marks) == 0 and list(marks) == [] and 1 not in marks


def test_the_set_refuses_what_is_not_a_heap_index() -> None:
    marks = IndexSet()
    with pytest.raises(TypeError, match="expected an int heap index, found str"):
        marks.add("7")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected an int heap index, found float"):
        marks.update([1, 2.0])  # type: ignore[list-item]
    assert sorted(marks) == [1]  # what came before the bad one was taken
    assert "7" not in marks
    with pytest.raises(TypeError, match="expected no arguments"):
        IndexSet([1])  # type: ignore[call-arg]
