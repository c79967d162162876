"""A consortium of real processes for fault tests: 3 etcd members and 4 validator nodes (``greencert node
--consortium``) on free loopback ports in a temp dir, clients that sign demo transactions, and a history check.

    with running_consortium(tmp_path) as procs:              # started; stopped (every process) on exit
        history = History()
        with Ingest(procs, history) as ingest:                 # a thread: signed readings through every URL
            ingest.wait_acks(10)
            procs.kill("v1")                                   # SIGKILL, by PID
            ingest.wait_acks(10)                               # still final: 3 of 4
        procs.restart("v1")
        heads = procs.wait_converged()                         # same head hash and state root on every node
        check_history(procs, history)                          # acknowledged = final exactly once, one header
                                                               # per height, every header a quorum's, no asset
                                                               # in two certificates

The genesis time is a day boundary ``BACK_DAYS`` days ago and the nodes use the wall clock, so the readings are
for half hours between the genesis and now; each meter's half hours are handed out once (``Readings``).
"""

from __future__ import annotations

import contextlib
import random
import secrets
import signal
import socket
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from backend_client import NodeClient
from backend_client.errors import AlreadyIssued, ApiError, ClientError
from field.sites import DEMO_PRODUCERS, Producer
from greencert.consortium import Consortium, Layout, NodeConfig, prepare
from greencert.etcd_members import EtcdMember
from greencert.keystore import load
from greencert.world import World, load_world
from ledger.consortium.tls import TlsFiles, issue_client_cert, make_ca
from ledger_lite import (
    BlockHeader,
    Commit,
    PublicKey,
    SigningKey,
    Transaction,
    leaf_hash,
    root_from_leaf_hashes,
    sha256,
    sign_tx,
    verify_commit,
)
from ledger_lite.certificate import INTERVAL_S
from ledger_lite.request_auth import sign_request

DAY = 86400
BACK_DAYS = 20  # the genesis: a day boundary this many days ago (readings must end after it and before now)
VALIDATORS = 4
READY_S = 60.0
PORTS = (20000, 32700)  # where the consortium listens: random free ranges in here
SUBMIT_TIMEOUT_S = 4.0  # a submission's wait for its block (the client waits 5 s more for the node's answer)


# --- ports ---------------------------------------------------------------------------------------------------


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_ranges(sizes: Sequence[int], rng: random.Random | None = None) -> list[int]:
    """A base port for each size: ``base .. base + size - 1`` all free on loopback, no two ranges overlapping.
    Below Linux's ephemeral range (32768-60999), so that no outgoing connection of another process takes one of
    them between this check and the listener's bind."""
    rng = rng or random.Random()
    bases: list[int] = []
    taken: set[int] = set()
    for size in sizes:
        for _ in range(200):
            base = rng.randrange(PORTS[0], PORTS[1] - size)
            ports = set(range(base, base + size))
            if not ports & taken and all(_free(p) for p in ports):
                bases.append(base)
                taken |= ports
                break
        else:
            raise RuntimeError(f"found no {size} consecutive free loopback ports in {PORTS[0]}-{PORTS[1]}")
    return bases


# --- signed demo transactions --------------------------------------------------------------------------------


