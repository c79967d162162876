"""ledger.consortium.order against a real 3-member etcd cluster: appends are ordered, each height is cut once,
racing nodes agree, and a member stopped mid-test loses no appended transaction."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from ledger.consortium.order import Appended, Cut, EtcdOrdering, OrderingError
from ledger.etcd import EtcdClient
from tests.helpers.etcd_cluster import EtcdCluster, etcd_cluster, requires_etcd

pytestmark = [pytest.mark.etcd, requires_etcd()]
__all__ = ["etcd_cluster"]


@pytest.fixture
def chain() -> str:
    """A chain of its own for each test: tests share the module's cluster, not their keys."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def clients(etcd_cluster: EtcdCluster) -> Iterator[list[EtcdClient]]:
    made = [EtcdClient(etcd_cluster.client_urls[i:] + etcd_cluster.client_urls[:i], timeout=1.0) for i in range(2)]
    yield made
    for c in made:
        c.close()


def test_appends_are_ordered_and_a_cut_lists_them_once(clients: list[EtcdClient], chain: str) -> None:
    a, b = EtcdOrdering(clients[0], chain, "node-a"), EtcdOrdering(clients[1], chain, "node-b")
    appended = [a.append(b"tx-a1"), b.append(b"tx-b1"), a.append(b"tx-a2")]
    assert [x.seq for x in appended] == [1, 1, 2]
    assert appended[0].revision < appended[1].revision < appended[2].revision
    first = a.cut_next()
    assert first.height == 1 and first.first_rev == 1 and first.decided_by == "node-a"
    assert [t.key for t in first.txs] == [x.key for x in appended]
    assert b.transactions(first) == [b"tx-a1", b"tx-b1", b"tx-a2"]
    later = b.append(b"tx-b2")
    second = b.cut_next()
    assert second.height == 2 and second.first_rev == first.last_rev + 1
    assert [t.key for t in second.txs] == [later.key]
    assert a.block(2) == second and a.last_cut() == second
    empty = a.cut_next()
    assert empty.height == 3 and empty.txs == ()


def test_cuts_must_be_contiguous(clients: list[EtcdClient], chain: str) -> None:
    node = EtcdOrdering(clients[0], chain, "node-a")
    node.append(b"x")
    with pytest.raises(OrderingError, match="expected height 1 to be decided first"):
        node.cut(2, 1, node.revision())
    with pytest.raises(OrderingError, match="expected revisions 1"):
        node.cut(1, 2, node.revision())
    with pytest.raises(OrderingError, match="future revision"):
        node.cut(1, 1, node.revision() + 1000)
    cut = node.cut(1, 1, node.revision())
    assert node.cut(1, 1, node.revision() + 1000) == cut  # a decided height answers with its cut


def test_an_append_repeated_after_a_lost_answer_is_not_duplicated(clients: list[EtcdClient], chain: str) -> None:
    node = EtcdOrdering(clients[0], chain, "node-a")
    first = node.append(b"tx-1")
    node._next_seq = first.seq  # as if the answer had been lost and the node retried the same append
    again = node.append(b"tx-1")
    assert again == first
    # a second process under the same node id never overwrites: it moves past the taken sequence number
    twin = EtcdOrdering(clients[1], chain, "node-a")
    twin._next_seq = first.seq
    other = twin.append(b"tx-2")
    assert other.seq == first.seq + 1
    assert [t.key for t in node.cut_next().txs] == [first.key, other.key]


def test_two_nodes_racing_cut_each_height_once_and_agree(clients: list[EtcdClient], chain: str) -> None:
    heights = 15
    nodes = [EtcdOrdering(clients[0], chain, "node-a"), EtcdOrdering(clients[1], chain, "node-b")]
    seen: dict[str, list[Cut]] = {n.node_id: [] for n in nodes}
    acked: dict[str, list[Appended]] = {n.node_id: [] for n in nodes}
    latencies: list[float] = []
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(node: EtcdOrdering) -> None:
        try:
            for h in range(1, heights + 1):
                acked[node.node_id].append(node.append(f"{node.node_id} {h}".encode()))
                barrier.wait(10)
                began = time.perf_counter()
                previous = seen[node.node_id][-1] if seen[node.node_id] else None
                cut = node.cut(h, 1 if previous is None else previous.last_rev + 1, node.revision())
                latencies.append(time.perf_counter() - began)
                seen[node.node_id].append(cut)
        except BaseException as e:
            errors.append(e)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(n,)) for n in nodes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert seen["node-a"] == seen["node-b"]  # both nodes see the same cut at every height
    cuts = seen["node-a"]
    assert [c.height for c in cuts] == list(range(1, heights + 1))
    assert {c.decided_by for c in cuts} <= {"node-a", "node-b"}
    for earlier, later in itertools.pairwise(cuts):
        assert later.first_rev == earlier.last_rev + 1
    in_blocks = [t.key for c in cuts for t in c.txs]
    assert len(in_blocks) == len(set(in_blocks))  # no transaction in two blocks
    assert sorted(in_blocks) == sorted(a.key for acks in acked.values() for a in acks)  # and none left out
    latencies.sort()
    print(f"cut latency over {len(latencies)} racing cuts: p50 {latencies[len(latencies) // 2] * 1000:.1f} ms, "
          f"max {latencies[-1] * 1000:.1f} ms; heights won by node-a: "
          f"{sum(c.decided_by == 'node-a' for c in cuts)}/{heights}")


def test_a_member_stopped_mid_test_loses_no_appended_transaction(etcd_cluster: EtcdCluster,
                                                               clients: list[EtcdClient], chain: str) -> None:
    """An appender writes without pause while the etcd leader is SIGKILLed and later restarted; every append that
    was acknowledged is in exactly one cut, with the bytes that were appended."""
    node = EtcdOrdering(clients[0], chain, "node-a")
    acked: list[tuple[Appended, bytes]] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def append_forever() -> None:
        i = 0
        try:
            while not stop.is_set():
                tx = f"tx {i}".encode()
                acked.append((node.append(tx), tx))
                i += 1
        except BaseException as e:
            errors.append(e)

    appender = threading.Thread(target=append_forever)
    appender.start()
    try:
        time.sleep(0.3)
        leader = etcd_cluster.leader()
        assert leader is not None
        index = etcd_cluster.members.index(leader)
        before = len(acked)
        etcd_cluster.stop_member(index, kill=True)
        try:  # a new leader is elected; appends go on (one in flight may wait out a request timeout)
            deadline = time.monotonic() + 10
            while len(acked) < before + 20 and time.monotonic() < deadline and not errors:
                time.sleep(0.05)
            during = len(acked) - before
            assert etcd_cluster.leader() is not None
        finally:
            etcd_cluster.restart_member(index)
        time.sleep(0.3)
    finally:
        stop.set()
        appender.join(30)
    assert not errors, errors
    assert during >= 20, f"only {during} appends while a member was down"
    cutter = EtcdOrdering(clients[1], chain, "node-b")
    cut = cutter.cut_next()
    assert [t.key for t in cut.txs] == [a.key for a, _ in acked]
    assert cutter.transactions(cut) == [tx for _, tx in acked]
