"""``GET /v1/events``: server-sent events of new blocks, over a real loopback server (uvicorn on a thread), since
an in-process ASGI transport buffers whole responses and an event stream never ends."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from greencert.servers import BackgroundServer, free_port
from ledger.api import create_app
from ledger.node import Node
from tests.helpers.ledger_world import LedgerWorld, slot

BOUND_S = 10.0


@pytest.fixture
def server(ledger_node: Node) -> Iterator[BackgroundServer]:
    running = BackgroundServer(create_app(ledger_node), "127.0.0.1", free_port()).start()
    yield running
    running.stop()


def events(lines: Iterator[str], deadline: float) -> Iterator[tuple[str, dict[str, Any]]]:
    """Parse ``event:``/``data:`` blocks; comments (keep-alives) are skipped."""
    name, data = "message", ""
    for line in lines:
        assert time.monotonic() < deadline, "no event in time"
        if line.startswith(":"):
            continue
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data += line.removeprefix("data: ")
        elif line == "" and data:
            yield name, json.loads(data)
            name, data = "message", ""


def test_a_submit_produces_a_block_event(server: BackgroundServer, ledger_world: LedgerWorld,
                                         ledger_node: Node) -> None:
    deadline = time.monotonic() + BOUND_S
    with httpx.Client(base_url=server.url, timeout=httpx.Timeout(5.0)) as http, \
            http.stream("GET", "/v1/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = events(response.iter_lines(), deadline)
        name, status = next(stream)
        assert name == "status" and status["height"] == 0 and status["chain_id"] == "greencert-test"
        # The listener is registered before the status event is sent: this block cannot be missed.
        outcome = ledger_world.commit(ledger_node, ledger_world.generate(slot(2), 1_000))
        name, block = next(stream)
    assert name == "block"
    header = ledger_node.block(outcome["height"])["header"]
    assert block == {"height": outcome["height"], "hash": header["hash"], "tx_count": 1, "time": header["time"]}


def test_rejected_transactions_make_no_block_event(server: BackgroundServer, ledger_world: LedgerWorld,
                                                   ledger_node: Node) -> None:
    deadline = time.monotonic() + BOUND_S
    with httpx.Client(base_url=server.url, timeout=httpx.Timeout(5.0)) as http, \
            http.stream("GET", "/v1/events") as response:
        stream = events(response.iter_lines(), deadline)
        assert next(stream)[0] == "status"
        rejected = ledger_world.submit_wait(ledger_node, ledger_world.generate(slot(2), 10**9))
        assert rejected["code"] == "over_capacity"
        ledger_world.commit(ledger_node, ledger_world.generate(slot(3), 1_000))
        name, block = next(stream)
    # The first block event is the accepted one at height 1: the rejection produced no block.
    assert (name, block["height"], block["tx_count"]) == ("block", 1, 1)