class Readings:
    """Signed meter readings of the demo producers: each meter's half hours from the genesis on, each handed out
    once (thread-safe), with a small amount well within the meter's capacity."""

    def __init__(self, world: World, start: int, *, producers: Sequence[Producer] = DEMO_PRODUCERS) -> None:
        self.world = world
        self.producers = list(producers)
        self._next = {p.id: start for p in self.producers}
        self._turn = 0
        self._lock = threading.Lock()

    def next(self, site_id: str | None = None) -> Transaction:
        with self._lock:
            if site_id is None:
                site = self.producers[self._turn % len(self.producers)]
                self._turn += 1
            else:
                site = next(p for p in self.producers if p.id == site_id)
            begin = self._next[site.id]
            if begin + INTERVAL_S > time.time() - 60:
                raise RuntimeError(f"meter {site.id}: every half hour up to now was read already")
            self._next[site.id] = begin + INTERVAL_S
        wh = 1000 + begin // INTERVAL_S % 997
        body = {"provider": site.id, "method": site.method, "start": begin, "end": begin + INTERVAL_S, "wh": wh,
                "owner": self.world.intermediary.address}
        return sign_tx(self.world.meters[site.id], chain=self.world.chain_id, type="asset.generate", body=body,
                       nonce=begin // INTERVAL_S, time=begin + INTERVAL_S)

    def allocate(self, asset_id: str, wh: int, consumer: str = "Ca") -> Transaction:
        """The intermediary allocates all ``wh`` of ``asset_id`` to the user of ``consumer``."""
        now = int(time.time())
        body = {"to": self.world.users[consumer].address, "usage_start": now - now % INTERVAL_S - INTERVAL_S,
                "usage_end": now - now % INTERVAL_S, "parts": [{"asset": asset_id, "wh": wh}]}
        return sign_tx(self.world.intermediary, chain=self.world.chain_id, type="asset.allocate", body=body,
                       nonce=secrets.randbits(62), time=now)

    def issue(self, asset_ids: Sequence[str], consumer: str = "Ca") -> Transaction:
        """A ``cert.issue`` over ``asset_ids`` for the user of ``consumer``, signed by the intermediary."""
        body = {"owner": self.world.users[consumer].address, "institution": "jgca", "assets": list(asset_ids)}
        return sign_tx(self.world.intermediary, chain=self.world.chain_id, type="cert.issue", body=body,
                       nonce=secrets.randbits(62), time=int(time.time()))


# --- the processes ---------------------------------------------------------------------------------------------


@dataclass
class Procs:
    """A started consortium: its layout, processes and the demo world's keys."""

    root: Path
    world: World
    start: int
    layout: Layout
    consortium: Consortium
    keys: dict[str, SigningKey]  # node id → its validator key
    etcd_tls: TlsFiles  # a client certificate of the consortium's CA, for the tests' own etcd requests
    readings: Readings
    paused: set[str] = field(default_factory=set)

    @property
    def node_ids(self) -> list[str]:
        return sorted(self.keys)

    @property
    def urls(self) -> list[str]:
        return self.layout.node_urls

    def url(self, node_id: str) -> str:
        return self.urls[self.node_ids.index(node_id)]

    def config(self, node_id: str) -> Path:
        return self.layout.configs[self.node_ids.index(node_id)]

    def validators(self) -> list[PublicKey]:
        """The validator set in force, in the genesis order (the order a header's ``validators_hash`` is over)."""
        return list(self.layout.genesis.validators())

    def public_hex(self, node_id: str) -> str:
        return self.keys[node_id].public.hex()

    # -- node faults ------------------------------------------------------------------------------------------

    def running(self, node_id: str) -> bool:
        process = self.consortium.nodes.get(node_id)
        return process is not None and process.poll() is None

    def kill(self, node_id: str) -> None:
        """SIGKILL node ``node_id`` (by its PID)."""
        self.paused.discard(node_id)
        self.consortium.stop_node(node_id, kill=True)

    def restart(self, node_id: str, *, wait: bool = True) -> None:
        """Start node ``node_id`` again on its own store and port (a stopped one is continued first)."""
        if self.running(node_id):
            self.resume(node_id)
            return
        self.consortium.start_node(self.config(node_id))
        if wait:
            self.consortium.wait_ready(READY_S)

    def pause(self, node_id: str) -> None:
        """SIGSTOP node ``node_id``: it holds its connections but answers nothing."""
        self.consortium.nodes[node_id].send_signal(signal.SIGSTOP)
        self.paused.add(node_id)

    def resume(self, node_id: str) -> None:
        if node_id in self.paused and self.running(node_id):
            self.consortium.nodes[node_id].send_signal(signal.SIGCONT)
        self.paused.discard(node_id)

    # -- etcd -------------------------------------------------------------------------------------------------

    @property
    def etcd_members(self) -> list[EtcdMember]:
        return self.layout.etcd.members

    def etcd_leader(self) -> EtcdMember | None:
        """The member that leads now, as the first answering member says, or None."""
        with httpx.Client(timeout=1.0, verify=self.etcd_tls.ssl_context()) as http:
            for member in self.etcd_members:
                if member.process is None or member.process.poll() is not None:
                    continue
                try:
                    status = http.post(f"{member.client_url}/v3/maintenance/status", json={}).json()
                    listed = http.post(f"{member.client_url}/v3/cluster/member/list", json={}).json()
                except (httpx.HTTPError, ValueError):
                    continue
                leader = status.get("leader")
                if not leader or leader == "0":
                    continue
                for entry in listed.get("members", []):
                    if entry.get("ID") == leader:
                        return next((m for m in self.etcd_members if m.name == entry.get("name")), None)
        return None

    def kill_etcd(self, member: EtcdMember) -> None:
        self.layout.etcd.stop_member(member, kill=True)

    def restart_etcd(self, member: EtcdMember, *, wait: bool = True) -> None:
        if member.process is None or member.process.poll() is not None:
            self.layout.etcd.start_member(member)
        if wait:
            self.layout.etcd.wait_healthy()

    # -- reads ------------------------------------------------------------------------------------------------

    def client(self, *node_ids: str, timeout: float = 10.0) -> NodeClient:
        """A NodeClient of ``node_ids`` (default: every node, failing over in order)."""
        return NodeClient([self.url(n) for n in node_ids] if node_ids else self.urls, timeout=timeout,
                          chain_id=self.world.chain_id)

    def status(self, node_id: str, timeout: float = 2.0) -> dict[str, Any]:
        with NodeClient(self.url(node_id), timeout=timeout) as client:
            return client.status()

    def heads(self, node_ids: Sequence[str] | None = None) -> dict[str, tuple[int, str, str]]:
        """Each node's (final height, head hash, state root); a node that does not answer is left out."""
        out = {}
        for node_id in node_ids or self.node_ids:
            with contextlib.suppress(ClientError):
                s = self.status(node_id)
                out[node_id] = (int(s["height"]), str(s["head_hash"]), str(s["state_root"]))
        return out

    def wait_converged(self, node_ids: Sequence[str] | None = None, *, at_least: int = 0,
                       timeout: float = 45.0) -> tuple[int, str, str]:
        """Until every node in ``node_ids`` (default: all) is at one head (height ≥ ``at_least``) with one state
        root, unchanged over two looks; returns it."""
        wanted = list(node_ids or self.node_ids)
        deadline = time.monotonic() + timeout
        last: dict[str, tuple[int, str, str]] = {}
        previous: tuple[int, str, str] | None = None
        while True:
            last = self.heads(wanted)
            values = set(last.values())
            if len(last) == len(wanted) and len(values) == 1:
                (head,) = values
                if head[0] >= at_least and head == previous:
                    return head
                previous = head
            else:
                previous = None
            if time.monotonic() > deadline:
                raise AssertionError(f"nodes {wanted} did not converge within {timeout} s: {last}")
            time.sleep(0.3)

    def signed_get(self, http: httpx.Client, node_id: str, route: str, signer: SigningKey) -> Any:
        """GET ``route`` of ``node_id`` as a signed read by ``signer`` (no query)."""
        headers = sign_request(signer, method="GET", path=route, query=[], chain_id=self.world.chain_id,
                               now=int(time.time()))
        answer = http.get(self.url(node_id) + route, headers=headers)
        answer.raise_for_status()
        return answer.json()

    def log_tails(self, lines: int = 15) -> str:
        """The end of every node's log (for a failure message)."""
        parts = []
        for node_id in self.node_ids:
            path = self.config(node_id).parent / "node.log"
            try:
                tail = path.read_text(errors="replace").splitlines()[-lines:]
            except OSError:
                tail = ["(no log)"]
            parts.append(f"--- {node_id}\n" + "\n".join(tail))
        return "\n".join(parts)

    def close(self) -> None:
        for node_id in list(self.paused):
            self.resume(node_id)
        self.consortium.stop()


@contextlib.contextmanager
def running_consortium(root: Path | None = None, *, validators: int = VALIDATORS) -> Iterator[Procs]:
    """``validators`` node processes and 3 etcd members in ``root`` (a fresh temp dir by default)."""
    with contextlib.ExitStack() as stack:
        if root is None:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="greencert-consortium-")))
        now = int(time.time())
        start = now - now % DAY - BACK_DAYS * DAY
        world = load_world(root)
        node_port, client_port, peer_port = free_port_ranges([validators, 3, 3])
        layout = prepare(root, world, validators, start, node_port=node_port, etcd_client_port=client_port,
                         etcd_peer_port=peer_port)
        ca = make_ca(root / "tls" / "ca", f"GreenCert consortium {layout.genesis.chain_id}")
        tls = issue_client_cert(ca, root / "tls" / "clients", "tests")
        keys = {NodeConfig.load(c).node_id: load(NodeConfig.load(c).key) for c in layout.configs}
        consortium = Consortium(layout).start(out=lambda _: None)
        procs = Procs(root, world, start, layout, consortium, keys, tls, Readings(world, start))
        try:
            yield procs
        finally:
            procs.close()


