"""The lean audit route (``ledger.audit_answer``, issue 17): it is the one that answers, keeps only what cannot
change (a transaction with its proof, a block), and reads the record afresh, so that a revocation, a transfer or
a new head shows at the very next check."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ledger.api import create_app
from ledger.audit_answer import AuditAnswers
from ledger.node import Node
from ledger_lite import BlockHeader
from ledger_lite.light import verify_state
from tests.helpers.ledger_world import LedgerWorld, SyncASGITransport

PATH = "/v1/certificates/{}/audit"


@pytest.fixture
def app_and_client(ledger_node: Node) -> Iterator[tuple[Any, httpx.Client]]:
    app = create_app(ledger_node)
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://node") as http:
        yield app, http


def answers_of(app: Any) -> AuditAnswers:
    route = app.router.routes[0]
    assert route.path == "/v1/certificates/{certificate_id}/audit"
    found: AuditAnswers = route.endpoint.answers
    return found


def issued(world: LedgerWorld, node: Node, first: int = 0) -> str:
    assets = [world.allocated_asset(node, n, 10_000) for n in range(first, first + 2)]
    certificate_id: str = world.commit(node, world.issue(assets))["result"]["certificate_id"]
    return certificate_id


def test_the_lean_route_answers_and_keeps_the_final_parts(app_and_client: tuple[Any, httpx.Client],
                                                          ledger_world: LedgerWorld, ledger_node: Node) -> None:
    app, client = app_and_client
    cid = issued(ledger_world, ledger_node)
    first = client.get(PATH.format(cid))
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    assert first.headers["x-content-type-options"] == "nosniff"  # still behind the guard
    answers = answers_of(app)
    assert answers.txs.get(cid) is not None and len(answers.blocks) >= 1
    again = client.get(PATH.format(cid))
    assert again.json() == first.json() == {**ledger_node.certificate_audit(cid)}


def test_a_revocation_shows_at_the_next_check(app_and_client: tuple[Any, httpx.Client], ledger_world: LedgerWorld,
                                              ledger_node: Node) -> None:
    _, client = app_and_client
    cid = issued(ledger_world, ledger_node)
    before = client.get(PATH.format(cid)).json()
    assert before["revoked"] is None and before["state"]["value"]["revoked"] is None
    ledger_world.commit(ledger_node, ledger_world.revoke(cid, "meter misread"))
    after = client.get(PATH.format(cid)).json()
    assert after["revoked"]["reason"] == "meter misread"
    assert after["state"]["height"] == ledger_node.head.height > before["state"]["height"]
    assert after["head"]["header"]["height"] == ledger_node.head.height
    record = verify_state(after["state"], BlockHeader.from_json(after["head"]["header"]))
    assert record["revoked"]["reason"] == "meter misread"
    assert after["tx"] == before["tx"] and after["block"] == before["block"]  # the final parts, unchanged


def test_an_unknown_id_is_404_and_nothing_is_kept(app_and_client: tuple[Any, httpx.Client]) -> None:
    app, client = app_and_client
    response = client.get(PATH.format("0" * 64))
    assert response.status_code == 404
    assert response.json() == {"error": "unknown_certificate", "message": "expected the id of a committed issuance, "
                                                                          f"found no committed transaction {'0' * 64}"}
    assert len(answers_of(app).txs) == 0


def test_a_bad_id_is_400_saying_what_was_expected(app_and_client: tuple[Any, httpx.Client]) -> None:
    _, client = app_and_client
    response = client.get(PATH.format("A" * 64))
    assert response.status_code == 400
    assert response.json() == {"error": "bad_request",
                               "message": "path.certificate_id: String should match pattern '^[0-9a-f]{64}$'"}


def test_what_is_kept_is_bounded(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    answers = AuditAnswers(ledger_node, kept=2)
    ids = [issued(ledger_world, ledger_node, 10 * n) for n in range(3)]
    for cid in ids:
        answers.answer(cid)
    assert len(answers.txs) == 2 and answers.txs.get(ids[0]) is None
    assert len(answers.blocks) <= 2


def test_a_busy_state_lock_is_never_waited_for_on_the_event_loop(ledger_world: LedgerWorld,
                                                                  ledger_node: Node) -> None:
    answers = AuditAnswers(ledger_node)
    cid = issued(ledger_world, ledger_node)
    whole = answers.answer(cid)
    assert answers.at_once(cid) == whole  # the parts kept, the lock free: at once, the same answer
    held, release = threading.Event(), threading.Event()

    def commit_in_progress() -> None:
        with ledger_node._lock:
            held.set()
            release.wait(30)

    holder = threading.Thread(target=commit_in_progress)
    holder.start()
    try:
        assert held.wait(30)
        assert answers.at_once(cid) is None  # left to a worker thread, which waits for the lock
    finally:
        release.set()
        holder.join()
    assert answers.at_once(cid) == whole
