"""A consortium on this machine (``greencert consortium up``) and one company's node of it
(``greencert node --consortium CONFIG``).

``prepare`` lays out a state directory once and reuses it on every later start::

    keys/                 every key, random, owner-only: validator-v1.key … and the demo world's keys
    genesis.json          the chain: the demo registry with the N validators
    tls/                  the consortium CA, each etcd member's and each node's certificate (owner-only)
    etcd/etcd1..3/        the etcd members' data directories (and their logs)
    nodes/v1/config.toml  node v1's configuration, its SQLite store, its log and any evidence it kept
    consortium.json       where everything listens

A node's configuration (TOML; relative paths are relative to the file)::

    node_id = "v1"
    data_dir = "."
    genesis = "../../genesis.json"
    key = "../../keys/validator-v1.key"
    host = "127.0.0.1"
    port = 8711
    peers = ["http://127.0.0.1:8712", …]    # the other validators' APIs, for catch-up
    clock_file = "../../clock"              # optional: a demo's simulated time (an integer in a file)
    cache_mb = 650                          # optional: memory for the state caches (ledger/cache_sizes.py)
    [etcd]
    endpoints = ["https://127.0.0.1:8721", …]
    ca = "../../tls/ca/ca.crt"
    cert = "../../tls/nodes/v1.crt"
    key = "../../tls/nodes/v1.key"
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from greencert.etcd_members import EtcdMembers
from greencert.keystore import load_or_create, private_dir
from ledger.cache_sizes import CacheSizeError, CacheSizes
from ledger.consortium.tls import TlsFiles, issue_client_cert, make_ca
from ledger.genesis import Genesis
from ledger_lite import SigningKey

if TYPE_CHECKING:
    from greencert.world import World

NODE_BASE_PORT = 8711
ETCD_CLIENT_BASE_PORT = 8721
ETCD_PEER_BASE_PORT = 8731
ETCD_MEMBERS = 3
MAX_VALIDATORS = 9
START_TIMEOUT_S = 60.0


class ConsortiumError(Exception):
    """A configuration that cannot be used, or a consortium that did not start (says what and where)."""


# --- one node's configuration --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EtcdSettings:
    endpoints: list[str]
    tls: TlsFiles | None


@dataclass(frozen=True)
class NodeConfig:
    node_id: str
    data_dir: Path
    genesis: Path
    key: Path
    etcd: EtcdSettings
    host: str = "127.0.0.1"
    port: int = NODE_BASE_PORT
    peers: list[str] = field(default_factory=list)
    clock_file: Path | None = None
    cache_mb: int | None = None  # memory for the node's state caches (``ledger.cache_sizes``); None: the default

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @classmethod
    def load(cls, path: Path) -> NodeConfig:
        try:
            raw = tomllib.loads(path.read_text())
        except FileNotFoundError:
            raise ConsortiumError(f"expected a node configuration at {path}, found no file") from None
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConsortiumError(f"{path}: expected TOML, {e}") from None
        base = path.parent

        def need(table: dict[str, Any], name: str, kind: type, where: str = "") -> Any:
            value = table.get(name)
            if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
                raise ConsortiumError(f"{path}: expected {where}{name} as {kind.__name__}, found {value!r}")
            return value

        def file(value: str) -> Path:
            return (base / value).resolve()

        etcd = raw.get("etcd")
        if not isinstance(etcd, dict):
            raise ConsortiumError(f"{path}: expected an [etcd] table with endpoints (and ca, cert, key for TLS)")
        endpoints = need(etcd, "endpoints", list, "etcd.")
        if not endpoints or not all(isinstance(e, str) for e in endpoints):
            raise ConsortiumError(f"{path}: expected etcd.endpoints as a non-empty list of URLs, found {endpoints!r}")
        tls_parts = [etcd.get(k) for k in ("ca", "cert", "key")]
        if any(p is not None for p in tls_parts):
            if not all(isinstance(p, str) for p in tls_parts):
                raise ConsortiumError(f"{path}: expected etcd.ca, etcd.cert and etcd.key together, found {tls_parts}")
            tls: TlsFiles | None = TlsFiles(*(file(str(p)) for p in tls_parts))
        else:
            tls = None
        peers = raw.get("peers", [])
        if not isinstance(peers, list) or not all(isinstance(p, str) for p in peers):
            raise ConsortiumError(f"{path}: expected peers as a list of URLs, found {peers!r}")
        clock = raw.get("clock_file")
        cache_mb = need(raw, "cache_mb", int) if "cache_mb" in raw else None
        try:
            CacheSizes.of(cache_mb)
        except CacheSizeError as e:
            raise ConsortiumError(f"{path}: cache_mb: {e}") from None
        return cls(node_id=need(raw, "node_id", str), data_dir=file(need(raw, "data_dir", str)),
                   genesis=file(need(raw, "genesis", str)), key=file(need(raw, "key", str)),
                   etcd=EtcdSettings(list(endpoints), tls), host=str(raw.get("host", "127.0.0.1")),
                   port=need(raw, "port", int) if "port" in raw else NODE_BASE_PORT, peers=list(peers),
                   clock_file=file(clock) if isinstance(clock, str) else None, cache_mb=cache_mb)

    def save(self, path: Path) -> None:
        def rel(p: Path) -> str:
            return json.dumps(str(Path(_relative(p, path.parent))))

        lines = [f"node_id = {json.dumps(self.node_id)}", f"data_dir = {rel(self.data_dir)}",
                 f"genesis = {rel(self.genesis)}", f"key = {rel(self.key)}", f"host = {json.dumps(self.host)}",
                 f"port = {self.port}", f"peers = {json.dumps(self.peers)}"]
        if self.clock_file is not None:
            lines.append(f"clock_file = {rel(self.clock_file)}")
        if self.cache_mb is not None:
            lines.append(f"cache_mb = {self.cache_mb}")
        lines += ["", "[etcd]", f"endpoints = {json.dumps(self.etcd.endpoints)}"]
        if self.etcd.tls is not None:
            lines += [f"ca = {rel(self.etcd.tls.ca)}", f"cert = {rel(self.etcd.tls.cert)}",
                      f"key = {rel(self.etcd.tls.key)}"]
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o600)


def _relative(target: Path, base: Path) -> str:
    import os

    return os.path.relpath(target.resolve(), base.resolve())


@dataclass(frozen=True)
class UpConfig:
    """``greencert consortium up --config FILE``: the consortium to run, as TOML (every key optional)::

        validators = 4
        dir = "~/greencert-consortium"      # relative paths are relative to the file
        node_port = 8711                     # the first node's; the others follow
        etcd_port = 8721                     # the first etcd member's client port
        etcd_peer_port = 8731
    """

    validators: int = 4
    dir: Path | None = None
    node_port: int = NODE_BASE_PORT
    etcd_port: int = ETCD_CLIENT_BASE_PORT
    etcd_peer_port: int = ETCD_PEER_BASE_PORT

    @classmethod
    def load(cls, path: Path) -> UpConfig:
        try:
            raw = tomllib.loads(path.read_text())
        except FileNotFoundError:
            raise ConsortiumError(f"expected a consortium configuration at {path}, found no file") from None
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConsortiumError(f"{path}: expected TOML, {e}") from None
        known = {"validators", "dir", "node_port", "etcd_port", "etcd_peer_port"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConsortiumError(f"{path}: expected only {', '.join(sorted(known))}, found {unknown[0]!r}")
        for name in known - {"dir"}:
            if name in raw and (isinstance(raw[name], bool) or not isinstance(raw[name], int)):
                raise ConsortiumError(f"{path}: expected {name} as an integer, found {raw[name]!r}")
        if "dir" in raw and not isinstance(raw["dir"], str):
            raise ConsortiumError(f"{path}: expected dir as a path, found {raw['dir']!r}")
        where = (path.parent / Path(raw["dir"]).expanduser()) if "dir" in raw else None
        return cls(validators=raw.get("validators", 4), dir=where, node_port=raw.get("node_port", NODE_BASE_PORT),
                   etcd_port=raw.get("etcd_port", ETCD_CLIENT_BASE_PORT),
                   etcd_peer_port=raw.get("etcd_peer_port", ETCD_PEER_BASE_PORT))


class FileClock:
    """The node's clock: an integer of Unix seconds in ``path`` while the file exists (a demo replaying past
    days), else the wall clock. The file is the operator's own (owner-only directory); nothing on the network
    sets it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> int:
        try:
            return int(self.path.read_text().strip())
        except (FileNotFoundError, ValueError):
            return int(time.time())


