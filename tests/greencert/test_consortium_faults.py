"""Faults of a consortium of real processes (issue #12, "Faults, tested against the real processes"): 3 etcd
members and 4 validator nodes (``greencert node --consortium``), each its own process, killed (SIGKILL),
stopped (SIGSTOP) and restarted by PID while client threads submit signed meter readings and issue certificates
through ``NodeClient`` with every node's URL. After each fault the history is checked: every acknowledged
transaction final exactly once at the height it was acknowledged with, on every node; one header per height, each
with a quorum of the validators' signatures; no asset in two certificates; one state root.

The Byzantine validator is tested in-process (tests/ledger/consortium/test_node.py)."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator

import pytest

from backend_client.errors import NotFound, ServerError
from greencert.etcd_members import EtcdMember
from tests.helpers.consortium_procs import (
    History,
    Ingest,
    Procs,
    acked_on_every_node,
    check_history,
    running_consortium,
)
from tests.helpers.etcd_cluster import requires_etcd

pytestmark = [pytest.mark.etcd, requires_etcd()]

FAULT_SCHEDULE_S = 35.0


@pytest.fixture
def procs() -> Iterator[Procs]:
    with running_consortium() as running:
        yield running


def test_a_killed_validator_leaves_finality_to_the_other_three_and_catches_up(procs: Procs) -> None:
    history = History()
    with Ingest(procs, history) as ingest:
        ingest.wait_acks(15)
        preferred = "v1"  # the client's first node: its in-flight submission fails over
        procs.kill(preferred)
        killed_at = max(h for h, _, _ in procs.heads(["v2", "v3", "v4"]).values())
        ingest.wait_acks(25)
        heads = procs.heads(["v2", "v3", "v4"])
        assert min(h for h, _, _ in heads.values()) > killed_at, f"no block final after the kill: {heads}"
        ingest.finish()
    final = procs.wait_converged(["v2", "v3", "v4"])
    acked_on_every_node(procs, history, ["v2", "v3", "v4"])
    for node_id in ("v2", "v3", "v4"):
        signers = procs.status(node_id)["final_signers"]
        assert procs.public_hex("v1") not in signers and len(signers) >= 3, signers

    procs.restart("v1")
    assert procs.wait_converged(at_least=final[0]) == final  # the same head hash and state root
    check_history(procs, history, on=print)


def test_a_killed_etcd_leader_is_replaced_and_nothing_acknowledged_is_lost(procs: Procs) -> None:
    history = History()
    with Ingest(procs, history) as ingest:
        ingest.wait_acks(15)
        leader = procs.etcd_leader()
        assert leader is not None, "no etcd member says who leads"
        procs.kill_etcd(leader)
        ingest.wait_acks(25)
        deadline = time.monotonic() + 10
        while ((successor := procs.etcd_leader()) is None or successor.name == leader.name) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        assert successor is not None and successor.name != leader.name, (leader.name, successor)
        ingest.finish()
    procs.wait_converged()
    acked_on_every_node(procs, history)
    procs.restart_etcd(leader)
    check_history(procs, history, on=print)


def test_two_stopped_validators_stop_finality_and_the_api_says_so(procs: Procs) -> None:
    history = History()
    with procs.client() as client:
        for _ in range(5):
            assert history.submit(client, procs.readings.next()) is not None, history.errors
    for node_id in ("v3", "v4"):
        procs.pause(node_id)
    time.sleep(0.5)  # a block the two had signed before they stopped is final by now
    before = procs.heads(["v1", "v2"])
    waiting = procs.readings.next()
    with procs.client("v1") as client:
        with pytest.raises(ServerError) as timed_out:
            client.submit(waiting, wait=True, timeout=3.0)
        assert timed_out.value.code == "commit_timeout"
    missing = sorted(procs.public_hex(n) for n in ("v3", "v4"))
    for node_id in ("v1", "v2"):
        status = procs.status(node_id)
        assert status["can_commit"] is False, status
        assert sorted(status["missing_signatures"]) == missing, status
        assert status["waiting_for_signatures"]["height"] == before[node_id][0] + 1, status
        assert sorted(status["waiting_for_signatures"]["missing"]) == missing, status
        assert sorted(status["waiting_for_signatures"]["signed_by"]) == sorted(
            procs.public_hex(n) for n in ("v1", "v2")), status
        assert status["height"] == before[node_id][0], "a block became final with 2 of 4 signatures"
        with procs.client(node_id) as client, pytest.raises(NotFound):
            client.tx(waiting.tx_id)
    assert procs.heads(["v1", "v2"]) == before

    for node_id in ("v3", "v4"):
        procs.resume(node_id)
    with procs.client("v1") as client:
        deadline = time.monotonic() + 20
        while True:
            try:
                found = client.tx(waiting.tx_id)
                break
            except NotFound:
                assert time.monotonic() < deadline, f"not final after the validators returned\n{procs.log_tails()}"
                time.sleep(0.2)
        history.acked[waiting.tx_id] = found["height"]
    procs.wait_converged()
    deadline = time.monotonic() + 10
    while not all(procs.status(n)["can_commit"] for n in procs.node_ids):
        assert time.monotonic() < deadline, [procs.status(n) for n in procs.node_ids]
        time.sleep(0.2)
    check_history(procs, history, on=print)


def test_a_random_fault_schedule_keeps_the_history_consistent(procs: Procs) -> None:
    """Episodes in a seeded random order: one validator down (SIGKILL then a new process, or SIGSTOP then
    SIGCONT), or two down at once for a while (no quorum); an etcd member (once the leader) killed at the start of
    one episode and started again a later one. Two clients ingest readings and issue certificates meanwhile,
    each through every node (in a different order) and each also trying to certify the other's assets."""
    seed = int(os.environ.get("GREENCERT_FAULT_SEED", random.randrange(1 << 32)))
    print(f"fault schedule seed {seed} (GREENCERT_FAULT_SEED={seed} repeats it)")
    rng = random.Random(seed)
    episodes = ["two", "two", *["one"] * 7]
    rng.shuffle(episodes)
    etcd_kills = dict(zip(rng.sample(range(len(episodes) - 1), 2), ["leader", "any"], strict=True))
    history = History()
    pool: list[tuple[str, str]] = []  # the clients' allocated assets: each may certify the other's
    clients = [Ingest(procs, history, certify=True, pool=pool, seed=seed + i, urls=urls)
               for i, urls in enumerate([procs.urls, procs.urls[::-1]])]  # each prefers another node
    down: dict[str, str] = {}  # node id → "killed" | "stopped"
    etcd_down: EtcdMember | None = None
    began = time.monotonic()

    def note(what: str) -> None:
        print(f"{time.monotonic() - began:6.1f} s {what}")

    def fault(node_id: str) -> None:
        how = rng.choice(["killed", "stopped"])
        procs.kill(node_id) if how == "killed" else procs.pause(node_id)
        down[node_id] = how
        note(f"{node_id} {how} ({len(down)} down)")

    def heal(node_id: str) -> None:
        how = down.pop(node_id)
        procs.restart(node_id, wait=False) if how == "killed" else procs.resume(node_id)
        note(f"{node_id} back ({'a new process' if how == 'killed' else 'SIGCONT'})")

    def heal_etcd() -> None:
        nonlocal etcd_down
        if etcd_down is not None:
            procs.restart_etcd(etcd_down, wait=False)
            note(f"etcd {etcd_down.name} started")
            etcd_down = None

    for c in clients:
        c.start()
    try:
        clients[0].wait_acks(5)
        for index, episode in enumerate(episodes):
            if time.monotonic() - began > FAULT_SCHEDULE_S:
                break
            if index in etcd_kills:
                heal_etcd()
                leader = procs.etcd_leader()
                etcd_down = leader if etcd_kills[index] == "leader" and leader else rng.choice(procs.etcd_members)
                procs.kill_etcd(etcd_down)
                note(f"etcd {etcd_down.name} killed{' (the leader)' if etcd_down is leader else ''}")
            elif etcd_down is not None and rng.random() < 0.5:
                heal_etcd()
            first, second = rng.sample(procs.node_ids, 2)
            fault(first)
            if episode == "two":
                time.sleep(rng.uniform(0.5, 1.5))
                fault(second)
                time.sleep(rng.uniform(1.5, 3.0))  # no quorum of validators meanwhile
                heal(rng.choice(sorted(down)))
                time.sleep(rng.uniform(0.5, 1.5))
            else:
                time.sleep(rng.uniform(1.0, 2.5))
            for node_id in sorted(down):
                heal(node_id)
            time.sleep(rng.uniform(0.5, 1.5))
        heal_etcd()
        procs.consortium.wait_ready()
        procs.layout.etcd.wait_healthy()
        clients[0].wait_acks(5)  # everything healed: finality is back
    finally:
        for c in clients:
            c.halt.set()
        for node_id in sorted(down):
            heal(node_id)
        for c in clients:
            c.finish()
    certificates = sum(1 for t in history.acked if history.kinds[t] == "cert.issue")
    note(f"{len(history.acked)} acknowledged ({certificates} certificates), {len(history.refused)} refused "
         f"{sorted(set(history.refused.values()))}, {len(history.unknown)} unknown; last errors: {history.errors[-3:]}")
    assert certificates, "no certificate was issued during the schedule"
    assert "already_issued" in history.refused.values(), "no client tried to certify a certified asset"
    check_history(procs, history, on=print)
