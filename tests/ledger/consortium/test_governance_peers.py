"""Governance on a consortium (ledger/governance_peers.py): four validator nodes (threads of this process, each its
own store, etcd client and HTTP API, the others as peers) on a real 3-member etcd cluster. A proposal sent to one
node reaches the others; each approves by its own policy or operator; the change is submitted once ⌈2n/3⌉ = 3
approved, and every node then calls it registered. A peer that was down when a proposal was shared gets it once it
is back, without anyone sending it again, also when the sender restarted meanwhile (the outbox)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend_client.node import GovernanceClient, sign_proposal
from ledger import governance_peers
from ledger.consortium.node import ConsortiumNode
from ledger.governance_peers import GovernancePeers, backoff
from ledger.governance_store import FILE_NAME, ProposalStore
from ledger_lite import decode_tx
from tests.helpers.etcd_cluster import etcd_cluster, requires_etcd
from tests.helpers.ledger_world import SOLAR_CAPACITY_W
from tests.ledger.consortium.test_node import Consortium, consortium

pytestmark = [pytest.mark.etcd, requires_etcd()]
__all__ = ["consortium", "etcd_cluster"]


@pytest.fixture
def serving(consortium: Consortium) -> Iterator[dict[int, ConsortiumNode]]:
    """All four validators serving their APIs, each with the other three as peers."""
    yield {i: consortium.open(i, serve=True, peers=[consortium.url(j) for j in range(4) if j != i])
           for i in range(4)}


def binding(consortium: Consortium, to: str) -> dict[str, Any]:
    w = consortium.world
    return w.registry_entry(w.meter, "meter", "Smart meter of Aa", provider="Aa", method="solar",
                            capacity_w=SOLAR_CAPACITY_W, intermediary=to)


def bound_to(node: ConsortiumNode, consortium: Consortium) -> str | None:
    meter = next(e for e in node.registry() if e["address"] == consortium.world.meter.address)
    found: str | None = meter["attrs"].get("intermediary")
    return found


def reader(consortium: Consortium, i: int) -> GovernanceClient:
    """Validator ``i``'s operator reading its node (a signed read)."""
    return GovernanceClient(consortium.url(i), chain_id=consortium.world.chain_id, signer=consortium.keys[i])


def state_on(consortium: Consortium, i: int, proposal_id: str) -> str:
    with reader(consortium, i) as client:
        return str(client.proposal(proposal_id)["state"])


def test_a_producers_registration_is_approved_by_every_nodes_policy(consortium: Consortium,
                                                                   serving: dict[int, ConsortiumNode]) -> None:
    w = consortium.world
    proposal = sign_proposal(w.intermediary2, w.chain_id, set_entries=[binding(consortium, w.intermediary2.address)])
    with GovernanceClient(consortium.url(0), chain_id=consortium.world.chain_id) as client:
        client.propose(proposal)
    consortium.until(lambda: all(bound_to(n, consortium) == w.intermediary2.address for n in serving.values()),
                     "the meter bound to Db on every node")
    consortium.until(lambda: all(state_on(consortium, i, proposal.tx_id) == "registered" for i in range(4)),
                     "the proposal registered on every node")
    # Several nodes may reach the quorum and submit; the ledger applies the change once (already_applied).
    txs = [decode_tx(bytes.fromhex(raw)) for h in range(1, serving[0].head.height + 1)
           for raw in serving[0].block_txs(h)["txs"]]
    assert [tx.type for tx in txs] == ["registry.update"]
    assert len(txs[0].body["approvals"]) >= 3


def test_other_changes_wait_for_a_quorum_of_operators(consortium: Consortium,
                                                      serving: dict[int, ConsortiumNode]) -> None:
    w = consortium.world
    proposal = sign_proposal(w.intermediary, w.chain_id, set_entries=[binding(consortium, w.intermediary2.address)])
    with GovernanceClient(consortium.url(0), chain_id=consortium.world.chain_id) as client:
        assert client.propose(proposal)["state"] == "waiting"
    consortium.until(lambda: all(_known(consortium, i, proposal.tx_id) for i in range(4)),
                     "the proposal passed on to every node")
    for i in (0, 1):  # two of the four operators approve: 2 < 3, nothing changes
        with GovernanceClient(consortium.url(i), chain_id=consortium.world.chain_id) as operator:
            record = operator.approve_proposal(proposal.tx_id, consortium.keys[i])
        assert record["state"] == "waiting"
    assert all(bound_to(n, consortium) is None for n in serving.values())
    consortium.until(lambda: _approvals(consortium, 1, proposal.tx_id) == 2, "node 1 holding both approvals")
    with GovernanceClient(consortium.url(2), chain_id=consortium.world.chain_id) as operator:
        operator.approve_proposal(proposal.tx_id, consortium.keys[2])  # the third: a quorum
    consortium.until(lambda: all(bound_to(n, consortium) == w.intermediary2.address for n in serving.values()),
                     "the meter bound to Db on every node")
    consortium.until(lambda: all(state_on(consortium, i, proposal.tx_id) == "registered" for i in range(4)),
                     "the proposal registered on every node")


