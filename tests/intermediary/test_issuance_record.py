"""Our record of a certificate takes its time-matched Wh and profile from the ledger's record when that record
proves the request's assets (``intermediary.issuance._proven_spans``), and otherwise lists the ledger's assets.
The record comes with the outcome of the issuance when that proves the request's assets by their root
(``_record_in``), and is asked of the node otherwise."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from backend_client import NodeClient
from intermediary import issuance
from intermediary.issuance import _proven_spans, _record_in
from intermediary.models import Certificate
from ledger_lite import merkle_root
from ledger_lite.payload import peek_payload
from tests.helpers.intermediary_world import API, TYPE_ID, IntermediaryWorld

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


# --- the record as the outcome of the issuance carries it (``intermediary.issuance._record_in``) -----------------
def outcome_record(**changes: Any) -> dict[str, Any]:
    ids = sorted(a[0] for a in ASSETS)
    return {"id": "cc" * 32, "wh": 1_000, "tm": 600, "count": 2,
            "assets_root": merkle_root([bytes.fromhex(i) for i in ids]).hex(), **changes}


def test_an_outcomes_record_whose_root_proves_the_request_is_used_as_it_is() -> None:
    summary = outcome_record()
    assert _record_in({"result": {"record": summary}}, "cc" * 32, ASSETS) == summary
    assert _proven_spans(summary, ASSETS) == ([(1_800, 400), (0, 600)], 600)


@pytest.mark.parametrize("committed", [
    None,
    {"result": {"certificate_id": "cc" * 32, "wh": 1_000}},  # a node from before the record rode on the outcome
    {"result": {"record": outcome_record(id="dd" * 32)}},  # another certificate's
    {"result": {"record": outcome_record(assets_root="00" * 32)}},  # other assets
    {"result": {"record": outcome_record(wh=999)}},  # another total
    {"result": {"record": {k: v for k, v in outcome_record().items() if k != "tm"}}},
    {"result": {"record": {k: v for k, v in outcome_record().items() if k != "assets_root"}}},
    {"result": "not a map"},
])
def test_an_outcome_that_proves_less_leaves_the_record_to_be_asked_for(committed: dict[str, Any] | None) -> None:
    assert _record_in(committed, "cc" * 32, ASSETS) is None


def test_an_issuance_takes_its_record_from_the_outcome_and_signs_what_the_ledger_recorded(
        iw: IntermediaryWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real_value = NodeClient.value

    def value(self: NodeClient, key: str) -> dict[str, Any]:
        asked.append(key)
        return real_value(self, key)

    monkeypatch.setattr(NodeClient, "value", value)
    http = iw.http()
    auth = iw.login(http)
    for take_from_outcome in (True, False):  # the second as a node without the record in the outcome is answered
        if not take_from_outcome:
            monkeypatch.setattr(issuance, "_record_in", lambda *args: None)
        iw.allocate(3)
        asked.clear()
        response = http.post(f"{API}/certificates", headers=auth, json={
            "item_ids": [row["item_id"] for row in iw.open_rows(http, auth)], "type_id": TYPE_ID,
            "idempotency_key": uuid.uuid4().hex})
        assert response.status_code == 201, response.text
        cid = response.json()["certificate_id"]
        assert (f"cert/{cid}" in asked) is not take_from_outcome
        ledger_record = real_value(iw.service.node, f"cert/{cid}")["value"]
        with iw.service.db() as db:
            cert = db.get(Certificate, cid)
            assert cert is not None
            claims = peek_payload(cert.payload).claims
        assert (cert.block_height, cert.amount_wh, cert.period_start, cert.period_end) == (
            ledger_record["height"], ledger_record["wh"], ledger_record["start"], ledger_record["end"])
        assert (claims.tm, claims.iat, claims.inst, claims.m) == (
            ledger_record["tm"], ledger_record["time"], ledger_record["institution"], ledger_record["method"])
        assert sum(cert.profile) == ledger_record["wh"]