# --- one node ------------------------------------------------------------------------------------------------


def run_node(config: NodeConfig, *, out: Callable[[str], None] = print) -> int:
    """Serve ``config``'s node until SIGTERM or Ctrl-C; 2 with a plain message when it cannot start."""
    from greencert.keystore import KeyFileError, load
    from greencert.servers import BackgroundServer, PortInUse, bind
    from ledger.api import create_app
    from ledger.consortium.node import open_consortium_node
    from ledger.consortium.order import EtcdOrdering
    from ledger.errors import Error as LedgerError
    from ledger.etcd import EtcdClient
    from ledger.node import tune_serving_process, wall_clock

    try:
        listening = bind(config.host, config.port)
    except PortInUse as e:
        print(f"greencert node: {e.strerror} (port {config.port} of node {config.node_id}).", file=sys.stderr)
        return 2
    client = None
    try:
        genesis = Genesis.load(config.genesis)
        key = load(config.key)
        client = EtcdClient(config.etcd.endpoints, tls=config.etcd.tls)
        ordering = EtcdOrdering(client, genesis.chain_id, config.node_id)
        clock = FileClock(config.clock_file) if config.clock_file is not None else wall_clock
        node = open_consortium_node(config.data_dir, genesis, key, ordering, clock=clock, peers=config.peers,
                                    caches=CacheSizes.of(config.cache_mb))
    except (LedgerError, KeyFileError, ValueError, OSError) as e:
        listening.close()
        if client is not None:
            client.close()
        print(f"greencert node {config.node_id}: {getattr(e, 'message', e)}", file=sys.stderr)
        return 2
    tune_serving_process()
    node.start(warm=True)
    server = BackgroundServer(create_app(node), config.host, config.port, sock=listening).start()
    role = "validator" if key.public.raw in {v.raw for v in node.validators} else "observer (not a validator)"
    out(f"Ledger node {config.node_id} ({role}): {server.url}/v1  (chain {genesis.chain_id}, final height "
        f"{node.head.height}, etcd {', '.join(config.etcd.endpoints)})")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.stop()
    node.close()
    client.close()
    return 0