def _known(consortium: Consortium, i: int, proposal_id: str) -> bool:
    with reader(consortium, i) as client:
        return any(p["id"] == proposal_id for p in client.proposals())


def _approvals(consortium: Consortium, i: int, proposal_id: str) -> int:
    with reader(consortium, i) as client:
        return len(client.proposal(proposal_id)["approvals"])


def outbox_of(consortium: Consortium, i: int) -> list[tuple[str, int]]:
    """(peer, failed attempts) of what validator ``i`` still has to send."""
    return [(d.peer, d.attempts) for d in ProposalStore(consortium.root / f"v{i}" / FILE_NAME).outbox.all()]


def test_a_peer_that_was_down_gets_the_proposal_once_it_is_back(consortium: Consortium,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(governance_peers, "BASE_DELAY_S", 0.2)  # the nodes opened below retry after 0.2, 0.4 ... s
    w = consortium.world
    everyone = {i: [consortium.url(j) for j in range(4) if j != i] for i in range(4)}
    for i in range(3):  # validator 3 is down
        consortium.open(i, serve=True, peers=everyone[i])
    proposal = sign_proposal(w.intermediary, w.chain_id, set_entries=[binding(consortium, w.intermediary2.address)])
    with GovernanceClient(consortium.url(0), chain_id=w.chain_id) as client:
        assert client.propose(proposal)["state"] == "waiting"
    consortium.until(lambda: any(peer == consortium.url(3) and tries >= 2 for peer, tries in outbox_of(consortium, 0)),
                     "node 0 trying validator 3 again")
    assert {peer for peer, _ in outbox_of(consortium, 0)} == {consortium.url(3)}  # 1 and 2 took it at once
    consortium.open(3, serve=True, peers=everyone[3])  # back: nobody sends anything again
    consortium.until(lambda: _known(consortium, 3, proposal.tx_id), "the proposal on validator 3", timeout=30)
    consortium.until(lambda: outbox_of(consortium, 0) == [], "node 0's outbox empty")
    # The operators of 1, 2 and 3 approve: a quorum, the change registered everywhere.
    for i in (1, 2, 3):
        with GovernanceClient(consortium.url(i), chain_id=w.chain_id) as operator:
            operator.approve_proposal(proposal.tx_id, consortium.keys[i])
    consortium.until(lambda: all(bound_to(n, consortium) == w.intermediary2.address for n in consortium.nodes.values()),
                     "the meter bound to Db on every node")


def test_what_is_left_to_send_survives_the_senders_restart(consortium: Consortium, tmp_path: Path) -> None:
    w = consortium.world
    store = ProposalStore(tmp_path / FILE_NAME)
    proposal = sign_proposal(w.intermediary, w.chain_id, set_entries=[binding(consortium, w.intermediary2.address)])
    before = GovernancePeers([consortium.url(3)], base_delay_s=0.1)
    before.keep_in(store)
    before.share(proposal.tx_id, proposal.encode(), {})
    consortium.until(lambda: [d.attempts for d in store.outbox.all()] >= [1], "a failed send kept")
    before.close()  # the sender stops; the message stays
    assert [d.peer for d in store.outbox.all()] == [consortium.url(3)]
    consortium.open(3, serve=True)
    after = GovernancePeers([consortium.url(3)], base_delay_s=0.1)
    after.keep_in(ProposalStore(tmp_path / FILE_NAME))  # the sender starts again: it sends what was left
    try:
        consortium.until(lambda: _known(consortium, 3, proposal.tx_id), "the proposal on validator 3")
        consortium.until(lambda: store.outbox.all() == [], "the outbox empty")
    finally:
        after.close()


def test_a_refusing_peer_is_not_sent_again_and_retries_are_bounded(consortium: Consortium, tmp_path: Path) -> None:
    w = consortium.world
    consortium.open(3, serve=True)
    store = ProposalStore(tmp_path / FILE_NAME)
    bad = sign_proposal(w.user, w.chain_id, set_entries=[binding(consortium, w.intermediary2.address)])
    peers = GovernancePeers([consortium.url(3), "http://127.0.0.1:9"], base_delay_s=0.01, max_attempts=3)
    peers.keep_in(store)
    try:
        peers.share(bad.tx_id, bad.encode(), {})  # signed by a user: validator 3 refuses (403), port 9 is shut
        consortium.until(lambda: store.outbox.all() == [], "both dropped: one refused, one given up")
    finally:
        peers.close()
    assert [backoff(n) for n in (1, 2, 3, 9, 10, 40)] == [1.0, 2.0, 4.0, 256.0, 300.0, 300.0]