# --- clients and their history ---------------------------------------------------------------------------------


@dataclass
class History:
    """What clients were told: acknowledged transactions (with the height they were told), refused ones and
    those whose outcome is unknown (a timeout, no node answering: they may or may not be final)."""

    acked: dict[str, int] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    kinds: dict[str, str] = field(default_factory=dict)  # tx id → type
    certified: dict[str, list[str]] = field(default_factory=dict)  # acknowledged certificate id → its assets
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def submit(self, client: NodeClient, tx: Transaction, timeout: float = SUBMIT_TIMEOUT_S) -> dict[str, Any] | None:
        """Submit ``tx`` and wait for its block; the outcome if acknowledged, else None (recorded either way)."""
        with self.lock:
            self.kinds[tx.tx_id] = tx.type
        try:
            outcome = client.submit(tx, wait=True, timeout=timeout)
        except AlreadyIssued as e:
            self._refused(tx, e.code)
            return None
        except ApiError as e:
            if e.status >= 500:
                self._unknown(tx, f"{e.status} {e.code}")
            else:
                self._refused(tx, e.code)
            return None
        except ClientError as e:
            self._unknown(tx, str(e)[:200])
            return None
        if outcome.get("code") != "ok" or not isinstance(outcome.get("height"), int):
            self._unknown(tx, f"unexpected outcome {outcome}")
            return None
        with self.lock:
            self.acked[tx.tx_id] = outcome["height"]
            self.unknown.discard(tx.tx_id)
            if tx.type == "cert.issue":
                self.certified[tx.tx_id] = list(tx.body["assets"])
        return outcome

    def _refused(self, tx: Transaction, code: str) -> None:
        with self.lock:
            self.refused[tx.tx_id] = code

    def _unknown(self, tx: Transaction, why: str) -> None:
        with self.lock:
            self.unknown.add(tx.tx_id)
            self.errors.append(f"{tx.type} {tx.tx_id[:12]}: {why}")

    def acked_count(self) -> int:
        with self.lock:
            return len(self.acked)


