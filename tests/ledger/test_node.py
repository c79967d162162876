import gc
import sys

import pytest

from ledger.node import GC_YOUNG_OBJECTS, SWITCH_INTERVAL_S, tune_serving_process


def walked(thing: object) -> bool:
    """Whether the cycle collector's passes walk ``thing`` (it is in one of their generations)."""
    return any(o is thing for o in gc.get_objects())


def test_a_serving_process_yields_the_lock_sooner_freezes_what_it_started_with_and_collects_less_often() -> None:
    before, thresholds = sys.getswitchinterval(), gc.get_threshold()
    started_with = object.__new__(type("StartedWith", (), {}))  # a tracked object alive at the call
    assert walked(started_with)
    try:
        tune_serving_process()
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S) and before > SWITCH_INTERVAL_S
        assert gc.get_freeze_count() > 0 and not walked(started_with)
        assert gc.get_threshold() == (GC_YOUNG_OBJECTS, *thresholds[1:]) and thresholds[0] < GC_YOUNG_OBJECTS
    finally:
        sys.setswitchinterval(before)
        gc.set_threshold(*thresholds)
        gc.unfreeze()
    assert walked(started_with)
