"""ledger.consortium.node: four validator nodes (threads of this process, each its own store and etcd client)
on a real 3-member etcd cluster execute the same blocks, finalize them at ⌈2n/3⌉ signatures and survive a
stopped validator, a lost quorum and a Byzantine validator."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from greencert.servers import BackgroundServer
from ledger.api import create_app
from ledger.consortium.node import ConsortiumNode
from ledger.consortium.order import EtcdOrdering, TxMissing
from ledger.consortium.votes import Vote, post, tally
from ledger.errors import Rejected
from ledger.etcd import EtcdClient
from ledger.storage import Store
from ledger_lite import BlockHeader, Commit, CommitError, SigningKey, validators_hash, verify_commit
from ledger_lite.block import COMMIT_DOMAIN
from tests.helpers.consortium_procs import free_port_ranges
from tests.helpers.etcd_cluster import EtcdCluster, etcd_cluster, requires_etcd
from tests.helpers.ledger_world import LedgerWorld, ManualClock, slot

pytestmark = [pytest.mark.etcd, requires_etcd()]
__all__ = ["etcd_cluster"]

WAIT_S = 20.0


@dataclass
class Consortium:
    world: LedgerWorld
    cluster: EtcdCluster
    root: Path
    chain: str
    keys: list[SigningKey]
    nodes: dict[int, ConsortiumNode] = field(default_factory=dict)
    clients: dict[int, EtcdClient] = field(default_factory=dict)
    servers: dict[int, BackgroundServer] = field(default_factory=dict)
    # Below the ephemeral range: bound only when a validator serves, and no outgoing connection may take one meanwhile
    ports: list[int] = field(default_factory=lambda: free_port_ranges([1] * 4))

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i]}"

    def open(self, i: int, *, fault: Callable[[BlockHeader], BlockHeader] | None = None, serve: bool = False,
             **options: Any) -> ConsortiumNode:
        """Validator ``i`` on its store (made or reopened); ``serve``: its HTTP API on its port (for peers)."""
        client = EtcdClient(self.cluster.client_urls, timeout=1.0)
        self.clients[i] = client
        (self.root / f"v{i}").mkdir(parents=True, exist_ok=True)
        node = ConsortiumNode(Store(self.root / f"v{i}" / "ledger.sqlite"), self.world.genesis_with(*self.keys[1:]),
                              self.keys[i], EtcdOrdering(client, self.chain, f"v{i}"), clock=ManualClock(),
                              evidence_dir=self.root / f"v{i}" / "evidence", fault=fault, **options)
        node.start()
        self.nodes[i] = node
        if serve:
            self.servers[i] = BackgroundServer(create_app(node), "127.0.0.1", self.ports[i]).start()
        return node

    def close(self, i: int) -> None:
        if i in self.servers:
            self.servers.pop(i).stop()
        self.nodes.pop(i).close()
        self.clients.pop(i).close()

    def close_all(self) -> None:
        for i in list(self.nodes):
            self.close(i)

    def until(self, check: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"not within {timeout} s: {what}; "
                                     f"{ {i: n.status() for i, n in self.nodes.items()} }")
            time.sleep(0.02)

    def agree(self, height: int) -> None:
        """Every open node holds block ``height`` with the same head and state root."""
        self.until(lambda: all(n.head.height >= height for n in self.nodes.values()), f"all at height {height}")
        blocks = {i: n.block(height) for i, n in self.nodes.items()}
        assert len({b["header"]["hash"] for b in blocks.values()}) == 1, blocks
        roots = {n.status()["state_root"] for n in self.nodes.values() if n.head.height == height}
        assert len(roots) <= 1, roots


@pytest.fixture
def consortium(etcd_cluster: EtcdCluster, tmp_path: Path, ledger_world: LedgerWorld) -> Iterator[Consortium]:
    keys = [ledger_world.validator, *ledger_world.extra_validators(3)]
    c = Consortium(ledger_world, etcd_cluster, tmp_path, f"c{uuid.uuid4().hex[:10]}", keys)
    try:
        yield c
    finally:
        c.close_all()


def _final(node: ConsortiumNode, height: int, validators: list[SigningKey]) -> tuple[BlockHeader, Commit]:
    block = node.block(height)
    header, commit = BlockHeader.from_json(block["header"]), Commit.from_json(block["commit"])
    verify_commit(header, commit, [k.public for k in validators])  # a light client's check: a quorum signed it
    return header, commit


def test_submissions_to_any_node_become_final_on_every_node(consortium: Consortium) -> None:
    w = consortium.world
    nodes = [consortium.open(i) for i in range(4)]
    txs = [w.generate(slot(n), 1_000 + n) for n in range(8)]
    outcomes = [w.submit_wait(nodes[n % 4], tx, timeout=WAIT_S) for n, tx in enumerate(txs)]
    assert [o["code"] for o in outcomes] == ["ok"] * 8, outcomes
    top = max(o["height"] for o in outcomes)
    consortium.agree(top)
    _, commit = _final(nodes[0], top, consortium.keys)
    assert len(commit.signatures) >= 3  # ⌈2·4/3⌉
    for n in nodes:  # every node serves every transaction, with its inclusion
        for o in outcomes:
            assert n.tx(o["tx_id"])["height"] == o["height"]
    status = nodes[1].status()
    assert status["ordering"] == "consortium" and status["final_height"] >= top and status["quorum"] == 3
    assert len(status["validators"]) == 4 and len(status["final_signers"]) >= 3
    # A committed transaction sent to another node is refused there; one sent to two nodes at once commits once.
    with pytest.raises(Rejected, match="already submitted"):
        nodes[2].submit(txs[0].encode())
    twice = w.generate(slot(9), 1_000)
    both = [nodes[0].submit(twice.encode()), nodes[3].submit(twice.encode())]
    settled = [p.wait(WAIT_S) for p in both]
    assert [o and (o["code"], o["height"]) for o in settled] == [("ok", settled[0]["height"])] * 2, settled
    consortium.agree(settled[0]["height"])
    assert nodes[1].block(settled[0]["height"])["tx_count"] == 1  # in its block once


def test_a_copy_sent_while_the_first_is_being_finalized_here_is_answered(consortium: Consortium) -> None:
    """The same envelope sent to node 3 while node 3 finalizes node 0's copy of it (executed there as another
    node's): node 3's submitter hears it committed, in the block of the first copy."""
    w = consortium.world
    nodes = [consortium.open(i) for i in range(4)]
    tx = w.generate(slot(1), 1_000)
    raw = tx.encode()
    in_block, release = threading.Event(), threading.Event()
    await_quorum = nodes[3]._await_quorum

    def held(block: Any) -> Any:
        final = await_quorum(block)
        if any(p.raw == raw for p, _ in block.included):
            in_block.set()
            release.wait(WAIT_S)  # final, not yet stored here: the second copy arrives now
        return final

    nodes[3]._await_quorum = held  # type: ignore[method-assign]
    first = w.submit_wait(nodes[0], tx, timeout=WAIT_S)
    assert first is not None and first["code"] == "ok", first
    assert in_block.wait(WAIT_S)
    second = nodes[3].submit(raw)  # not stored on node 3 yet: taken, and appended to the order
    consortium.until(lambda: raw in nodes[3]._awaiting, "node 3 appended its copy")
    release.set()
    outcome = second.wait(WAIT_S)
    assert outcome is not None and (outcome["code"], outcome["height"]) == ("ok", first["height"]), outcome
    assert outcome["tx_id"] == first["tx_id"] and outcome["index"] == first["index"]
    consortium.agree(first["height"])
    assert nodes[3].block(first["height"])["tx_count"] == 1


def test_a_stopped_validator_does_not_stop_finality_and_catches_up(consortium: Consortium) -> None:
    w = consortium.world
    nodes = {i: consortium.open(i) for i in range(4)}
    first = w.commit(nodes[0], w.generate(slot(1), 1_000))
    consortium.agree(first["height"])
    consortium.close(3)  # 3 of 4 remain: still a quorum
    later = [w.commit(nodes[n % 3], w.generate(slot(n), 2_000)) for n in range(2, 8)]
    top = max(o["height"] for o in later)
    consortium.agree(top)
    back = consortium.open(3)
    consortium.until(lambda: back.head.height >= top, "the restarted validator caught up")
    consortium.agree(top)
    assert back.status()["state_root"] == nodes[0].status()["state_root"]
    # reopened on its store, its tree is loaded whole while it has nothing to do (ledger.producer)
    consortium.until(lambda: back.store.tree.whole and not back.store.tree.warming, "its state tree loaded whole")


def test_without_a_quorum_nothing_becomes_final_and_nothing_is_lost(consortium: Consortium) -> None:
    w = consortium.world
    nodes = {i: consortium.open(i) for i in range(4)}
    base = w.commit(nodes[0], w.generate(slot(1), 1_000))["height"]
    consortium.agree(base)
    consortium.close(2)
    consortium.close(3)
    pending = nodes[0].submit(w.generate(slot(2), 1_000).encode())
    assert pending.wait(2.0) is None  # 2 of 4 signed: not final, not answered
    assert nodes[0].head.height == base and nodes[1].head.height == base
    consortium.until(lambda: nodes[0].status()["can_commit"] is False, "status says it cannot commit")
    waiting = nodes[0].status()["waiting_for_signatures"]
    assert waiting["height"] == base + 1 and waiting["need"] == 3 and len(waiting["signed_by"]) == 2
    assert sorted(waiting["missing"]) == sorted(k.public.hex() for k in consortium.keys[2:])
    consortium.open(2)
    outcome = pending.wait(WAIT_S)
    assert outcome is not None and outcome["code"] == "ok" and outcome["height"] == base + 1
    consortium.agree(base + 1)
    assert nodes[0].status()["can_commit"] is True


def _wrong_root(header: BlockHeader) -> BlockHeader:
    return replace(header, state_root=bytes(32))


def test_a_byzantine_validator_cannot_make_a_wrong_header_final(consortium: Consortium) -> None:
    w = consortium.world
    honest = {i: consortium.open(i) for i in range(3)}
    liar = consortium.open(3, fault=_wrong_root)
    outcome = w.commit(honest[0], w.generate(slot(1), 1_000))
    height = outcome["height"]
    consortium.until(lambda: all(n.head.height >= height for n in honest.values()), "honest nodes final")
    header, commit = _final(honest[0], height, consortium.keys)
    assert consortium.keys[3].public.raw not in {v for v, _ in commit.signatures}
    assert {honest[i].block(height)["header"]["hash"] for i in honest} == {header.hash().hex()}
    # What the liar signed: one signature over a header with another state root, which no light client accepts.
    lie = _wrong_root(header)
    lone = Commit(lie.hash(), ((consortium.keys[3].public.raw,
                                consortium.keys[3].sign(b"greencert/commit/v1" + lie.hash())),))
    with pytest.raises(CommitError):
        verify_commit(lie, lone, [k.public for k in consortium.keys])
    # The liar itself computed the honest header, saw the quorum sign it, and stores it: its fault was only in
    # what it signed. An honest node whose own execution differs halts instead (next test).
    consortium.until(lambda: liar.head.height >= height, "the liar follows the final block")


def test_a_validator_whose_state_differs_halts_and_keeps_evidence(consortium: Consortium) -> None:
    w = consortium.world
    nodes = {i: consortium.open(i) for i in range(3)}
    base = w.commit(nodes[0], w.generate(slot(1), 1_000))["height"]
    consortium.agree(base)
    # Validator 3 joins with a store whose state was changed outside the node after its last block: its
    # execution of the next block gives another state root than the quorum's.
    odd = consortium.open(3)
    consortium.until(lambda: odd.head.height >= base, "v3 caught up")
    with odd._lock:
        odd.state.apply({"registry/tampered": {"role": "none"}}, {"registry/tampered": b"\xa0"})
    w.commit(nodes[1], w.generate(slot(2), 1_000))
    consortium.until(lambda: odd.status()["halted"] is not None, "v3 halts")
    assert odd.head.height == base
    assert "state_root" in odd.status()["halted"]
    # At the first block after its last: the reading's, or an empty block the cluster cut before it (a busy machine)
    path = consortium.root / "v3" / "evidence" / f"block-{base + 1}.json"
    evidence = json.loads(path.read_text())
    assert evidence["differs"] == ["state_root", "hash"] and len(evidence["quorum_signers"]) >= 3
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    refused = w.generate(slot(3), 1_000)
    with pytest.raises(Exception, match="halted"):
        odd.submit(refused.encode())


def test_a_validator_behind_the_cleaned_history_catches_up_from_its_peers(consortium: Consortium) -> None:
    w = consortium.world
    short = {"retain_blocks": 2, "clean_every": 2}  # etcd keeps only the last 2 blocks' transactions
    nodes = {i: consortium.open(i, serve=True, peers=[consortium.url(j) for j in range(4) if j != i], **short)
             for i in range(4)}
    base = w.commit(nodes[0], w.generate(slot(1), 1_000))["height"]
    consortium.agree(base)
    consortium.close(3)
    missed = [w.commit(nodes[0], w.generate(slot(n), 1_000)) for n in range(2, 10)]
    top = max(o["height"] for o in missed)
    consortium.agree(top)
    ordering = EtcdOrdering(consortium.clients[0], consortium.chain, "probe")
    first_missed = ordering.block(base + 1)
    assert first_missed is not None
    with pytest.raises(TxMissing, match="read the block from a peer"):
        ordering.transactions(first_missed)
    back = consortium.open(3, serve=True, peers=[consortium.url(j) for j in range(3)], **short)
    consortium.until(lambda: back.head.height >= top, "v3 caught up from its peers")
    consortium.agree(top)
    assert back.status()["state_root"] == nodes[0].status()["state_root"]
    for o in missed:  # every block it missed, stored with its transactions and their proofs
        assert back.tx(o["tx_id"])["height"] == o["height"]


def test_a_validator_removed_by_governance_leaves_the_set_at_the_next_block(consortium: Consortium) -> None:
    w = consortium.world
    nodes = {i: consortium.open(i) for i in range(4)}
    leaving = consortium.keys[3]
    changed = w.commit(nodes[1], w.registry_update(remove=[leaving.address], approvers=consortium.keys[:3]))
    height = changed["height"]
    consortium.agree(height)
    remaining = [k.public for k in consortium.keys[:3]]
    for n in nodes.values():
        assert sorted(n.status()["validators"]) == sorted(k.hex() for k in remaining)
        assert n.status()["quorum"] == 2
    consortium.close(3)  # not a validator any more: 2 of the 3 remaining suffice, and 3 are up
    consortium.close(2)
    after = w.commit(nodes[0], w.generate(slot(2), 1_000))["height"]
    assert after == height + 1
    consortium.agree(after)
    header, commit = _final(nodes[0], after, consortium.keys[:3])
    assert header.validators_hash == validators_hash(remaining)
    assert leaving.public.raw not in {v for v, _ in commit.signatures}
    # the block that made the change was still named and signed by the old set of 4
    old, _ = _final(nodes[0], height, consortium.keys)
    assert old.validators_hash == validators_hash([k.public for k in consortium.keys])


def test_a_validator_that_signs_two_headers_for_one_height_counts_for_neither(consortium: Consortium) -> None:
    w = consortium.world
    nodes = {i: consortium.open(i) for i in range(2)}  # 2 honest of 4: one more signature would make a quorum
    pending = nodes[0].submit(w.generate(slot(1), 1_000).encode())
    consortium.until(lambda: len((nodes[0].status()["waiting_for_signatures"] or {}).get("signed_by", [])) == 2,
                     "both honest validators signed")
    height = nodes[0].status()["waiting_for_signatures"]["height"]
    ordering = EtcdOrdering(consortium.clients[0], consortium.chain, "probe")
    honest = tally(ordering, height, nodes[0].validators).final_or_leading()
    liar = consortium.keys[3]
    forged = replace(honest, state_root=bytes(32))
    for node_id, header in (("v3-twin", forged), ("v3", honest)):  # the wrong header first, then the right one
        post(ordering, Vote(node_id, liar.public.raw, header, liar.sign(COMMIT_DOMAIN + header.hash())))
    consortium.until(lambda: nodes[0].status()["waiting_for_signatures"]["equivocators"] == [liar.public.hex()],
                     "the double-signing validator is named")
    assert pending.wait(1.0) is None  # its signature over the honest header does not count: still 2 of 3
    consortium.open(2)
    outcome = pending.wait(WAIT_S)
    assert outcome is not None and outcome["code"] == "ok" and outcome["height"] == height
    header, commit = _final(nodes[0], height, consortium.keys)
    assert header == honest and liar.public.raw not in {v for v, _ in commit.signatures}
    lone = Commit(forged.hash(), ((liar.public.raw, liar.sign(COMMIT_DOMAIN + forged.hash())),))
    with pytest.raises(CommitError):  # no light client accepts the forged header
        verify_commit(forged, lone, [k.public for k in consortium.keys])


def test_an_idle_validator_writes_its_state_tree_between_blocks(consortium: Consortium) -> None:
    """As the solo producer (``ledger.producer``): a validator that has followed no block for ``idle_write_s``
    writes its tree's changes, so that no later block carries the write."""
    w = consortium.world
    nodes = [consortium.open(i) for i in range(3)]
    for node in nodes:
        node.idle_write_s, node.store.tree._idle_flush_at = 0.3, 1
    outcome = w.submit_wait(nodes[0], w.generate(slot(1), 1_000), timeout=WAIT_S)
    assert outcome["code"] == "ok", outcome
    consortium.agree(outcome["height"])
    consortium.until(lambda: all(not n.store.redo_keys() for n in nodes), "every validator's tree written")
    for node in nodes:
        assert int(node.store.get_meta("smt_height") or -1) == node.head.height and node.store.tree.changed == 0
