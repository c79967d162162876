"""intermediary/producers.py against a real node (in-process over ASGI): the intermediaries for the pull-down (S21),
a producer's meters and where they report, a registration request (S22-S23) and its state until it is final
(S25), and everything a producer may not see or do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_client import NodeClient
from backend_client.node import GovernanceClient
from greencert.servers import free_port
from intermediary.errors import BadInput, LedgerUnavailable, NotFound
from intermediary.producers import IntermediaryChoice, Producers
from ledger.api import create_app
from ledger.node import Node
from tests.helpers.ledger_world import CHAIN_ID, LedgerWorld, SyncASGITransport, slot


@pytest.fixture
def ledger_world() -> LedgerWorld:
    return LedgerWorld()


@pytest.fixture
def ledger_node(tmp_path: Path, ledger_world: LedgerWorld) -> Iterator[Node]:
    node = ledger_world.open_node(tmp_path / "node")
    yield node
    node.close()


@pytest.fixture
def transport(ledger_node: Node) -> Iterator[SyncASGITransport]:
    running = SyncASGITransport(create_app(ledger_node))
    yield running
    running.close()


@pytest.fixture
def node_client(transport: SyncASGITransport, ledger_world: LedgerWorld) -> Iterator[NodeClient]:
    with NodeClient("http://node.test", transport=transport, signer=ledger_world.intermediary,
                    chain_id=CHAIN_ID) as client:
        yield client


@pytest.fixture
def producers(node_client: NodeClient, ledger_world: LedgerWorld) -> Producers:
    """Intermediary Da's producer side."""
    return Producers(node_client, ledger_world.intermediary, CHAIN_ID)


def test_the_pull_down_lists_every_registered_intermediary(producers: Producers, ledger_world: LedgerWorld) -> None:
    assert producers.intermediaries() == [
        IntermediaryChoice(ledger_world.intermediary.address, "Intermediary Da"),
        IntermediaryChoice(ledger_world.intermediary2.address, "Intermediary Db")]


def test_a_producer_sees_its_own_meters_only(producers: Producers, ledger_world: LedgerWorld) -> None:
    [meter] = producers.meters("Aa")
    assert (meter.address, meter.name, meter.method, meter.capacity_w) == \
        (ledger_world.meter.address, "Smart meter of Aa", "solar", 50_000)
    assert (meter.intermediary, meter.intermediary_name) == (None, None)
    assert [m.address for m in producers.meters("Ab")] == [ledger_world.meter_oil.address]
    assert producers.meters("Zz") == []


def test_registering_this_intermediary_is_final_at_once(producers: Producers, ledger_world: LedgerWorld,
                                                        ledger_node: Node) -> None:
    w = ledger_world
    done = producers.request("Aa", w.meter.address, w.intermediary.address)
    assert (done.state, done.meter, done.intermediary, done.intermediary_name, done.reason) == \
        ("registered", w.meter.address, w.intermediary.address, "Intermediary Da", "")
    assert done.height == ledger_node.head.height
    [meter] = producers.meters("Aa")
    assert (meter.intermediary, meter.intermediary_name) == (w.intermediary.address, "Intermediary Da")
    assert producers.registration("Aa", done.proposal_id) == done
    # The meter's production now belongs to Da only (S23-S24).
    assert w.submit_wait(ledger_node, w.generate(slot(0), 100, owner=w.intermediary2.address))["code"] \
        == "wrong_intermediary"
    with pytest.raises(BadInput, match="already reports to Intermediary Da") as caught:
        producers.request("Aa", w.meter.address, w.intermediary.address)
    assert caught.value.code == "already_registered"


def test_moving_to_another_intermediary_waits_for_the_validators(producers: Producers, ledger_world: LedgerWorld,
                                                                 node_client: NodeClient) -> None:
    w = ledger_world
    asked = producers.request("Aa", w.meter.address, w.intermediary2.address)
    assert (asked.state, asked.intermediary_name) == ("waiting", "Intermediary Db")
    assert producers.meters("Aa")[0].intermediary is None
    GovernanceClient.over(node_client).approve_proposal(asked.proposal_id, w.validator)
    assert producers.registration("Aa", asked.proposal_id).state == "registered"
    assert producers.meters("Aa")[0].intermediary_name == "Intermediary Db"


def test_a_refusal_carries_its_reason(producers: Producers, ledger_world: LedgerWorld,
                                      node_client: NodeClient) -> None:
    w = ledger_world
    asked = producers.request("Aa", w.meter.address, w.intermediary2.address)
    GovernanceClient.over(node_client).reject_proposal(asked.proposal_id, w.validator, "no contract with Db")
    refused = producers.registration("Aa", asked.proposal_id)
    assert (refused.state, refused.reason) == ("refused", "rejected by the operator: no contract with Db")
    assert (refused.refused_by, refused.reason_detail) == ("operator", "no contract with Db")
    assert producers.meters("Aa")[0].intermediary is None


def test_a_producer_cannot_touch_another_producers_meter_or_request(producers: Producers,
                                                                    ledger_world: LedgerWorld,
                                                                    ledger_node: Node) -> None:
    w = ledger_world
    with pytest.raises(NotFound, match="expected one of provider Aa's meters"):
        producers.request("Aa", w.meter_oil.address, w.intermediary.address)
    with pytest.raises(BadInput, match="expected a registered intermediary, found") as caught:
        producers.request("Aa", w.meter.address, w.user.address)
    assert caught.value.code == "unknown_intermediary"
    assert ledger_node.head.height == 0
    theirs = producers.request("Ab", w.meter_oil.address, w.intermediary.address)
    with pytest.raises(NotFound, match="expected one of provider Aa's requests"):
        producers.registration("Aa", theirs.proposal_id)
    for bad in ("0" * 64, "../status", ""):
        with pytest.raises(NotFound):
            producers.registration("Aa", bad)


def test_an_unreachable_node_is_ledger_unavailable(ledger_world: LedgerWorld) -> None:
    with NodeClient(f"http://127.0.0.1:{free_port()}", chain_id=CHAIN_ID) as down:
        producers = Producers(down, ledger_world.intermediary, CHAIN_ID)
        with pytest.raises(LedgerUnavailable, match="the ledger node did not answer"):
            producers.intermediaries()
