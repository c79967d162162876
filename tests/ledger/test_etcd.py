"""ledger.etcd against a real 3-member etcd cluster (tests/helpers/etcd_cluster.py): KV, create-once txn, watch,
failover across endpoints, and the errors' wording."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from ledger.etcd import (
    EtcdClient,
    EtcdRejected,
    EtcdUnavailable,
    WatchEvent,
    prefix_end,
)
from tests.helpers.etcd_cluster import EtcdCluster, _free_ports, etcd_cluster, requires_etcd

pytestmark = [pytest.mark.etcd, requires_etcd()]
__all__ = ["etcd_cluster"]


@pytest.fixture
def client(etcd_cluster: EtcdCluster) -> Iterator[EtcdClient]:
    with EtcdClient(etcd_cluster.client_urls) as c:
        yield c


def dead_url() -> str:
    """A loopback URL nothing listens on."""
    return f"http://127.0.0.1:{_free_ports(1)[0]}"


def test_prefix_end_follows_etcds_rule() -> None:
    assert prefix_end(b"/gc/a/") == b"/gc/a0"
    assert prefix_end(b"a\xff") == b"b"
    assert prefix_end(b"\xff\xff") == b"\0"


def test_the_cluster_starts_healthy_with_a_leader(etcd_cluster: EtcdCluster) -> None:
    assert len(etcd_cluster.client_urls) == 3
    assert etcd_cluster.started_in is not None and etcd_cluster.started_in < 10
    assert etcd_cluster.leader() is not None


def test_put_get_and_prefix_range(client: EtcdClient) -> None:
    first = client.put(b"/t/kv/a", b"1")
    second = client.put(b"/t/kv/b", b"\x00\xff binary")
    client.put(b"/t/kv0", b"outside the prefix")
    assert second > first
    kv = client.get(b"/t/kv/b")
    assert kv is not None and kv.value == b"\x00\xff binary" and kv.create_revision == second and kv.version == 1
    assert client.get(b"/t/kv/missing") is None
    found = client.range(b"/t/kv/", prefix=True)
    assert [k.key for k in found.kvs] == [b"/t/kv/a", b"/t/kv/b"] and found.count == 2 and not found.more
    newest_first = client.range(b"/t/kv/", prefix=True, sort="create", descending=True, limit=1)
    assert [k.key for k in newest_first.kvs] == [b"/t/kv/b"] and newest_first.more
    assert client.range(b"/t/none/", prefix=True).kvs == ()
    # as of an older revision: b did not exist yet
    assert [k.key for k in client.range(b"/t/kv/", prefix=True, revision=first).kvs] == [b"/t/kv/a"]


def test_create_once_and_compare_and_put(client: EtcdClient) -> None:
    won = client.create(b"/t/once", b"first")
    assert won.succeeded and won.current is None
    lost = client.create(b"/t/once", b"second")
    assert not lost.succeeded
    assert lost.current is not None and lost.current.value == b"first" and lost.current.create_revision == won.revision
    stale = client.compare_and_put(b"/t/once", b"x", mod_revision=won.revision - 1)
    assert not stale.succeeded
    fresh = client.compare_and_put(b"/t/once", b"updated", mod_revision=won.revision)
    assert fresh.succeeded
    kv = client.get(b"/t/once")
    assert kv is not None and kv.value == b"updated" and kv.version == 2
    with pytest.raises(ValueError, match="exactly one"):
        client.compare_and_put(b"/t/once", b"x")


def test_a_future_revision_is_refused_with_etcds_reason(client: EtcdClient) -> None:
    now = client.put(b"/t/future", b"x")
    with pytest.raises(EtcdRejected, match="future revision") as refused:
        client.range(b"/t/future", revision=now + 1000)
    assert refused.value.code == "etcd_rejected" and refused.value.grpc_code == 11


def test_failover_to_the_next_endpoint_and_a_clear_error_when_none_answers(etcd_cluster: EtcdCluster) -> None:
    with EtcdClient([dead_url(), *etcd_cluster.client_urls], timeout=1.0) as c:
        c.put(b"/t/failover", b"ok")
        assert c.endpoint == etcd_cluster.client_urls[0]  # it stays on the endpoint that answered
        kv = c.get(b"/t/failover")
        assert kv is not None and kv.value == b"ok"
    dead = [dead_url(), dead_url()]
    with EtcdClient(dead, timeout=1.0, retry_for=0.3) as c, pytest.raises(EtcdUnavailable) as none:
        c.put(b"/t/x", b"y")
    assert all(url in none.value.message for url in dead) and "ConnectError" in none.value.message


def _collect(watch: Iterator[WatchEvent], into: list[WatchEvent], done: threading.Event) -> None:
    try:
        for event in watch:
            into.append(event)
    finally:
        done.set()


def test_watch_streams_events_and_stops_from_another_thread(client: EtcdClient) -> None:
    start = client.put(b"/t/w/0", b"before the watch")
    events: list[WatchEvent] = []
    done = threading.Event()
    with client.watch(b"/t/w/", prefix=True, start_revision=start) as watch:
        reader = threading.Thread(target=_collect, args=(watch, events, done), daemon=True)
        reader.start()
        assert watch.created.wait(5)
        for i in range(1, 4):
            client.put(f"/t/w/{i}".encode(), str(i).encode())
        client.put(b"/t/other", b"not watched")
        deadline = time.monotonic() + 5
        while len(events) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        watch.stop()
        assert done.wait(2), "stop() did not end the iteration"
    assert [(e.type, e.kv.key, e.kv.value) for e in events] == [
        ("PUT", b"/t/w/0", b"before the watch"), ("PUT", b"/t/w/1", b"1"), ("PUT", b"/t/w/2", b"2"),
        ("PUT", b"/t/w/3", b"3")]


def test_a_member_stopped_mid_use_fails_over_and_rejoins(etcd_cluster: EtcdCluster) -> None:
    """The client and a watch both read from member 0; member 0 stops; writes go on through the others, the watch
    re-opens on the next member from where it was, and member 0 rejoins with everything."""
    with EtcdClient(etcd_cluster.client_urls, timeout=2.0) as c:
        events: list[WatchEvent] = []
        done = threading.Event()
        with c.watch(b"/t/f/", prefix=True) as watch:
            reader = threading.Thread(target=_collect, args=(watch, events, done), daemon=True)
            reader.start()
            assert watch.created.wait(5)
            c.put(b"/t/f/1", b"1")
            etcd_cluster.stop_member(0)
            try:
                for i in range(2, 6):
                    c.put(f"/t/f/{i}".encode(), str(i).encode())
                assert c.endpoint != etcd_cluster.client_urls[0]
                deadline = time.monotonic() + 10
                while len(events) < 5 and time.monotonic() < deadline:
                    time.sleep(0.02)
            finally:
                etcd_cluster.restart_member(0)
            watch.stop()
            assert done.wait(2)
        assert [e.kv.key for e in events] == [f"/t/f/{i}".encode() for i in range(1, 6)]  # none lost, none twice
    with EtcdClient([etcd_cluster.client_urls[0]]) as only_member_0:
        deadline = time.monotonic() + 5
        while (kv := only_member_0.get(b"/t/f/5")) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert kv is not None and kv.value == b"5"


def test_a_private_cluster_stops_every_member_it_started(tmp_path: object) -> None:
    cluster = EtcdCluster(1).start()
    pids = [m.process.pid for m in cluster.members if m.process is not None]
    with EtcdClient(cluster.client_urls) as c:
        c.put(b"/t/single", b"x")
    cluster.stop()
    assert all(not m.running for m in cluster.members) and pids
    assert not cluster.root.exists()


@pytest.mark.parametrize(("error", "fails_over"), [
    ({"grpc_code": 1, "http_code": 408, "message": "grpc: the client connection is closing"}, True),  # shutting down
    ({"grpc_code": 14, "http_code": 503, "message": "transport is closing"}, True),
    ({"grpc_code": 3, "http_code": 400, "message": "invalid watch request"}, False),
])
def test_a_watch_fails_over_when_its_member_goes_away_and_reports_real_refusals(error: dict[str, object],
                                                                               fails_over: bool) -> None:
    import json

    from ledger.etcd import Watch, _StreamBroken

    with EtcdClient(["http://127.0.0.1:9"]) as c, Watch(c, b"/t/", None, 0) as watch:
        expected: type[Exception] = _StreamBroken if fails_over else EtcdRejected
        with pytest.raises(expected, match=str(error["message"])):
            list(watch._events(json.dumps({"error": {**error, "http_status": "x"}})))
