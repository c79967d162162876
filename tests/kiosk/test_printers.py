"""Printer states and CUPS state reasons in words, for the settings screen."""

from __future__ import annotations

import pytest

from kiosk.printers import describe_state, needs_attention, reason_words
from tests.helpers.fake_intermediary import FakePrinter


@pytest.mark.parametrize(("printer", "en", "ja"), [
    (FakePrinter("a"), "Ready", "待機中"),
    (FakePrinter("a", "idle", ("none",)), "Ready", "待機中"),
    (FakePrinter("a", "printing", ("toner-low-warning",)), "Printing: toner low", "印刷中（トナー残りわずか）"),
    (FakePrinter("a", "stopped", ("media-empty-error", "door-open-report")), "Stopped: out of paper, door open",
     "停止中（用紙切れ、扉が開いています）"),
    (FakePrinter("a", "stopped", ("com.vendor-fuser-error",)), "Stopped: com.vendor-fuser-error",
     "停止中（com.vendor-fuser-error）"),
])
def test_state_in_words(printer, en, ja):
    assert describe_state("en", printer) == en
    assert describe_state("ja", printer) == ja


def test_reason_suffixes_are_dropped():
    assert reason_words("en", "media-jam-error") == "paper jam"
    assert reason_words("en", "media-jam") == "paper jam"
    assert reason_words("en", "offline-report") == "offline"


def test_needs_attention():
    assert needs_attention(FakePrinter("a", "stopped"))
    assert needs_attention(FakePrinter("a", "idle", ("media-empty-error",)))
    assert not needs_attention(FakePrinter("a", "printing", ("toner-low-warning",)))
