"""Run a small etcd cluster on this machine for a consortium on loopback (``greencert consortium up``): each member
its own process and data directory, TLS on client and peer URLs with certificates of the consortium's CA, stopped
by the PIDs this module started (never anything else).

Debian's ``etcd-server`` is etcd 3.4; its system service is never used here. A member whose data directory holds
a member already rejoins its cluster (``--initial-cluster-state`` is then ignored), so ``up`` after a stop resumes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx

from ledger.consortium.tls import CaFiles, TlsFiles, etcd_member_flags, issue_client_cert, issue_server_cert

START_TIMEOUT_S = 20.0
STOP_GRACE_S = 1.5  # a member left without its peers can take seconds; its log is fsynced, so SIGKILL is safe


class EtcdStartError(Exception):
    """etcd is missing, or a member did not become healthy (its log's tail is in the message)."""


@dataclass
class EtcdMember:
    name: str
    client_port: int
    peer_port: int
    data_dir: Path
    log_path: Path
    tls: TlsFiles
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def client_url(self) -> str:
        return f"https://127.0.0.1:{self.client_port}"

    @property
    def peer_url(self) -> str:
        return f"https://127.0.0.1:{self.peer_port}"


class Member(Protocol):
    """What the functions below need of a member: :class:`EtcdMember` here, and the test suite's own cluster."""

    name: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] | None

    @property
    def client_url(self) -> str: ...

    @property
    def peer_url(self) -> str: ...


def member_command(binary: str, member: Member, cluster: Sequence[Member], token: str,
                   extra: Sequence[str] = ()) -> list[str]:
    """The etcd command line of ``member`` in ``cluster`` (``--initial-cluster-state new`` is ignored once the data
    dir holds a member, so the same line restarts it)."""
    return [binary, "--name", member.name, "--data-dir", str(member.data_dir),
            "--listen-client-urls", member.client_url, "--advertise-client-urls", member.client_url,
            "--listen-peer-urls", member.peer_url, "--initial-advertise-peer-urls", member.peer_url,
            "--initial-cluster", ",".join(f"{m.name}={m.peer_url}" for m in cluster),
            "--initial-cluster-token", token, "--initial-cluster-state", "new",
            "--heartbeat-interval", "50", "--election-timeout", "500",
            "--logger", "zap", "--log-outputs", "stderr", *extra]


def spawn(member: Member, command: Sequence[str]) -> None:
    """Start ``member`` in its own session, its output appended to its log, with no stray ETCD_* configuration."""
    member.data_dir.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETCD")}
    with open(member.log_path, "ab") as log:
        member.process = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, env=env, start_new_session=True)


def log_tail(member: Member, lines: int = 15) -> str:
    try:
        return "\n".join(member.log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_healthy(members: Sequence[Member], http: httpx.Client, timeout: float = START_TIMEOUT_S) -> None:
    """Until every running member of ``members`` answers ``/health`` with true; :class:`EtcdStartError` (with the
    end of its log) when one exits or the time is up."""
    waiting = [m for m in members if m.process is not None and m.process.poll() is None]
    deadline = time.monotonic() + timeout
    while waiting:
        for m in list(waiting):
            if m.process is not None and m.process.poll() is not None:
                raise EtcdStartError(f"etcd member {m.name} exited with {m.process.returncode}; the end of "
                                     f"its log {m.log_path}:\n{log_tail(m)}")
            try:
                answer = http.get(f"{m.client_url}/health")
                if answer.status_code == 200 and answer.json().get("health") == "true":
                    waiting.remove(m)
            except (httpx.HTTPError, ValueError):
                pass
        if waiting and time.monotonic() > deadline:
            raise EtcdStartError(f"etcd members {[m.name for m in waiting]} not healthy after {timeout} s; "
                                 + "; ".join(f"{m.name}: {log_tail(m, 3)}" for m in waiting))
        if waiting:
            time.sleep(0.05)


class EtcdMembers:
    def __init__(self, root: Path, ca: CaFiles, client_ports: list[int], peer_ports: list[int], *,
                 token: str = "greencert-consortium") -> None:
        binary = shutil.which("etcd")
        if binary is None:
            raise EtcdStartError("etcd is not installed: expected the `etcd` command (Debian: apt-get install "
                                 "etcd-server; scripts/bootstrap.sh setup installs it)")
        self.binary = binary
        self.root = root
        self.token = token
        self.members = [EtcdMember(f"etcd{i + 1}", c, p, root / f"etcd{i + 1}", root / f"etcd{i + 1}.log",
                                   issue_server_cert(ca, root.parent / "tls" / "etcd", f"etcd{i + 1}"))
                        for i, (c, p) in enumerate(zip(client_ports, peer_ports, strict=True))]
        self._probe = issue_client_cert(ca, root.parent / "tls" / "clients", "consortium-up")

    @property
    def client_urls(self) -> list[str]:
        return [m.client_url for m in self.members]

    def start_member(self, m: EtcdMember) -> None:
        # the order's keys are written once and read at the current revision: old revisions may go
        spawn(m, member_command(self.binary, m, self.members, self.token,
                                ["--auto-compaction-mode", "periodic", "--auto-compaction-retention", "1h",
                                 *etcd_member_flags(m.tls)]))

    def start(self) -> EtcdMembers:
        for m in self.members:
            self.start_member(m)
        try:
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_healthy(self, timeout: float = START_TIMEOUT_S) -> None:
        with httpx.Client(timeout=1.0, verify=self._probe.ssl_context()) as http:
            wait_healthy(self.members, http, timeout)

    def stop_member(self, m: EtcdMember, *, kill: bool = False) -> None:
        process = m.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self) -> None:
        for m in self.members:  # TERM to all first: a member that lost its peers takes seconds on its own
            if m.process is not None and m.process.poll() is None:
                m.process.send_signal(signal.SIGTERM)
        for m in self.members:
            self.stop_member(m)


__all__ = ["EtcdMember", "EtcdMembers", "EtcdStartError", "Member", "log_tail", "member_command", "spawn",
           "wait_healthy"]