# --- a consortium on this machine -----------------------------------------------------------------------------


@dataclass
class Layout:
    root: Path
    configs: list[Path]
    etcd: EtcdMembers
    genesis: Genesis

    @property
    def node_urls(self) -> list[str]:
        return [NodeConfig.load(c).url for c in self.configs]


def validator_keys(keys_dir: Path, count: int) -> list[SigningKey]:
    return [load_or_create(keys_dir / f"validator-v{i}.key") for i in range(1, count + 1)]


def prepare(root: Path, world: World, validators: int, start: int, *, node_port: int = NODE_BASE_PORT,
            etcd_client_port: int = ETCD_CLIENT_BASE_PORT, etcd_peer_port: int = ETCD_PEER_BASE_PORT,
            clock_file: Path | None = None) -> Layout:
    """Lay out (or reuse) a consortium of ``validators`` nodes and 3 etcd members in ``root``."""
    if not 1 <= validators <= MAX_VALIDATORS:
        raise ConsortiumError(f"--validators: expected 1 to {MAX_VALIDATORS}, found {validators}")
    private_dir(root)
    keys = validator_keys(root / "keys", validators)
    genesis_path = root / "genesis.json"
    if genesis_path.exists():
        genesis = Genesis.load(genesis_path)
        named = sorted(v.raw for v in genesis.validators())
        if named != sorted(k.public.raw for k in keys):
            raise ConsortiumError(f"{root} holds a consortium of {len(named)} validators, expected {validators}: "
                                  f"start it with --validators {len(named)}, or choose another directory")
    else:
        from greencert.world import genesis_of  # the demo registry (imports the intermediary's models)

        genesis = genesis_of(world, start, validators=keys)
        genesis.save(genesis_path)
    ca = make_ca(root / "tls" / "ca", f"GreenCert consortium {genesis.chain_id}")
    etcd = EtcdMembers(root / "etcd", ca, [etcd_client_port + i for i in range(ETCD_MEMBERS)],
                       [etcd_peer_port + i for i in range(ETCD_MEMBERS)])
    urls = [f"http://127.0.0.1:{node_port + i}" for i in range(validators)]
    configs = []
    for i in range(1, validators + 1):
        node_dir = private_dir(root / "nodes" / f"v{i}")
        tls = issue_client_cert(ca, root / "tls" / "nodes", f"v{i}")
        config = NodeConfig(node_id=f"v{i}", data_dir=node_dir, genesis=genesis_path,
                            key=root / "keys" / f"validator-v{i}.key", etcd=EtcdSettings(etcd.client_urls, tls),
                            port=node_port + i - 1, peers=[u for j, u in enumerate(urls) if j != i - 1],
                            clock_file=clock_file)
        config.save(node_dir / "config.toml")
        configs.append(node_dir / "config.toml")
    return Layout(root, configs, etcd, genesis)


