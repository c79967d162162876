import sys

import pytest

from ledger.node import SWITCH_INTERVAL_S, tune_serving_process


def test_a_serving_process_gives_the_interpreter_lock_up_sooner() -> None:
    before = sys.getswitchinterval()
    try:
        tune_serving_process()
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S) and before > SWITCH_INTERVAL_S
    finally:
        sys.setswitchinterval(before)
