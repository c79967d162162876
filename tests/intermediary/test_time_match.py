"""Issue 15: the time-matched figure a certificate states is the one the light node recomputes from the ledger's
proven asset records; answers that do not prove it are refused."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from intermediary.time_match import NotProven, is_time_matched, proven_time_matched_wh
from ledger_lite import peek_payload
from ledger_lite.verification import Trust
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


def trust(iw: IntermediaryWorld) -> Trust:
    return Trust(iw.ledger.chain_id, {}, [iw.ledger.validator.public], {})


def test_the_stated_figure_is_the_one_the_light_node_proves(iw: IntermediaryWorld) -> None:
    cert = issue(iw)
    stated = peek_payload(cert["payload"]).claims.tm
    assert stated == 2 * WH
    assert proven_time_matched_wh(iw.service.node, cert["certificate_id"], trust(iw)) == stated


class Tampering:
    """The node's answers with one asset record's proven value altered."""

    def __init__(self, node: Any) -> None:
        self.node = node

    def __getattr__(self, name: str) -> Any:
        return getattr(self.node, name)

    def proven_value(self, key: str) -> dict[str, Any]:
        answer = dict(self.node.proven_value(key))
        if key.startswith("asset/"):
            cbor = answer["value_cbor"]
            answer["value_cbor"] = cbor[:-2] + ("00" if cbor[-2:] != "00" else "01")
        return answer


def test_an_altered_asset_record_is_not_proven(iw: IntermediaryWorld) -> None:
    cert = issue(iw)
    with pytest.raises(NotProven, match="expected a proven record of asset"):
        proven_time_matched_wh(Tampering(iw.service.node), cert["certificate_id"], trust(iw))


def test_an_untrusted_validator_set_proves_nothing(iw: IntermediaryWorld) -> None:
    cert = issue(iw)
    other = Trust(iw.ledger.chain_id, {}, [iw.ledger.user.public], {})
    with pytest.raises(NotProven, match="expected a final issuance"):
        proven_time_matched_wh(iw.service.node, cert["certificate_id"], other)


@pytest.mark.parametrize(("usage", "matched"), [((0, 1800), True), ((0, 3600), True), ((1800, 3600), False),
                                                (None, False)])
def test_time_matched_means_generated_inside_the_usage_interval(usage: tuple[int, int] | None,
                                                                matched: bool) -> None:
    asset = {"start": 0, "end": 1800, "wh": 5, "usage_start": usage and usage[0], "usage_end": usage and usage[1]}
    assert is_time_matched(asset) is matched
