import gc
import sys

import pytest

from ledger.node import SWITCH_INTERVAL_S, tune_serving_process


def test_a_serving_process_gives_the_interpreter_lock_up_sooner_and_freezes_what_it_started_with() -> None:
    before = sys.getswitchinterval()
    started_with = object.__new__(type("StartedWith", (), {}))  # a tracked object alive at the call
    assert gc.is_tracked(started_with) and gc.get_freeze_count() == 0
    try:
        tune_serving_process()
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S) and before > SWITCH_INTERVAL_S
        assert gc.get_freeze_count() > 0
        assert not any(o is started_with for o in gc.get_objects())  # out of every generation the passes walk
    finally:
        sys.setswitchinterval(before)
        gc.unfreeze()
    assert any(o is started_with for o in gc.get_objects())