class Consortium:
    """The etcd members and validator node processes of a ``Layout``, started and stopped together (only the
    processes started here are signalled, by PID)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.nodes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, *, out: Callable[[str], None] = print) -> Consortium:
        try:
            out(f"Starting {len(self.layout.etcd.members)} etcd members (TLS, client certificates) …")
            self.layout.etcd.start()
            for config in self.layout.configs:
                self.start_node(config)
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        (self.layout.root / "consortium.json").write_text(json.dumps(
            {"chain_id": self.layout.genesis.chain_id, "nodes": self.layout.node_urls,
             "etcd": self.layout.etcd.client_urls}, indent=2))
        return self

    def start_node(self, config: Path) -> None:
        node_id = NodeConfig.load(config).node_id
        with open(config.parent / "node.log", "ab") as log:
            self.nodes[node_id] = subprocess.Popen(
                [sys.executable, "-m", "greencert", "node", "--consortium", str(config)], stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        configs = {NodeConfig.load(c).node_id: (c, NodeConfig.load(c).url) for c in self.layout.configs}
        waiting = {n for n in self.nodes if self.nodes[n].poll() is None}
        with httpx.Client(timeout=1.0) as http:
            while waiting:
                for node_id in sorted(waiting):
                    config, url = configs[node_id]
                    if self.nodes[node_id].poll() is not None:
                        log = (config.parent / "node.log").read_text(errors="replace").splitlines()[-8:]
                        raise ConsortiumError(f"node {node_id} exited with {self.nodes[node_id].returncode}: "
                                              + "\n".join(log))
                    with contextlib.suppress(httpx.HTTPError):
                        if http.get(f"{url}/v1/status").status_code == 200:
                            waiting.discard(node_id)
                if waiting and time.monotonic() > deadline:
                    raise ConsortiumError(f"nodes {sorted(waiting)} did not answer within {timeout} s (logs in "
                                          f"{self.layout.root / 'nodes'}/*/node.log)")
                if waiting:
                    time.sleep(0.1)

    def stop_node(self, node_id: str, *, kill: bool = False) -> None:
        process = self.nodes.get(node_id)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self) -> None:
        for process in self.nodes.values():  # all at once: each takes about a second to close its store
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for node_id in list(self.nodes):
            self.stop_node(node_id)
        self.layout.etcd.stop()


__all__ = ["Consortium", "ConsortiumError", "FileClock", "Layout", "NodeConfig", "UpConfig", "prepare", "run_node"]
