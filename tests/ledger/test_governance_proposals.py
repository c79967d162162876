"""Governance proposals against a real node over HTTP (ledger/governance_routes.py): a producer's registration of
its intermediary is approved by the node's policy at once; anything else waits for the operator, who approves or
rejects it; an approved change goes into the ledger as a ``registry.update``; what a peer validator's node did not
take is sent to it again, also after a restart (``ledger.governance_peers``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend_client import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from backend_client.node import GovernanceClient, sign_proposal
from greencert.servers import BackgroundServer, free_port
from ledger import governance_proposals
from ledger.api import create_app
from ledger.governance_peers import GovernancePeers
from ledger.governance_policy import Policy, PolicyError
from ledger.governance_proposals import GovernanceDesk
from ledger.node import Node
from ledger_lite import SigningKey, sign_tx
from ledger_lite.governance import approval_message
from tests.helpers.ledger_world import CHAIN_ID, SOLAR_CAPACITY_W, LedgerWorld, ManualClock, slot


@pytest.fixture
def server(ledger_node: Node) -> Iterator[BackgroundServer]:
    running = BackgroundServer(create_app(ledger_node), "127.0.0.1", free_port()).start()
    yield running
    running.stop()


@pytest.fixture
def client(server: BackgroundServer) -> Iterator[GovernanceClient]:
    with GovernanceClient(server.url, chain_id=CHAIN_ID, signer=LedgerWorld().validator) as running:
        yield running  # reads signed by the validator: it sees every proposal


def meter_entry(world: LedgerWorld, intermediary: str, **changes: Any) -> dict[str, Any]:
    attrs = {"provider": "Aa", "method": "solar", "capacity_w": SOLAR_CAPACITY_W, "intermediary": intermediary,
             **changes}
    return world.registry_entry(world.meter, "meter", "Smart meter of Aa", **attrs)


def binding(world: LedgerWorld, proposer: SigningKey, intermediary: str | None = None, **changes: Any) -> Any:
    """A proposal by ``proposer`` to bind the solar meter to ``intermediary`` (default: the proposer)."""
    entry = meter_entry(world, intermediary or proposer.address, **changes)
    return sign_proposal(proposer, CHAIN_ID, set_entries=[entry])


def registered_meter(node: Node, world: LedgerWorld) -> dict[str, Any]:
    return next(e for e in node.registry() if e["address"] == world.meter.address)


def test_a_producer_registering_its_intermediary_is_approved_at_once(ledger_world: LedgerWorld, ledger_node: Node,
                                                                      client: GovernanceClient) -> None:
    w = ledger_world
    proposal = binding(w, w.intermediary2)
    record = client.propose(proposal)
    assert (record["id"], record["state"], record["decided_by"]) == (proposal.tx_id, "registered", "policy")
    assert record["proposer"] == w.intermediary2.address and record["approvals"] == [w.validator.public.hex()]
    assert record["height"] == ledger_node.head.height
    assert registered_meter(ledger_node, w)["attrs"]["intermediary"] == w.intermediary2.address
    committed = ledger_node.tx(record["tx_id"])
    assert committed["type"] == "registry.update" and committed["signer"] == w.validator.address
    # S23-S24: from now on the meter's production belongs to the intermediary it names, and to no other.
    refused = w.submit_wait(ledger_node, w.generate(slot(0), 1_000, owner=w.intermediary.address))
    assert refused["code"] == "wrong_intermediary"
    w.commit(ledger_node, w.generate(slot(0), 1_000, owner=w.intermediary2.address))
    assert client.proposal(proposal.tx_id)["state"] == "registered"
    assert client.propose(proposal) == record  # sent again: the same record, nothing applied twice


def test_anything_else_waits_for_the_operator_who_approves_it(ledger_world: LedgerWorld, ledger_node: Node,
                                                             client: GovernanceClient) -> None:
    w = ledger_world
    # The intermediary Da proposes that the meter report to Db: not its own binding, so the operator decides.
    proposal = binding(w, w.intermediary, w.intermediary2.address)
    height = ledger_node.head.height
    record = client.propose(proposal)
    assert (record["state"], record["decided_by"], record["approvals"]) == ("waiting", "", [])
    assert ledger_node.head.height == height and "intermediary" not in registered_meter(ledger_node, w)["attrs"]
    assert [p["id"] for p in client.proposals(state="waiting")] == [proposal.tx_id]
    approved = client.approve_proposal(proposal.tx_id, w.validator)
    assert (approved["state"], approved["decided_by"]) == ("registered", "operator")
    assert registered_meter(ledger_node, w)["attrs"]["intermediary"] == w.intermediary2.address
    assert client.proposals(state="waiting") == []
    with pytest.raises(Conflict, match=r"expected a waiting proposal to approve, found proposal .* registered"):
        client.approve_proposal(proposal.tx_id, w.validator)


def test_the_operator_rejects_with_a_reason_and_nothing_changes(ledger_world: LedgerWorld, ledger_node: Node,
                                                               client: GovernanceClient) -> None:
    w = ledger_world
    proposal = sign_proposal(w.intermediary, CHAIN_ID, remove=[w.meter_oil.address])
    assert client.propose(proposal)["state"] == "waiting"
    before = ledger_node.status()["state_root"]
    rejected = client.reject_proposal(proposal.tx_id, w.validator, "no contract ends that meter / 契約がありません")
    assert rejected["state"] == "refused"
    assert rejected["reason"] == "rejected by the operator: no contract ends that meter / 契約がありません"
    assert ledger_node.status()["state_root"] == before
    assert client.proposal(proposal.tx_id)["state"] == "refused"


def test_only_the_nodes_operator_decides(ledger_world: LedgerWorld, client: GovernanceClient) -> None:
    w = ledger_world
    proposal = binding(w, w.intermediary, w.intermediary2.address)
    client.propose(proposal)
    with pytest.raises(Forbidden, match="expected a request signed by a validator key this node holds"):
        client.approve_proposal(proposal.tx_id, w.intermediary)
    with pytest.raises(Unauthorized, match="sign it with a registered key"):
        client.request("POST", f"/v1/governance/proposals/{proposal.tx_id}/approve")
    assert client.proposal(proposal.tx_id)["state"] == "waiting"
    with pytest.raises(NotFound, match="expected the id of a proposal this node was sent"):
        client.approve_proposal("0" * 64, w.validator)


def test_a_change_the_ledger_refuses_is_refused_with_its_reason(ledger_world: LedgerWorld, ledger_node: Node,
                                                               client: GovernanceClient) -> None:
    w = ledger_world
    # A registered intermediary's key proposed as a meter: a key keeps its role (ledger/rules/governance.py).
    entry = w.registry_entry(w.intermediary2, "meter", "Not a meter", provider="Ab", method="oil", capacity_w=1_000)
    proposal = sign_proposal(w.intermediary, CHAIN_ID, set_entries=[entry])
    assert client.propose(proposal)["state"] == "waiting"
    refused = client.approve_proposal(proposal.tx_id, w.validator)
    assert refused["state"] == "refused"
    assert refused["reason"].startswith("refused by the ledger: bad_registry: set[0]: address "
                                        f"{w.intermediary2.address} is registered as intermediary")


@pytest.mark.parametrize(("signer", "error", "match"), [
    ("user", Forbidden, "expected a proposal by an intermediary or a validator, found a user"),
    ("meter", Forbidden, "expected a proposal by an intermediary or a validator, found a meter"),
    ("outsider", Forbidden, "expected a proposal signed by a registered key, found gc1"),
])
def test_who_may_propose(ledger_world: LedgerWorld, client: GovernanceClient, signer: str, error: type[Exception],
                         match: str) -> None:
    w = ledger_world
    with pytest.raises(error, match=match):
        client.propose(binding(w, getattr(w, signer), w.intermediary.address))
    assert client.proposals() == []


def test_malformed_proposals_are_refused_and_kept_nowhere(ledger_world: LedgerWorld, ledger_node: Node,
                                                         client: GovernanceClient) -> None:
    w = ledger_world
    with pytest.raises(BadRequest, match="needs attribute 'intermediary' as an address"):
        client.propose(binding(w, w.intermediary, "Intermediary Db"))
    with pytest.raises(BadRequest, match=r"expected an envelope of type 'registry\.propose', found 'registry\.update'"):
        client.propose(sign_tx(w.intermediary, chain=CHAIN_ID, type="registry.update",
                               body={"set": [], "remove": []}, nonce=1, time=1))
    with pytest.raises(BadRequest, match="expected 1 to 64 entries to set or addresses to remove, found 0"):
        client.propose(sign_proposal(w.intermediary, CHAIN_ID))
    with pytest.raises(BadRequest, match="expected chain 'greencert-test', found 'other'"):
        client.propose(sign_proposal(w.intermediary, "other", remove=[w.meter.address]))
    with pytest.raises(BadRequest, match=r'expected JSON \{"tx"'):
        client.request("POST", "/v1/governance/proposals", json={"proposal": "x"})
    with pytest.raises(BadRequest, match="expected a state among waiting, submitted, registered, refused"):
        client.proposals(state="pending")
    assert client.proposals() == [] and ledger_node.head.height == 0


def test_policy_can_be_turned_off(tmp_path: Path, ledger_world: LedgerWorld, ledger_clock: ManualClock) -> None:
    w = ledger_world
    (tmp_path / "node").mkdir()
    (tmp_path / "node" / "governance.toml").write_text("auto_approve_meter_binding = false\n")
    node = w.open_node(tmp_path / "node", ledger_clock)
    server = BackgroundServer(create_app(node), "127.0.0.1", free_port()).start()
    try:
        with GovernanceClient(server.url, chain_id=CHAIN_ID) as client:
            assert client.propose(binding(w, w.intermediary2))["state"] == "waiting"
    finally:
        server.stop()
        node.close()


def test_a_bad_policy_file_stops_the_node_api(tmp_path: Path, ledger_world: LedgerWorld) -> None:
    (tmp_path / "node").mkdir()
    (tmp_path / "node" / "governance.toml").write_text("auto_approve = yes\n")
    node = ledger_world.open_node(tmp_path / "node", start=False)
    try:
        with pytest.raises(PolicyError, match=r"governance\.toml: expected TOML"):
            create_app(node)
    finally:
        node.close()


def test_a_waiting_proposal_survives_a_restart(tmp_path: Path, ledger_world: LedgerWorld,
                                               ledger_clock: ManualClock) -> None:
    w = ledger_world
    proposal = binding(w, w.intermediary, w.intermediary2.address)
    for step in ("propose", "approve"):
        node = w.open_node(tmp_path / "node", ledger_clock)
        server = BackgroundServer(create_app(node), "127.0.0.1", free_port()).start()
        try:
            with GovernanceClient(server.url, chain_id=CHAIN_ID, signer=w.validator) as client:
                if step == "propose":
                    assert client.propose(proposal)["state"] == "waiting"
                else:
                    assert client.proposal(proposal.tx_id)["state"] == "waiting"
                    assert client.approve_proposal(proposal.tx_id, w.validator)["state"] == "registered"
        finally:
            server.stop()
            node.close()


def test_a_node_holding_a_quorum_of_several_validators_submits(tmp_path: Path, ledger_world: LedgerWorld) -> None:
    w = ledger_world
    extra = w.extra_validators(2)  # n = 3: a quorum is 2; this node holds its own key and one more
    node = w.open_node_with(w.genesis_with(*extra), tmp_path / "node", cosigners=extra[:1])
    server = BackgroundServer(create_app(node), "127.0.0.1", free_port()).start()
    try:
        with GovernanceClient(server.url, chain_id=CHAIN_ID) as client:
            record = client.propose(binding(w, w.intermediary2))
            assert record["state"] == "registered" and len(record["approvals"]) == 2
    finally:
        server.stop()
        node.close()


def test_approvals_from_peers_are_checked(ledger_world: LedgerWorld, ledger_node: Node, tmp_path: Path) -> None:
    """A validator's approval arriving from a peer (ledger/governance_peers.py) counts; a signature that is not a
    registered validator's over this change is refused and kept nowhere."""
    w = ledger_world
    extra = w.extra_validators(2)  # n = 3, quorum 2; this node holds only its own key
    node = w.open_node_with(w.genesis_with(*extra), tmp_path / "quorum", cosigners=extra[:1])
    server = BackgroundServer(create_app(node), "127.0.0.1", free_port()).start()
    try:
        with GovernanceClient(server.url, chain_id=CHAIN_ID, signer=w.validator) as client:
            proposal = binding(w, w.intermediary, w.intermediary2.address)
            route = f"/v1/governance/proposals/{proposal.tx_id}/approvals"
            message = approval_message(CHAIN_ID, entries=proposal.body["set"], remove=[], nonce=proposal.nonce)
            by_outsider = {"validator": w.outsider.public.hex(), "sig": w.outsider.sign(message).hex()}
            with pytest.raises(BadRequest, match="expected the key of a registered validator"):
                client.request("POST", route, json={"proposal": proposal.encode().hex(), "approvals": [by_outsider]})
            wrong = {"validator": extra[1].public.hex(), "sig": extra[1].sign(b"something else").hex()}
            with pytest.raises(BadRequest, match="expected a validator's signature over this change"):
                client.request("POST", route, json={"proposal": proposal.encode().hex(), "approvals": [wrong]})
            with pytest.raises(BadRequest, match="expected JSON"):
                client.request("POST", route, json={"approvals": []})
            assert client.proposal(proposal.tx_id)["approvals"] == []  # taken, but no approval kept
            good = {"validator": extra[1].public.hex(), "sig": extra[1].sign(message).hex()}
            answer = client.request("POST", route, json={"proposal": proposal.encode().hex(), "approvals": [good]})
            assert answer.json()["state"] == "waiting"  # 1 of the 2 needed
            assert client.approve_proposal(proposal.tx_id, w.validator)["state"] == "registered"
    finally:
        server.stop()
        node.close()


