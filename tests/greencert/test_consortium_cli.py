"""``greencert consortium up`` / ``node --consortium`` / ``demo --validators``: the layout (keys, certificates,
configurations, owner-only), plain errors for a bad configuration, and the whole demo on a consortium of real
node processes and etcd members, still issuing and verifying with one validator killed."""

from __future__ import annotations

import os
import stat
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from backend_client import IntermediaryClient
from greencert.cli import main
from greencert.consortium import ConsortiumError, FileClock, NodeConfig, prepare
from greencert.demo import start_demo
from greencert.servers import free_port_range
from greencert.verify import verify
from greencert.world import load_world
from ledger.genesis import Genesis
from tests.helpers.etcd_cluster import requires_etcd


def free_range(count: int) -> int:
    return free_port_range(count)


def test_a_layout_is_owner_only_and_reused(tmp_path: Path) -> None:
    root = tmp_path / "consortium"
    layout = prepare(root, load_world(root), 3, 1_790_812_800, node_port=free_range(3))
    assert len(layout.genesis.validators()) == 3 and len(layout.configs) == 3
    for path in [*root.joinpath("keys").iterdir(), *root.joinpath("tls").rglob("*.key"), *layout.configs]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in (root, root / "keys", root / "tls" / "ca", root / "nodes" / "v1"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    config = NodeConfig.load(layout.configs[1])
    assert config.node_id == "v2" and config.etcd.tls is not None and config.etcd.tls.cert.name == "v2.crt"
    assert len(config.peers) == 2 and config.url not in config.peers
    assert config.etcd.endpoints[0].startswith("https://127.0.0.1:")
    assert config.cache_mb is None  # the default caches
    sized = replace(config, cache_mb=500)
    sized.save(tmp_path / "sized.toml")
    assert NodeConfig.load(tmp_path / "sized.toml").cache_mb == 500
    # again: the same chain, keys and certificates
    again = prepare(root, load_world(root), 3, 1_790_812_800, node_port=NodeConfig.load(layout.configs[0]).port)
    assert again.genesis == Genesis.load(root / "genesis.json") == layout.genesis
    with pytest.raises(ConsortiumError, match="holds a consortium of 3 validators, expected 4"):
        prepare(root, load_world(root), 4, 1_790_812_800)
    with pytest.raises(ConsortiumError, match="expected 1 to 9, found 0"):
        prepare(tmp_path / "none", load_world(tmp_path / "none"), 0, 1_790_812_800)


@pytest.mark.parametrize(("text", "message"), [
    (None, "found no file"),
    ("node_id = ", "expected TOML"),
    ('node_id = "v1"\n', r"expected an \[etcd\] table"),
    ('node_id = "v1"\n[etcd]\nendpoints = []\n', "expected etcd.endpoints as a non-empty list"),
    ('node_id = "v1"\ndata_dir = "."\ngenesis = "g"\nkey = "k"\n[etcd]\nendpoints = ["https://a:1"]\nca = "ca"\n',
     "expected etcd.ca, etcd.cert and etcd.key together"),
    ('node_id = 7\ndata_dir = "."\ngenesis = "g"\nkey = "k"\n[etcd]\nendpoints = ["http://a:1"]\n',
     "expected node_id as str, found 7"),
    ('node_id = "v1"\ndata_dir = "."\ngenesis = "g"\nkey = "k"\ncache_mb = "a lot"\n[etcd]\nendpoints = ["http://a:1"]\n',
     "expected cache_mb as int, found 'a lot'"),
    ('node_id = "v1"\ndata_dir = "."\ngenesis = "g"\nkey = "k"\ncache_mb = 8\n[etcd]\nendpoints = ["http://a:1"]\n',
     r"cache_mb: expected a cache of at least 16 MB \(a whole number\), found 8"),
])
def test_a_bad_node_configuration_is_refused_plainly(tmp_path: Path, text: str | None, message: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(ConsortiumError, match=message):
        NodeConfig.load(path)
    assert main(["node", "--consortium", str(path)]) == 2
    assert "greencert node:" in capsys.readouterr().err


def test_a_solo_node_still_needs_its_three_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["node", "--data-dir", "x"]) == 2
    assert "expected --genesis, --key (a solo node), or --consortium CONFIG" in capsys.readouterr().err


def test_the_file_clock_is_the_simulated_time_while_the_file_exists(tmp_path: Path) -> None:
    clock = FileClock(tmp_path / "clock")
    assert abs(clock() - int(__import__("time").time())) <= 2
    (tmp_path / "clock").write_text("1790812800\n")
    assert clock() == 1_790_812_800
    (tmp_path / "clock").write_text("half past")
    assert abs(clock() - int(__import__("time").time())) <= 2  # not a number: the wall clock, never a crash


@pytest.mark.etcd
@requires_etcd()
def test_the_demo_on_a_consortium_issues_and_verifies_with_a_validator_killed(tmp_path: Path) -> None:
    base = free_range(9)  # nodes, etcd clients, etcd peers
    demo = start_demo(tmp_path / "demo", port=0, node_port=base, days=2, validators=3, etcd_port=base + 3,
                      etcd_peer_port=base + 6, progress=lambda _: None)
    pids = []
    try:
        assert demo.consortium is not None and len(demo.node_urls) == 3
        pids = [p.pid for p in demo.consortium.nodes.values()] + \
            [m.process.pid for m in demo.consortium.layout.etcd.members if m.process is not None]
        assert not (tmp_path / "demo" / "clock").exists()  # the replay's simulated time is over
        with IntermediaryClient(demo.url, timeout=30) as client:
            session = client.login("demo", "demo")
            (sample,) = client.certificates(session)  # the one the demo issued while all 3 validators were up
            first = client.certificate(session, sample.certificate_id)["payload"]
            rows = [r for r in client.eligible_transactions(session) if not r.issued]
            demo.consortium.stop_node("v1", kill=True)  # the node the clients prefer: they fail over
            second = client.issue_certificate(session, [rows[0].item_id], "jp-green-council", uuid.uuid4().hex)
        for payload in (first, second.payload):
            report = verify(payload, node_url=demo.node_url, offline=False, trust_cache=tmp_path / "t.json")
            assert report.verdict == "genuine", report
    finally:
        demo.stop()
    for pid in pids:  # every process it started is gone
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.etcd
@requires_etcd()
def test_consortium_up_as_a_user_runs_it(tmp_path: Path) -> None:
    import re
    import subprocess
    import sys
    import time

    import httpx

    base = free_range(9)
    proc = subprocess.Popen([sys.executable, "-m", "greencert", "consortium", "up", "--validators", "4", "--dir",
                             str(tmp_path / "c"), "--node-port", str(base), "--etcd-port", str(base + 4),
                             "--etcd-peer-port", str(base + 7)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 90
        while not any(line.startswith("Serving until") for line in lines) and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        urls = [m.group(1) for line in lines if (m := re.match(r"Ledger node v\d: (\S+)/v1", line))]
        assert len(urls) == 4, "".join(lines)
        statuses = [httpx.get(f"{u}/v1/status").json() for u in urls]
        assert {s["node_id"] for s in statuses} == {"v1", "v2", "v3", "v4"}
        assert all(s["ordering"] == "consortium" and s["quorum"] == 3 and len(s["validators"]) == 4
                   for s in statuses)
        children = [int(p) for p in subprocess.run(["pgrep", "-f", str(tmp_path / "c")], capture_output=True,
                                                   text=True).stdout.split() if int(p) != proc.pid]
        assert len(children) >= 7  # 3 etcd members and 4 nodes
    finally:
        proc.terminate()
        proc.wait(60)
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == 0
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-f", str(tmp_path / "c")], capture_output=True, text=True).stdout.split()
    assert left == [], f"processes left behind: {left}"


def test_a_consortium_configuration_file_gives_the_defaults(tmp_path: Path) -> None:
    from greencert.consortium import UpConfig

    path = tmp_path / "consortium.toml"
    path.write_text('validators = 5\ndir = "state"\nnode_port = 9711\n')
    config = UpConfig.load(path)
    assert (config.validators, config.dir, config.node_port, config.etcd_port) == (5, tmp_path / "state", 9711, 8721)
    for text, message in (("validators = true\n", "expected validators as an integer"),
                          ("ports = 1\n", "expected only dir, etcd_peer_port, etcd_port, node_port, validators"),
                          ("dir = 3\n", "expected dir as a path"), ("validators = \n", "expected TOML")):
        path.write_text(text)
        with pytest.raises(ConsortiumError, match=message):
            UpConfig.load(path)
    assert main(["consortium", "up", "--config", str(tmp_path / "missing.toml")]) == 2