class Ingest(threading.Thread):
    """A client thread: signed readings submitted one by one (waiting for each block) through a NodeClient of
    ``urls`` (default: every node); with ``certify`` it also allocates the new asset to Consumer Ca and issues a
    certificate over it and, often, over assets other certificates already cover (which must be refused)."""

    def __init__(self, procs: Procs, history: History, *, urls: Sequence[str] | None = None,
                 certify: bool = False, pool: list[tuple[str, str]] | None = None, seed: int = 0) -> None:
        super().__init__(name="ingest", daemon=True)
        self.procs = procs
        self.history = history
        self.urls = list(urls or procs.urls)
        self.certify = certify
        self.pool = pool if pool is not None else []  # allocated (asset id, method), shared between threads
        self.rng = random.Random(seed)
        self.halt = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            with NodeClient(self.urls, timeout=10.0, chain_id=self.procs.world.chain_id) as client:
                while not self.halt.is_set():
                    self.step(client)
        except BaseException as e:  # kept for the test to raise
            self.failure = e

    def step(self, client: NodeClient) -> None:
        tx = self.procs.readings.next()
        outcome = self.history.submit(client, tx)
        if outcome is None and tx.tx_id in self.history.unknown:
            self.halt.wait(0.2)  # no node could answer: give them a moment rather than spend every half hour
        if not self.certify or outcome is None:
            return
        asset_id, method = outcome["result"]["asset_id"], tx.body["method"]
        if self.history.submit(client, self.procs.readings.allocate(asset_id, tx.body["wh"])) is None:
            return
        self.pool.append((asset_id, method))
        same = [a for a, m in list(self.pool) if m == method and a != asset_id]
        others = self.rng.sample(same, min(len(same), 2))
        # over the new asset, sometimes with one another certificate may cover already (then refused, whole)
        self.history.submit(client, self.procs.readings.issue([asset_id, *others[:self.rng.randrange(0, 2)]]))
        if others and self.rng.random() < 0.5:  # one another client may be certifying at this moment
            self.history.submit(client, self.procs.readings.issue(others[-1:]))

    def wait_acks(self, more: int, timeout: float = 30.0) -> None:
        """Until ``more`` further transactions were acknowledged (or raise with what went wrong)."""
        target = self.history.acked_count() + more
        deadline = time.monotonic() + timeout
        while self.history.acked_count() < target:
            if self.failure is not None:
                raise AssertionError(f"the ingest thread failed: {self.failure!r}") from self.failure
            if time.monotonic() > deadline:
                raise AssertionError(f"only {self.history.acked_count()} of {target} transactions acknowledged "
                                     f"after {timeout} s; last errors: {self.history.errors[-5:]}\n"
                                     f"{self.procs.log_tails()}")
            time.sleep(0.05)

    def finish(self, timeout: float = 30.0) -> None:
        self.halt.set()
        self.join(timeout)
        assert not self.is_alive(), "the ingest thread did not stop"
        if self.failure is not None:
            raise AssertionError(f"the ingest thread failed: {self.failure!r}") from self.failure

    def __enter__(self) -> Ingest:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.halt.set()
        self.join(30)


