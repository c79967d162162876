"""A private etcd cluster for tests: N members on free loopback ports, each its own data dir, stopped by PID.

Usage::

    with EtcdCluster(3) as cluster:
        client = EtcdClient(cluster.client_urls)
        cluster.stop_member(1)      # the cluster keeps quorum (2 of 3)
        cluster.restart_member(1)   # same data dir: it rejoins and catches up

or the ``etcd_cluster`` fixture (one cluster per test module). ``EtcdCluster(3, tls=True)`` runs the members with
TLS on both their client and peer URLs, each requiring a certificate of the cluster's own CA (made with
:mod:`ledger.consortium.tls` under the cluster's directory)::

    with EtcdCluster(3, tls=True) as cluster:
        client = EtcdClient(cluster.client_urls, tls=cluster.client_tls("company-a"))

The helper reaches its members (health, leader) with a client certificate of its own, ``cluster-helper``.

Facts from shared/ENVIRONMENT.md (etcd): Debian's ``etcd-server`` is etcd 3.4; the system service it installs is
never used here; a member that lost quorum takes ~5 s to exit on SIGTERM, so :meth:`EtcdCluster.stop` signals
followers first and SIGKILLs after a grace period. Only the processes this helper started are ever signalled, by
PID.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx
import pytest

from greencert.etcd_members import member_command, spawn, wait_healthy
from ledger.consortium.tls import (
    CaFiles,
    TlsFiles,
    etcd_member_flags,
    issue_client_cert,
    issue_server_cert,
    make_ca,
)

ETCD = "etcd"
START_TIMEOUT = 15.0
STOP_GRACE = 2.0
HELPER_CLIENT = "cluster-helper"  # the name of the client certificate the helper itself uses over TLS
SKIP_REASON = "etcd is not installed (Debian: apt-get install etcd-server etcd-client; scripts/bootstrap.sh does it)"


def etcd_binary() -> str | None:
    return shutil.which(ETCD)


def requires_etcd() -> pytest.MarkDecorator:
    """``pytestmark = requires_etcd()``: the etcd marker plus a skip, with the reason, when the binary is missing."""
    return pytest.mark.skipif(etcd_binary() is None, reason=SKIP_REASON)


def _free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports (all sockets held open until every port is chosen)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass
class Member:
    name: str
    client_port: int
    peer_port: int
    data_dir: Path
    log_path: Path
    tls: TlsFiles | None = None  # the member's certificate (server and peer), when the cluster runs TLS
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def scheme(self) -> str:
        return "http" if self.tls is None else "https"

    @property
    def client_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.client_port}"

    @property
    def peer_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.peer_port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class EtcdCluster:
    """``size`` etcd members on loopback. :attr:`client_urls` lists every member's client URL. With ``tls``, every
    member serves https on its client and peer URLs and accepts only clients (and peers) with a certificate of
    :attr:`ca`; :meth:`client_tls` issues one."""

    def __init__(self, size: int = 3, root: Path | None = None, *, token: str = "greencert-test",
                 tls: bool = False) -> None:
        if size < 1:
            raise ValueError(f"an etcd cluster needs at least one member, not {size}")
        binary = etcd_binary()
        if binary is None:
            raise RuntimeError(SKIP_REASON)
        self.binary = binary
        self._own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="greencert-etcd-")) if root is None else root
        self.token = token
        ports = _free_ports(2 * size)
        self.members = [
            Member(name=f"m{i}", client_port=ports[2 * i], peer_port=ports[2 * i + 1],
                   data_dir=self.root / f"m{i}" / "data", log_path=self.root / f"m{i}" / "etcd.log")
            for i in range(size)
        ]
        self.ca: CaFiles | None = None
        self._helper_tls: TlsFiles | None = None
        if tls:
            self.ca = make_ca(self.tls_dir / "ca", f"GreenCert test etcd CA {token}")
            for member in self.members:
                member.tls = issue_server_cert(self.ca, self.tls_dir / "members", member.name)
            self._helper_tls = self.client_tls(HELPER_CLIENT)
        self.started_in: float | None = None  # seconds from the first spawn to a healthy cluster

    # -- life cycle -----------------------------------------------------------------------------------------

    @property
    def client_urls(self) -> list[str]:
        return [m.client_url for m in self.members]

    @property
    def tls_dir(self) -> Path:
        return self.root / "tls"

    def client_tls(self, company: str) -> TlsFiles:
        """A client certificate of this cluster's CA for ``company`` (issued once, then the same files)."""
        if self.ca is None:
            raise RuntimeError("this etcd cluster runs without TLS (EtcdCluster(..., tls=True) to have one)")
        return issue_client_cert(self.ca, self.tls_dir / "clients", company)

    def _http(self) -> httpx.Client:
        """An httpx client for the helper's own requests to the members (with its client certificate on TLS)."""
        if self._helper_tls is None:
            return httpx.Client(timeout=1.0)
        return httpx.Client(timeout=1.0, verify=self._helper_tls.ssl_context())

    def _spawn(self, member: Member) -> None:
        # the member presents its own certificate to clients and peers (serverAuth and clientAuth: etcd 3.4's JSON
        # gateway also dials the member with it), and requires theirs to be of the CA
        flags = [] if member.tls is None else etcd_member_flags(member.tls)
        spawn(member, member_command(self.binary, member, self.members, self.token, flags))

    def start(self) -> EtcdCluster:
        began = time.monotonic()
        for member in self.members:
            self._spawn(member)
        try:
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - began
        return self

    def wait_healthy(self, members: list[Member] | None = None, timeout: float = START_TIMEOUT) -> None:
        """Until every member in ``members`` (default: every running member) answers ``/health`` with true."""
        with self._http() as http:
            wait_healthy(members or self.members, http, timeout)

    def leader(self) -> Member | None:
        """The member that currently leads (from ``/v3/maintenance/status``), or None when none answers."""
        with self._http() as http:
            for member in self.members:
                if not member.running:
                    continue
                try:
                    status = http.post(f"{member.client_url}/v3/maintenance/status", json={}).json()
                except (httpx.HTTPError, ValueError):
                    continue
                leader_id = status.get("leader")
                members = http.post(f"{member.client_url}/v3/cluster/member/list", json={}).json()
                for entry in members.get("members", []):
                    if entry.get("ID") == leader_id:
                        return next((m for m in self.members if m.name == entry.get("name")), None)
        return None

    # -- faults -----------------------------------------------------------------------------------------------

    def stop_member(self, index: int, *, kill: bool = False, grace: float = STOP_GRACE) -> None:
        """Stop member ``index`` (SIGTERM, then SIGKILL after ``grace``; ``kill=True``: SIGKILL at once)."""
        self._stop([self.members[index]], kill=kill, grace=grace)

    def restart_member(self, index: int, *, wait: bool = True) -> None:
        """Start member ``index`` again on its own data dir and ports; it rejoins the cluster."""
        member = self.members[index]
        if member.running:
            pid = member.process and member.process.pid
            raise RuntimeError(f"etcd member {member.name} is still running (pid {pid})")
        self._spawn(member)
        if wait:
            self.wait_healthy([member])

    @staticmethod
    def _stop(members: list[Member], *, kill: bool, grace: float) -> None:
        """One member at a time, in order: a member signalled while the others still hold quorum exits in
        milliseconds, whereas members signalled together lose quorum and each takes seconds."""
        for member in members:
            if not member.running:
                continue
            assert member.process is not None
            member.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                member.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                member.process.kill()
                member.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop every member this cluster started (followers first, the leader last), then remove its files."""
        leader = self.leader() if any(m.running for m in self.members) else None
        followers = [m for m in self.members if m is not leader]
        self._stop(followers + ([leader] if leader else []), kill=False, grace=STOP_GRACE)
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> EtcdCluster:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


@pytest.fixture(scope="module")
def etcd_cluster() -> Iterator[EtcdCluster]:
    """A 3-member cluster shared by one test module (tests that stop a member restart it before they end)."""
    if etcd_binary() is None:
        pytest.skip(SKIP_REASON)
    with EtcdCluster(3) as cluster:
        yield cluster
