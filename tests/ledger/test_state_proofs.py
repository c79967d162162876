"""``GET /v1/state/{key}?prove=true``: membership and non-membership proofs against a validator-signed
header, checked with ``ledger_lite`` alone."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest

from backend_client import NodeClient
from ledger.api import create_app
from ledger.node import Node
from ledger_lite import BlockHeader, Commit, VerificationError, verify_commit
from ledger_lite.light import verify_state
from ledger_lite.smt_proof import SmtProof
from tests.helpers.ledger_world import LedgerWorld, SyncASGITransport, slot


@pytest.fixture
def client(ledger_node: Node) -> Iterator[NodeClient]:
    node_client = NodeClient("http://node", transport=SyncASGITransport(create_app(ledger_node)))
    yield node_client
    node_client.close()


def final_header(client: NodeClient, height: int, world: LedgerWorld) -> BlockHeader:
    block = client.block(height)
    header = BlockHeader.from_json(block["header"])
    verify_commit(header, Commit.from_json(block["commit"]), [world.validator.public])
    return header


def test_present_value_is_proven(client: NodeClient, ledger_world: LedgerWorld, ledger_node: Node) -> None:
    outcome = ledger_world.commit(ledger_node, ledger_world.generate(slot(2), 1_234))
    answer = client.proven_value(f"asset/{outcome['tx_id']}")
    assert answer["present"] is True
    value = verify_state(answer, final_header(client, answer["height"], ledger_world))
    # The proof is about the stored record; the answer's ``value`` is the same asset with derived fields restored.
    assert value["wh"] == 1_234 and value["owner"] == ledger_world.intermediary.address
    assert answer["value"]["id"] == outcome["tx_id"] and answer["value"]["category"] == "renewable"
    assert {k: answer["value"][k] for k in value} == value
    assert len(SmtProof.from_json(answer["proof"]).to_bytes()) <= 2048


def test_absent_key_is_proven_absent(client: NodeClient, ledger_world: LedgerWorld, ledger_node: Node) -> None:
    ledger_world.commit(ledger_node, ledger_world.generate(slot(2), 1_000))
    answer = client.proven_value("cert/" + "00" * 32)
    assert answer["present"] is False
    assert verify_state(answer, final_header(client, answer["height"], ledger_world)) is None


def test_tampered_answers_fail(client: NodeClient, ledger_world: LedgerWorld, ledger_node: Node) -> None:
    outcome = ledger_world.commit(ledger_node, ledger_world.generate(slot(2), 1_000))
    answer = client.proven_value(f"asset/{outcome['tx_id']}")
    header = final_header(client, answer["height"], ledger_world)
    more = copy.deepcopy(answer)
    more["value_cbor"] = more["value_cbor"].replace("1903e8", "1907d0")  # 1000 Wh → 2000 Wh
    with pytest.raises(VerificationError, match="proof leaf holds value_hash"):
        verify_state(more, header)
    hidden = {**answer, "present": False}
    with pytest.raises(VerificationError):
        verify_state(hidden, header)
    stale = copy.deepcopy(answer)
    stale["height"] = answer["height"] - 1
    with pytest.raises(VerificationError, match="state answer is for block"):
        verify_state(stale, header)


def test_without_prove_an_absent_key_is_404(client: NodeClient) -> None:
    from backend_client import NotFound

    with pytest.raises(NotFound):
        client.value("cert/" + "00" * 32)