# --- the history check -------------------------------------------------------------------------------------------


def acked_on_every_node(procs: Procs, history: History, node_ids: Sequence[str] | None = None) -> None:
    """Every acknowledged transaction is final on each node (``GET /v1/txs/{id}``), at the height its client was
    told, at one index."""
    with history.lock:
        acked = dict(history.acked)
    for node_id in node_ids or procs.node_ids:
        with procs.client(node_id) as client:
            for tx_id, height in acked.items():
                found = client.tx(tx_id)
                assert (found["height"], found["tx_id"]) == (height, tx_id), \
                    f"{node_id}: transaction {tx_id} acknowledged at height {height} is at {found['height']}"


def check_history(procs: Procs, history: History, *, on: Callable[[str], None] = lambda _: None) -> int:
    """After every node converged: one header per height on every node, each with a quorum of the validators'
    signatures and chained to the one before; every transaction final at most once, every acknowledged one exactly
    once at the height it was acknowledged with, on every node; no asset in two certificates. Returns the
    height checked."""
    height, head_hash, state_root = procs.wait_converged()
    validators = procs.validators()
    reader = procs.keys[procs.node_ids[0]]
    seen: Counter[str] = Counter()
    where: dict[str, int] = {}
    with httpx.Client(timeout=10.0) as http:
        previous: dict[str, str] = {}
        for h in range(1, height + 1):
            hashes = {}
            for node_id in procs.node_ids:
                block = http.get(f"{procs.url(node_id)}/v1/blocks/{h}").json()
                header = BlockHeader.from_json(block["header"])
                verify_commit(header, Commit.from_json(block["commit"]), validators)
                if h > 1:
                    assert header.prev_hash.hex() == previous[node_id], f"{node_id}: block {h} is not chained"
                previous[node_id] = header.hash().hex()
                if h == height:
                    assert header.state_root.hex() == state_root, f"{node_id}: head header and state disagree"
                hashes[node_id] = header.hash().hex()
                if node_id == procs.node_ids[0]:
                    raws = [bytes.fromhex(r) for r in
                            procs.signed_get(http, node_id, f"/v1/blocks/{h}/txs", reader)["txs"]]
                    assert root_from_leaf_hashes([leaf_hash(r) for r in raws]) == header.tx_root, \
                        f"block {h}'s transactions do not hash to its header's tx_root"
                    for raw in raws:
                        tx_id = sha256(raw).hex()
                        seen[tx_id] += 1
                        where[tx_id] = h
            assert len(set(hashes.values())) == 1, f"two different final headers at height {h}: {hashes}"
        assert previous[procs.node_ids[0]] == head_hash
    on(f"history: {height} blocks, {sum(seen.values())} transactions, {len(history.acked)} acknowledged, "
       f"{len(history.unknown)} unknown, {len(history.refused)} refused")
    twice = [t for t, n in seen.items() if n > 1]
    assert not twice, f"transactions final more than once: {twice[:5]}"
    lost = {t: h for t, h in history.acked.items() if seen[t] != 1}
    assert not lost, f"acknowledged transactions not final exactly once: {list(lost.items())[:5]}"
    moved = {t: (h, where[t]) for t, h in history.acked.items() if where[t] != h}
    assert not moved, f"acknowledged at one height, final at another: {list(moved.items())[:5]}"
    refused_final = [t for t in history.refused if seen[t]]
    assert not refused_final, f"refused transactions that are final all the same: {refused_final[:5]}"
    acked_on_every_node(procs, history)
    check_certificates(procs, history)
    return height


