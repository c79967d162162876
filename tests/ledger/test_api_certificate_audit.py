"""``GET /v1/certificates/{certificate_id}/audit`` (issue 17): one online verification's answers in one — the same
answers the single routes give, each verifying with the light node; bad ids 400, unknown ones 404."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ledger.api import create_app
from ledger.node import Node
from ledger_lite import BlockHeader
from ledger_lite.light import verify_state, verify_tx_in_block
from tests.helpers.ledger_world import LedgerWorld, SyncASGITransport


@pytest.fixture
def client(ledger_node: Node) -> Iterator[httpx.Client]:
    with httpx.Client(transport=SyncASGITransport(create_app(ledger_node)), base_url="http://node") as http:
        yield http


def issued(world: LedgerWorld, node: Node) -> str:
    assets = [world.allocated_asset(node, n, 10_000) for n in range(2)]
    certificate_id: str = world.commit(node, world.issue(assets))["result"]["certificate_id"]
    return certificate_id


def audit_of(client: httpx.Client, certificate_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/certificates/{certificate_id}/audit")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_answer_is_the_four_single_answers(client: httpx.Client, ledger_world: LedgerWorld,
                                               ledger_node: Node) -> None:
    cid = issued(ledger_world, ledger_node)
    ledger_world.new_asset(ledger_node, 7)  # the head moves past the issuance's block
    body = audit_of(client, cid)
    tx = client.get(f"/v1/txs/{cid}").json()
    assert body["certificate_id"] == cid and body["tx"] == tx
    assert body["block"] == client.get(f"/v1/blocks/{tx['height']}").json()
    assert body["state"] == client.get(f"/v1/state/cert/{cid}", params={"prove": "true"}).json()
    assert body["state"]["height"] == ledger_node.head.height > tx["height"]
    assert body["head"] == client.get(f"/v1/blocks/{ledger_node.head.height}").json()
    assert body["revoked"] is None


def test_the_answer_verifies_with_the_light_node(client: httpx.Client, ledger_world: LedgerWorld,
                                                 ledger_node: Node) -> None:
    cid = issued(ledger_world, ledger_node)
    body = audit_of(client, cid)
    validators = [ledger_world.validator.public]
    tx = verify_tx_in_block(body["tx"], body["block"], validators, ledger_world.chain_id)
    assert tx.tx_id == cid and tx.type == "cert.issue"
    record = verify_state(body["state"], BlockHeader.from_json(body["head"]["header"]))
    assert record["id"] == cid and record["revoked"] is None


def test_a_revocation_is_in_the_proven_record(client: httpx.Client, ledger_world: LedgerWorld,
                                              ledger_node: Node) -> None:
    cid = issued(ledger_world, ledger_node)
    ledger_world.commit(ledger_node, ledger_world.revoke(cid, "meter misread"))
    body = audit_of(client, cid)
    assert body["revoked"]["reason"] == "meter misread"
    record = verify_state(body["state"], BlockHeader.from_json(body["head"]["header"]))
    assert record["revoked"]["reason"] == "meter misread"


def test_a_transaction_that_is_no_issuance_is_answered_without_a_record(client: httpx.Client,
                                                                       ledger_world: LedgerWorld,
                                                                       ledger_node: Node) -> None:
    asset = ledger_world.new_asset(ledger_node, 3)
    body = audit_of(client, asset)
    assert body["tx"]["type"] == "asset.generate" and body["state"]["present"] is False
    assert body["revoked"] is None


@pytest.mark.parametrize("bad", ["zz", "A" * 64, "0" * 63, "0" * 65, "%2e%2e"])
def test_a_bad_id_is_400(client: httpx.Client, bad: str) -> None:
    response = client.get(f"/v1/certificates/{bad}/audit")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "bad_request" and "certificate_id" in body["message"]


def test_an_unknown_id_is_404_unknown_certificate(client: httpx.Client) -> None:
    response = client.get(f"/v1/certificates/{'0' * 64}/audit")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "unknown_certificate"
    assert body["message"] == f"expected the id of a committed issuance, found no committed transaction {'0' * 64}"


def test_the_route_is_declared_with_every_status(ledger_node: Node) -> None:
    operation = create_app(ledger_node).openapi()["paths"]["/v1/certificates/{certificate_id}/audit"]["get"]
    assert set(operation["responses"]) == {"200", "400", "404", "503"}
    assert "unknown_certificate" in operation["responses"]["404"]["description"]
    assert operation["parameters"][0]["schema"]["pattern"] == "^[0-9a-f]{64}$"


def test_the_registry_with_proofs_at_one_head(client: httpx.Client, ledger_world: LedgerWorld,
                                              ledger_node: Node) -> None:
    issued(ledger_world, ledger_node)
    plain = client.get("/v1/registry").json()
    proven = client.get("/v1/registry", params={"prove": "true"}).json()
    assert proven["items"] == plain["items"] and proven["chain_id"] == ledger_world.chain_id
    head = BlockHeader.from_json(proven["head"]["header"])
    assert head.height == ledger_node.head.height
    assert [p["key"] for p in proven["proofs"]] == [f"registry/{item['address']}" for item in proven["items"]]
    for proof in proven["proofs"]:
        assert proof["height"] == head.height and verify_state(proof, head) is not None
    assert set(plain) == {"chain_id", "items"}


def test_a_bad_prove_value_is_400(client: httpx.Client) -> None:
    response = client.get("/v1/registry", params={"prove": "maybe"})
    assert response.status_code == 400 and response.json()["error"] == "bad_request"
