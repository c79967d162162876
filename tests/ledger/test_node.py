import gc
import sys

import pytest

from ledger.node import SWITCH_INTERVAL_S, tune_serving_process


def walked(thing: object) -> bool:
    """Whether the cycle collector's passes walk ``thing`` (it is in one of their generations)."""
    return any(o is thing for o in gc.get_objects())


def test_a_serving_process_gives_the_interpreter_lock_up_sooner_and_freezes_what_it_started_with() -> None:
    before = sys.getswitchinterval()
    started_with = object.__new__(type("StartedWith", (), {}))  # a tracked object alive at the call
    assert walked(started_with)
    try:
        tune_serving_process()
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S) and before > SWITCH_INTERVAL_S
        assert gc.get_freeze_count() > 0 and not walked(started_with)
    finally:
        sys.setswitchinterval(before)
        gc.unfreeze()
    assert walked(started_with)