def check_certificates(procs: Procs, history: History) -> None:
    """On every node: no asset is named by two certificates; each asset's ``cert`` is the certificate naming it;
    every acknowledged certificate exists over the assets it was issued for."""
    user = procs.world.users["Ca"]
    listings = []
    for node_id in procs.node_ids:
        with procs.client(node_id) as client:
            owner_of: dict[str, str] = {}
            certificates = client.certificates(user.address, signer=user)
            for cert in certificates:
                record = client.value(f"cert/{cert['id']}")["value"]
                for asset_id in record["assets"]:
                    assert asset_id not in owner_of, \
                        f"{node_id}: asset {asset_id} in certificates {owner_of[asset_id]} and {cert['id']}"
                    owner_of[asset_id] = cert["id"]
            for asset in client.assets(user.address, signer=user):
                if asset["cert"] is not None or asset["id"] in owner_of:
                    assert owner_of.get(asset["id"]) == asset["cert"], \
                        f"{node_id}: asset {asset['id']} says certificate {asset['cert']}, " \
                        f"the certificates say {owner_of.get(asset['id'])}"
            for cert_id, assets in history.certified.items():
                assert sorted(a for a, c in owner_of.items() if c == cert_id) == sorted(assets), \
                    f"{node_id}: acknowledged certificate {cert_id} over {assets} is not as issued"
            listings.append(sorted(owner_of.items()))
    assert all(listing == listings[0] for listing in listings), "the nodes list different certificates"


__all__ = ["History", "Ingest", "Procs", "Readings", "check_certificates", "check_history", "free_port_ranges",
           "running_consortium"]