def test_an_approved_change_not_yet_in_a_block_is_sent_again_after_a_restart(
        tmp_path: Path, ledger_world: LedgerWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing acknowledged is lost: the node stops after the proposer was told ``submitted`` but before the
    ``registry.update`` was in a block; on the next start the desk finds it missing from the ledger and sends it
    again."""
    w = ledger_world
    monkeypatch.setattr(governance_proposals, "SETTLE_S", 0.05)  # the stopped producer never settles it
    stopped = w.open_node(tmp_path / "node", start=False)
    try:
        record, new = GovernanceDesk(stopped, Policy()).propose(binding(w, w.intermediary2).encode())
        assert new and record.state == "submitted" and not stopped.store.has_tx(record.tx_id)
    finally:
        stopped.close()
    node = w.open_node(tmp_path / "node")
    try:
        desk = GovernanceDesk(node, Policy())  # as the API does on start: submitted proposals are sent again
        pending = desk._pending.get(record.id)
        assert pending is not None and pending.wait(10.0) is not None
        again = desk.proposal(record.id)
        assert (again.state, again.tx_id) == ("registered", record.tx_id)
        assert registered_meter(node, w)["attrs"]["intermediary"] == w.intermediary2.address
    finally:
        node.close()


def test_proposals_are_read_by_validators_and_their_proposers_only(ledger_world: LedgerWorld, server: BackgroundServer,
                                                                   client: GovernanceClient) -> None:
    w = ledger_world
    da = client.propose(binding(w, w.intermediary, w.intermediary2.address))["id"]
    db = client.propose(sign_proposal(w.intermediary2, CHAIN_ID, remove=[w.meter_oil.address]))["id"]
    assert {p["id"] for p in client.proposals()} == {da, db}  # a validator reads all
    with GovernanceClient(server.url, chain_id=CHAIN_ID, signer=w.intermediary) as proposer:
        assert [p["id"] for p in proposer.proposals()] == [da]
        assert proposer.proposal(da)["id"] == da
        with pytest.raises(NotFound, match="expected the id of a proposal of"):
            proposer.proposal(db)
        with pytest.raises(Forbidden, match="expected a read of the signer's own proposals"):
            proposer.proposals(proposer=w.intermediary2.address)
    with GovernanceClient(server.url, chain_id=CHAIN_ID, signer=w.user) as user:
        assert user.proposals() == []
    with GovernanceClient(server.url, chain_id=CHAIN_ID) as unsigned:
        with pytest.raises(Unauthorized, match="sign it with a registered key"):
            unsigned.proposals()
        with pytest.raises(Unauthorized, match="sign it with a registered key"):
            unsigned.proposal(da)
    with GovernanceClient(server.url, chain_id=CHAIN_ID, signer=w.outsider) as outsider, \
            pytest.raises(Unauthorized, match="expected a read signed by a registered participant"):
        outsider.proposals()


def test_an_approval_a_down_peer_missed_reaches_it_after_this_nodes_restart(tmp_path: Path,
                                                                           ledger_world: LedgerWorld) -> None:
    """The node approves while its peer is down; the node's desk stops (the outbox keeps the message) and starts
    again; the peer comes back and gets the proposal with the approval, sent by nobody but the restarted desk."""
    w = ledger_world
    genesis = w.genesis_with(*w.extra_validators(2))  # n = 3, quorum 2: one approval leaves it waiting
    node = w.open_node_with(genesis, tmp_path / "node")
    peer_port = free_port()
    peer_url = f"http://127.0.0.1:{peer_port}"
    proposal = binding(w, w.intermediary, w.intermediary2.address)
    try:
        desk = GovernanceDesk(node, Policy(), peers=GovernancePeers([peer_url], base_delay_s=0.05))
        desk.propose(proposal.encode())
        assert desk.approve(proposal.tx_id, w.validator.address).state == "waiting"
        deadline = time.monotonic() + 10
        while not any(d.attempts >= 1 for d in desk.store.outbox.all()) and time.monotonic() < deadline:
            time.sleep(0.02)
        desk.peers.close()  # the node stops with the approval not delivered
        (left,) = desk.store.outbox.all()
        assert left.peer == peer_url and left.attempts >= 1 and len(left.body["approvals"]) == 1
        peer = w.open_node_with(genesis, tmp_path / "peer")
        served = BackgroundServer(create_app(peer), "127.0.0.1", peer_port).start()
        again = GovernanceDesk(node, Policy(), peers=GovernancePeers([peer_url], base_delay_s=0.05))
        try:
            with GovernanceClient(peer_url, chain_id=CHAIN_ID, signer=w.validator) as reader:
                deadline = time.monotonic() + 10
                while again.store.outbox.all() and time.monotonic() < deadline:
                    time.sleep(0.02)
                assert again.store.outbox.all() == []
                record = reader.proposal(proposal.tx_id)
                assert record["state"] == "waiting" and record["approvals"] == [w.validator.public.hex()]
        finally:
            again.peers.close()
            served.stop()
            peer.close()
    finally:
        node.close()
