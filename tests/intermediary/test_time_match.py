"""Issue 15: the time-matched figure a certificate states (claim ``tm``) is the one the ledger's ``cert.issue`` rule
writes into the certificate's record from the same asset records (``ledger_lite.time_matching``)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from intermediary.time_match import is_time_matched
from ledger_lite import peek_payload
from tests.helpers.intermediary_world import API, TYPE_ID, IntermediaryWorld
from tests.helpers.ledger_world import slot
from tests.helpers.matched_allocations import WH, allocate


def issue(iw: IntermediaryWorld) -> dict[str, Any]:
    allocate(iw, [0, 1], matched=True)
    allocate(iw, [2, 3], matched=False)
    http = iw.http()
    body = {"period": {"start": slot(0), "end": slot(4), "production_method": "solar"}, "type_id": TYPE_ID,
            "idempotency_key": uuid.uuid4().hex}
    answer = http.post(f"{API}/certificates", headers=iw.login(http), json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_the_stated_figure_is_the_one_in_the_ledgers_record(iw: IntermediaryWorld) -> None:
    cert = issue(iw)
    stated = peek_payload(cert["payload"]).claims.tm
    assert stated == 2 * WH
    record = iw.node.state.get(f"cert/{cert['certificate_id']}")
    assert record["tm"] == stated and record["wh"] == 4 * WH


@pytest.mark.parametrize(("usage", "matched"), [((0, 1800), True), ((0, 3600), True), ((1800, 3600), False),
                                                (None, False)])
def test_time_matched_means_generated_inside_the_usage_interval(usage: tuple[int, int] | None,
                                                                matched: bool) -> None:
    asset = {"start": 0, "end": 1800, "wh": 5, "usage_start": usage and usage[0], "usage_end": usage and usage[1]}
    assert is_time_matched(asset) is matched
