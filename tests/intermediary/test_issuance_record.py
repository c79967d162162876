"""Our record of a certificate takes its time-matched Wh and profile from the ledger's record when that record
proves the request's assets (``intermediary.issuance._proven_spans``), and otherwise lists the ledger's assets."""

from __future__ import annotations

from typing import Any

from intermediary.issuance import _proven_spans

ASSETS: list[list[Any]] = [["bb" * 32, 1_800, 400], ["aa" * 32, 0, 600]]


def record(**changes: Any) -> dict[str, Any]:
    return {"assets": sorted(a[0] for a in ASSETS), "wh": 1_000, "tm": 600, **changes}


def test_a_record_naming_exactly_the_request_gives_its_spans_and_the_records_time_matched_wh() -> None:
    spans, matched = _proven_spans(record(), ASSETS)
    assert spans == [(1_800, 400), (0, 600)]
    assert matched == 600


def test_a_record_from_before_time_matching_is_listed_instead() -> None:
    old = record()
    del old["tm"]
    assert _proven_spans(old, ASSETS) == (None, None)


def test_a_record_naming_other_assets_or_another_total_is_listed_instead() -> None:
    assert _proven_spans(record(assets=["aa" * 32, "cc" * 32]), ASSETS) == (None, None)
    assert _proven_spans(record(wh=999), ASSETS) == (None, None)
    assert _proven_spans(record(assets=None), ASSETS) == (None, None)
