"""``greencert governance list|approve|reject`` as a real process against a real node (issue 15): the operator
sees what waits, approves one proposal (the registry changes) and rejects another with a reason; bad input is one
line and exit 2 and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_client.node import GovernanceClient, sign_proposal
from greencert.servers import BackgroundServer, free_port
from ledger.api import create_app
from ledger.node import Node
from ledger_lite import SigningKey
from tests.helpers.greencert_cli import greencert, key_file
from tests.helpers.ledger_world import CHAIN_ID, SOLAR_CAPACITY_W, LedgerWorld


@pytest.fixture
def world() -> LedgerWorld:
    return LedgerWorld()


@pytest.fixture
def node(tmp_path: Path, world: LedgerWorld) -> Iterator[Node]:
    running = world.open_node(tmp_path / "node")
    yield running
    running.close()


@pytest.fixture
def url(node: Node) -> Iterator[str]:
    server = BackgroundServer(create_app(node), "127.0.0.1", free_port()).start()
    yield server.url
    server.stop()


def propose_binding(world: LedgerWorld, url: str, to: SigningKey) -> str:
    """Da proposes that the solar meter report to ``to``: not its own binding, so it waits for the operator."""
    entry = world.registry_entry(world.meter, "meter", "Smart meter of Aa", provider="Aa", method="solar",
                                 capacity_w=SOLAR_CAPACITY_W, intermediary=to.address)
    with GovernanceClient(url, chain_id=CHAIN_ID) as client:
        record = client.propose(sign_proposal(world.intermediary, CHAIN_ID, set_entries=[entry]))
    assert record["state"] == "waiting"
    return str(record["id"])


def test_list_approve_and_reject(world: LedgerWorld, node: Node, url: str, tmp_path: Path) -> None:
    first = propose_binding(world, url, world.intermediary2)
    key = key_file(tmp_path / "validator.key", world.validator)
    listed = greencert("governance", "list", "--node", url, "--key", key, "--state", "waiting")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith(f"{first} waiting: by intermediary {world.intermediary.address}: set meter "
                                    f"'Smart meter of Aa' capacity_w=50000, intermediary={world.intermediary2.address}")
    approved = greencert("governance", "approve", first, "--node", url, "--key", key)
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.startswith(f"{first} registered: ") and "(block 1)" in approved.stdout
    meter = next(e for e in node.registry() if e["address"] == world.meter.address)
    assert meter["attrs"]["intermediary"] == world.intermediary2.address

    second = propose_binding(world, url, world.intermediary2)
    rejected = greencert("governance", "reject", second, "--reason", "契約がありません", "--node", url, "--key", key)
    assert rejected.returncode == 0, rejected.stderr
    assert rejected.stdout.strip().endswith("— rejected by the operator: 契約がありません")
    as_json = greencert("governance", "list", "--node", url, "--key", key, "--json")
    states = {p["id"]: p["state"] for p in json.loads(as_json.stdout)}
    assert states == {first: "registered", second: "refused"}
    assert greencert("governance", "list", "--node", url, "--key", key, "--state", "waiting").stdout \
        == "no proposals waiting\n"


def test_bad_input_is_one_line_and_changes_nothing(world: LedgerWorld, node: Node, url: str, tmp_path: Path) -> None:
    waiting = propose_binding(world, url, world.intermediary2)
    not_operator = key_file(tmp_path / "intermediary.key", world.intermediary)
    refused = greencert("governance", "approve", waiting, "--node", url, "--key", not_operator)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == (f"greencert governance approve: the node refused it (forbidden): expected a request "
                              f"signed by a validator key this node holds (its operator's), found "
                              f"{world.intermediary.address}\n")
    bad_id = greencert("governance", "approve", "xyz", "--node", url, "--key", not_operator)
    assert (bad_id.returncode, bad_id.stderr) == (2, "greencert governance approve: expected a proposal id of 64 "
                                                     "lower-case hex characters, found 'xyz'\n")
    no_key = greencert("governance", "reject", waiting, "--reason", "x", "--node", url, "--key",
                       str(tmp_path / "missing.key"))
    assert no_key.returncode == 2 and "expected a key file at" in no_key.stderr
    assert node.head.height == 0
    down = greencert("governance", "list", "--node", f"http://127.0.0.1:{free_port()}", "--key", not_operator)
    assert down.returncode == 1 and down.stderr.startswith("greencert governance list: cannot ask the ledger node")
