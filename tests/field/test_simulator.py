"""The field simulator: each day, producers' signed readings go to the node in one batch (S62) and consumers'
usage reports to the intermediary through ``backend_client`` (S81), in that order."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest

from backend_client import ApiError, UsageOutcome
from field import errors
from field.profiles import JST, generation_series, usage_series
from field.simulator import simulate
from field.sites import CONSUMER_CA, PRODUCER_AA, PRODUCER_AB
from ledger_lite import SigningKey, decode_tx

CHAIN = "greencert-test"
OWNER = SigningKey.derive("test/intermediary/Da").address
START = int(datetime(2026, 10, 1, tzinfo=JST).timestamp())
KEYS = {s.id: SigningKey.derive(f"test/meter/{s.id}") for s in (PRODUCER_AA, PRODUCER_AB, CONSUMER_CA)}
DAY = 86_400


class FakeNode:
    """Commits every reading but those it was told to refuse."""

    def __init__(self, refuse_every: int = 0) -> None:
        self.batches: list[list[bytes]] = []
        self.refuse_every = refuse_every

    def submit_batch(self, txs: Sequence[Any], wait: bool = False) -> list[dict[str, Any]]:
        self.batches.append([tx.encode() for tx in txs])
        return [{"code": "overlap" if self.refuse_every and i % self.refuse_every == 0 else "ok"}
                for i in range(len(txs))]

    def registry(self) -> list[dict[str, Any]]:
        return []  # no meter names an intermediary: readings go to the simulator's owner


class FakeIntermediary:
    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[list[str]] = []
        self.fail = fail

    def usage_reports(self, reports: Sequence[str]) -> list[UsageOutcome]:
        if self.fail is not None:
            raise self.fail
        self.calls.append(list(reports))
        return [UsageOutcome("Ca", 0, "allocated" if i % 2 else "partial", 1, 0, 0, "") for i in range(len(reports))]


def run(node: FakeNode, intermediary: FakeIntermediary, **kwargs: Any) -> list[Any]:
    options: dict[str, Any] = {"chain_id": CHAIN, "owner": OWNER, "producers": (PRODUCER_AA, PRODUCER_AB),
                               "consumers": (CONSUMER_CA,), "meter_keys": KEYS, "start": START, "days": 2}
    options.update(kwargs)
    return simulate(node, intermediary, **options)  # type: ignore[arg-type]


def test_each_day_sends_the_profiles_readings_signed_by_each_sites_meter() -> None:
    node, intermediary, days_done = FakeNode(), FakeIntermediary(), []
    reports = run(node, intermediary, before_day=days_done.append)
    assert days_done == [START + DAY, START + 2 * DAY]  # the ledger's clock moves to each day's end first
    assert len(node.batches) == len(intermediary.calls) == len(reports) == 2
    for day, batch in enumerate(node.batches):
        txs = [decode_tx(raw) for raw in batch]
        for producer in (PRODUCER_AA, PRODUCER_AB):
            series = generation_series(producer, START, 96, seed=7)[day * 48:(day + 1) * 48]
            mine = [t for t in txs if t.body["provider"] == producer.id]
            assert [t.body["wh"] for t in mine] == [wh for wh in series if wh > 0]  # none for a night of solar
            assert {t.signer for t in mine} == {KEYS[producer.id].public.raw}
            assert {t.body["owner"] for t in mine} == {OWNER}
        usage = [decode_tx(bytes.fromhex(h)) for h in intermediary.calls[day]]
        assert [u.body["wh"] for u in usage] == usage_series(CONSUMER_CA, START, 96, seed=7)[day * 48:(day + 1) * 48]
        assert {u.signer for u in usage} == {KEYS["Ca"].public.raw}
    assert reports[0].readings_ok == len(node.batches[0]) and reports[0].readings_failed == 0
    assert (reports[0].usage_allocated, reports[0].usage_other) == (24, 24)


def test_refused_readings_are_counted_not_hidden() -> None:
    node = FakeNode(refuse_every=3)
    [report] = run(node, FakeIntermediary(), days=1)
    sent = len(node.batches[0])
    assert report.readings_failed == -(-sent // 3) and report.readings_ok + report.readings_failed == sent


def test_a_site_without_its_meter_key_is_refused_before_anything_is_sent() -> None:
    node = FakeNode()
    with pytest.raises(errors.Error, match="expected a meter key for every site, found none for Ab"):
        run(node, FakeIntermediary(), meter_keys={k: v for k, v in KEYS.items() if k != "Ab"})
    assert node.batches == []


def test_a_start_off_the_half_hour_is_refused() -> None:
    with pytest.raises(errors.Error, match="expected a start aligned to 30 minutes, found"):
        run(FakeNode(), FakeIntermediary(), start=START + 60)


def test_an_intermediary_refusal_says_which_day() -> None:
    failing = FakeIntermediary(ApiError(503, "ledger_unavailable", "the node did not answer"))
    with pytest.raises(errors.Error, match="refused the usage reports of day 1: 503 ledger_unavailable"):
        run(FakeNode(), failing)


def test_readings_go_to_the_next_validator_node_when_one_is_down() -> None:
    """A consortium: the simulator's ``NodeClient`` names several nodes; the first refuses connections."""
    import httpx

    from backend_client import NodeClient

    seen: list[str] = []

    def nodes(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":  # the day's registry read (S21-S25): no meter names an intermediary
            return httpx.Response(200, json={"chain_id": CHAIN, "items": []})
        seen.append(request.url.host)
        if request.url.host == "a.test":
            raise httpx.ConnectError("connection refused", request=request)
        count = len(json.loads(request.content)["txs"])
        return httpx.Response(200, json={"results": [{"code": "ok"}] * count})

    with NodeClient("http://a.test,http://b.test", transport=httpx.MockTransport(nodes)) as node:
        [report] = simulate(node, FakeIntermediary(), chain_id=CHAIN, owner=OWNER,  # type: ignore[arg-type]
                            producers=(PRODUCER_AA,), consumers=(CONSUMER_CA,), meter_keys=KEYS, start=START, days=1)
    assert report.readings_ok > 0 and report.readings_failed == 0
    assert seen == ["a.test", "b.test"]
