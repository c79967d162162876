"""The node's ``/v1`` HTTP API, in-process: a sync httpx.Client over the ASGI app (tests/helpers/ledger_world.py
``SyncASGITransport``). Each test: request → status → fields; errors are ``{error, message}`` JSON."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cbor2
import httpx
import pytest

import ledger
from ledger.api import create_app
from ledger.node import Node
from ledger_lite import (
    MAX_TX_BYTES,
    BlockHeader,
    Commit,
    ProofError,
    SigningKey,
    Transaction,
    canonical,
    merkle_root,
    verify_commit,
)
from ledger_lite.light import verify_tx_in_block
from tests.helpers.ledger_world import GENESIS_TIME, LedgerWorld, SyncASGITransport, slot

CBOR = {"content-type": "application/cbor"}


@pytest.fixture
def client(ledger_node: Node) -> Iterator[httpx.Client]:
    with httpx.Client(transport=SyncASGITransport(create_app(ledger_node)), base_url="http://node") as http:
        yield http


def post_tx(client: httpx.Client, tx: Transaction | bytes, *, wait: bool = True, **params: Any) -> Any:
    raw = tx if isinstance(tx, bytes) else tx.encode()
    return client.post("/v1/txs", content=raw, headers=CBOR,
                       params={"wait": str(wait).lower(), **params})


def assert_error(response: Any, status: int, code: str, match: str = "") -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["error"] == code and isinstance(body["message"], str) and body["message"]
    assert match in body["message"], body
    return body


def test_status(client: httpx.Client, ledger_world: LedgerWorld, ledger_node: Node) -> None:
    response = client.get("/v1/status")
    assert response.status_code == 200
    body = response.json()
    assert body["chain_id"] == "greencert-test" and body["height"] == 0 and body["time"] == GENESIS_TIME
    assert body["state_root"] == ledger_node.state.root().hex()
    assert body["validators"] == [ledger_world.validator.public.hex()]
    assert body["node_key"] == ledger_world.validator.public.hex() and body["queued"] == 0


def test_submit_cbor_and_wait(client: httpx.Client, ledger_world: LedgerWorld) -> None:
    tx = ledger_world.generate(slot(2), 5_000)
    response = post_tx(client, tx)
    assert response.status_code == 200
    assert response.json() == {"tx_id": tx.tx_id, "code": "ok", "status": 200, "height": 1, "index": 0,
                               "result": {"asset_id": tx.tx_id}}
    assert client.get("/v1/status").json()["height"] == 1


def test_submit_json_hex_and_wait(client: httpx.Client, ledger_world: LedgerWorld) -> None:
    tx = ledger_world.generate(slot(2), 5_000)
    response = client.post("/v1/txs", json={"tx": tx.encode().hex()}, params={"wait": "true"})
    assert response.status_code == 200 and response.json()["code"] == "ok"


def test_submit_without_wait_then_poll(client: httpx.Client, ledger_world: LedgerWorld) -> None:
    tx = ledger_world.generate(slot(2), 5_000)
    response = post_tx(client, tx, wait=False)
    assert response.status_code == 200
    assert response.json() == {"tx_id": tx.tx_id, "code": "accepted"}
    deadline = time.monotonic() + 10
    while (found := client.get(f"/v1/txs/{tx.tx_id}")).status_code == 404:
        assert time.monotonic() < deadline, "accepted transaction never committed"
        time.sleep(0.01)
    assert found.status_code == 200 and found.json()["height"] == 1


def test_rejection_with_wait_is_an_error_with_the_rule_code(client: httpx.Client, ledger_world: LedgerWorld) -> None:
    tx = ledger_world.generate(slot(2) + 60, 5_000)
    body = assert_error(post_tx(client, tx), 422, "misaligned", "expected an interval of 30-minute steps")
    assert body["tx_id"] == tx.tx_id


def test_already_issued_is_409_with_the_certificate(client: httpx.Client, ledger_world: LedgerWorld,
                                                     ledger_node: Node) -> None:
    w = ledger_world
    a = w.allocated_asset(ledger_node, 2)
    first = w.issue([a])
    assert post_tx(client, first).status_code == 200
    body = assert_error(post_tx(client, w.issue([a])), 409, "already_issued", f"certified by certificate {first.tx_id}")
    assert body["certificate_id"] == first.tx_id


@pytest.mark.parametrize(("make", "status", "code", "match"), [
    (lambda w: b"\xff", 400, "bad_encoding", "expected well-formed CBOR"),
    (lambda w: w.sign(w.meter, "asset.generate", {}, chain="other").encode(), 400, "wrong_chain",
     "expected chain 'greencert-test', found 'other'"),
    (lambda w: canonical({**cbor2.loads(w.generate(slot(1), 1).encode()), "sig": b"\x00" * 64}), 401,
     "bad_signature", "signature does not verify"),
    (lambda w: w.generate(slot(1), 1, meter=w.outsider).encode(), 403, "unknown_signer",
     "expected a registered signer"),
    (lambda w: b"\x00" * (MAX_TX_BYTES + 1), 413, "too_large", f"expected at most {MAX_TX_BYTES} bytes"),
])
def test_admission_errors(client: httpx.Client, ledger_world: LedgerWorld, ledger_node: Node, make: Any, status: int,
                          code: str, match: str) -> None:
    before = client.get("/v1/status").json()
    assert_error(post_tx(client, make(ledger_world)), status, code, match)
    assert client.get("/v1/status").json() == before


def test_duplicate_is_409(client: httpx.Client, ledger_world: LedgerWorld) -> None:
    tx = ledger_world.generate(slot(2), 5_000)
    assert post_tx(client, tx).status_code == 200
    assert_error(post_tx(client, tx), 409, "duplicate", f"transaction {tx.tx_id} was already submitted")


@pytest.mark.parametrize("body", [b"not json", b'{"tx": 5}', b'{"tx": "zz"}', b"[]", b'{"raw": "00"}'])
def test_malformed_json_submission(client: httpx.Client, body: bytes) -> None:
    response = client.post("/v1/txs", content=body, headers={"content-type": "application/json"})
    assert_error(response, 400, "bad_request", 'expected JSON {"tx": "<hex of the CBOR envelope>"}')


@pytest.mark.parametrize(("params", "where"), [
    ({"timeout": "0"}, "query.timeout"), ({"timeout": "31"}, "query.timeout"), ({"wait": "maybe"}, "query.wait"),
])
def test_invalid_query_is_400(client: httpx.Client, ledger_world: LedgerWorld, params: dict[str, str],
                              where: str) -> None:
    response = client.post("/v1/txs", content=ledger_world.generate(slot(2), 1).encode(), headers=CBOR, params=params)
    assert_error(response, 400, "bad_request", where)


def test_malformed_signer_is_a_client_error(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    envelope = cbor2.loads(ledger_world.generate(slot(1), 5).encode())
    envelope["signer"] = envelope["signer"][:31]
    transport = SyncASGITransport(create_app(ledger_node), raise_app_exceptions=False)
    with httpx.Client(transport=transport, base_url="http://node") as http:
        response = http.post("/v1/txs", content=canonical(envelope), headers=CBOR)
    assert_error(response, 400, "bad_encoding")


def test_batch(client: httpx.Client, ledger_world: LedgerWorld) -> None:
    w = ledger_world
    good = [w.generate(slot(n), 1_000 + n) for n in range(3)]
    overlapping = w.generate(slot(1), 7)
    response = client.post("/v1/txs/batch", params={"wait": "true"},
                           json={"txs": [good[0].encode().hex(), "ff", good[1].encode().hex(),
                                         good[0].encode().hex(), overlapping.encode().hex(),
                                         good[2].encode().hex()]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["code"] for r in results] == ["ok", "bad_encoding", "ok", "duplicate", "overlap", "ok"]
    assert [r["status"] for r in results] == [200, 400, 200, 409, 422, 200]
    assert [r["tx_id"] for r in results if r["code"] == "ok"] == [t.tx_id for t in good]


def test_batch_without_wait(client: httpx.Client, ledger_world: LedgerWorld) -> None:
    tx = ledger_world.generate(slot(2), 5)
    response = client.post("/v1/txs/batch", json={"txs": [tx.encode().hex()]})
    assert response.json() == {"results": [{"tx_id": tx.tx_id, "code": "accepted"}]}


@pytest.mark.parametrize("body", [{"txs": ["zz"]}, {"tx": []}, [], {"txs": 5}])
def test_malformed_batch(client: httpx.Client, body: Any) -> None:
    assert_error(client.post("/v1/txs/batch", json=body), 400, "bad_request", 'expected JSON {"txs": ["<hex>", ...]}')


def test_tx_with_inclusion_proof_verifies_on_a_light_node(client: httpx.Client, ledger_world: LedgerWorld,
                                                          ledger_node: Node) -> None:
    w = ledger_world
    txs = [w.generate(slot(n), 1_000 + n) for n in range(5)]
    results = client.post("/v1/txs/batch", params={"wait": "true"},
                          json={"txs": [t.encode().hex() for t in txs]}).json()["results"]
    assert {r["code"] for r in results} == {"ok"}
    validators = [SigningKey.derive("test/validator").public]
    for tx in txs:
        tx_json = client.get(f"/v1/txs/{tx.tx_id}").json()
        assert tx_json["type"] == "asset.generate" and tx_json["signer"] == w.meter.address
        assert tx_json["body"] == tx.body and tx_json["raw"] == tx.encode().hex()
        assert tx_json["result"] == {"asset_id": tx.tx_id}
        block_json = client.get(f"/v1/blocks/{tx_json['height']}").json()
        assert verify_tx_in_block(tx_json, block_json, validators, "greencert-test") == tx
        # A proof hash changed in transit is caught.
        if tx_json["proof"]["hashes"]:
            tx_json["proof"]["hashes"][0] = "00" * 32
            with pytest.raises(ProofError, match="inclusion proof leads to root"):
                verify_tx_in_block(tx_json, block_json, validators, "greencert-test")


def test_unknown_tx_is_404(client: httpx.Client) -> None:
    assert_error(client.get(f"/v1/txs/{'ab' * 32}"), 404, "not_found", f"no committed transaction {'ab' * 32}")


def test_blocks(client: httpx.Client, ledger_world: LedgerWorld, ledger_node: Node) -> None:
    ledger_world.new_asset(ledger_node, 2)
    genesis, first = client.get("/v1/blocks/0").json(), client.get("/v1/blocks/1").json()
    validators = ledger_node.genesis.validators()
    for block in (genesis, first):
        header = BlockHeader.from_json(block["header"])
        verify_commit(header, Commit.from_json(block["commit"]), validators)
    assert genesis["tx_count"] == 0 and first["tx_count"] == 1
    assert first["header"]["prev_hash"] == genesis["header"]["hash"]
    assert first["header"]["state_root"] == client.get("/v1/status").json()["state_root"]
    assert_error(client.get("/v1/blocks/9"), 404, "not_found", "no block at height 9; the head is at 1")
    assert_error(client.get("/v1/blocks/x"), 400, "bad_request", "path.height")


def test_state(client: httpx.Client, ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a = w.new_asset(ledger_node, 2)
    body = client.get(f"/v1/state/asset/{a}").json()
    assert body["key"] == f"asset/{a}" and body["height"] == 1
    assert body["value"]["owner"] == w.intermediary.address and body["value"]["wh"] == 10_000
    entry = client.get(f"/v1/state/registry/{w.meter.address}").json()["value"]
    assert entry["role"] == "meter" and entry["key"] == w.meter.public.hex()
    assert entry["attrs"] == {"provider": "Aa", "method": "solar", "capacity_w": 50_000}
    assert_error(client.get("/v1/state/asset/nothing"), 404, "not_found", "no state value at 'asset/nothing'")


def test_assets_with_filters(client: httpx.Client, ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    oil = w.allocated_asset(ledger_node, 1, meter=w.meter_oil)
    solar = [w.allocated_asset(ledger_node, n) for n in (2, 4)]
    def ids(**params: Any) -> list[str]:
        query = {"owner": w.user.address, **params}
        response = client.get("/v1/assets", params=query, headers=w.read_headers(w.user, "/v1/assets", query))
        assert response.status_code == 200
        return [a["id"] for a in response.json()["items"]]
    assert ids() == [oil, *solar]
    assert ids(method="solar") == solar
    assert ids(method="oil", trade="completed") == [oil]
    assert ids(start=slot(2)) == solar
    assert ids(end=slot(3)) == [oil, solar[0]]
    mine = {"owner": w.user.address}
    expiries = [a["expires"] for a in client.get("/v1/assets", params=mine,
                                                 headers=w.read_headers(w.user, "/v1/assets", mine)).json()["items"]]
    assert ids(valid_at=expiries[0]) == solar  # expired at that very second: left out
    assert ids(valid_at=expiries[0] - 1) == [oil, *solar]
    assert ids(trade="open") == []
    assert_error(client.get("/v1/assets", headers=w.read_headers(w.user, "/v1/assets", {})), 400, "bad_request",
                 "query.owner")
    noon = {"owner": w.user.address, "start": "noon"}
    assert_error(client.get("/v1/assets", params=noon, headers=w.read_headers(w.user, "/v1/assets", noon)), 400,
                 "bad_request", "query.start")


# --- signed reads (issue #12): a list by owner needs a registered participant's signature ----------------------
def read(client: httpx.Client, w: LedgerWorld, key: SigningKey | None, path: str = "/v1/assets",
         owner: str | None = None, **signing: Any) -> httpx.Response:
    params = {"owner": owner or w.user.address}
    headers = {} if key is None else w.read_headers(key, path, params, **signing)
    return client.get(path, params=params, headers=headers)


@pytest.mark.parametrize("path", ["/v1/assets", "/v1/certificates"])
def test_a_list_by_owner_is_a_signed_read(client: httpx.Client, ledger_world: LedgerWorld, ledger_node: Node,
                                          path: str) -> None:
    w = ledger_world
    asset = w.allocated_asset(ledger_node, 1)
    post_tx(client, w.issue([asset]))
    body = assert_error(read(client, w, None, path), 401, "unsigned_read", "X-GC-Signature")
    assert "items" not in body
    assert read(client, w, w.user, path).json()["items"][0]["id"]  # the owner itself
    assert read(client, w, w.intermediary, path).status_code == 200  # an intermediary builds the eligible list
    assert read(client, w, w.intermediary2, path).status_code == 200
    assert read(client, w, w.validator, path).status_code == 200
    assert_error(read(client, w, w.user2, path), 403, "forbidden", "reads only its own")  # another consumer
    assert_error(read(client, w, w.meter, path), 403, "forbidden")
    assert read(client, w, w.user2, path, owner=w.user2.address).json() == {"items": []}


def test_a_signed_read_must_be_fresh_registered_and_for_this_request(client: httpx.Client,
                                                                      ledger_world: LedgerWorld) -> None:
    w = ledger_world
    now = int(time.time())
    assert read(client, w, w.user, now=now - 290).status_code == 200
    assert_error(read(client, w, w.user, now=now - 400), 401, "stale_request", "within 300 s")
    assert_error(read(client, w, w.user, now=now + 400), 401, "stale_request")
    assert_error(read(client, w, w.user, chain="another-chain"), 401, "bad_signature", "does not verify")
    assert_error(read(client, w, w.outsider), 401, "unknown_signer", w.outsider.address)
    # A signature over one owner's query does not read another's.
    signed = w.read_headers(w.intermediary, "/v1/assets", {"owner": w.user.address})
    assert_error(client.get("/v1/assets", params={"owner": w.user2.address}, headers=signed), 401, "bad_signature")
    assert_error(client.get("/v1/certificates", params={"owner": w.user.address}, headers=signed), 401,
                 "bad_signature")
    for header, value in (("X-GC-Key", "zz"), ("X-GC-Signature", "00" * 63), ("X-GC-Time", "noon")):
        assert_error(client.get("/v1/assets", params={"owner": w.user.address}, headers={**signed, header: value}),
                     401, "bad_signature", header)


def test_what_a_verifier_needs_stays_public(client: httpx.Client, ledger_world: LedgerWorld,
                                            ledger_node: Node) -> None:
    w = ledger_world
    asset = w.allocated_asset(ledger_node, 1)
    cert = w.issue([asset])
    post_tx(client, cert)
    height = client.get(f"/v1/txs/{cert.tx_id}").json()["height"]
    for path in ("/v1/status", "/v1/registry", f"/v1/txs/{cert.tx_id}", f"/v1/blocks/{height}",
                 f"/v1/state/cert/{cert.tx_id}?prove=true", f"/v1/state/asset/{asset}"):
        assert client.get(path).status_code == 200, path


def test_registry(client: httpx.Client, ledger_world: LedgerWorld) -> None:
    body = client.get("/v1/registry").json()
    assert body["chain_id"] == "greencert-test"
    roles = {e["address"]: e["role"] for e in body["items"]}
    w = ledger_world
    assert roles == {w.validator.address: "validator", w.intermediary.address: "intermediary",
                     w.intermediary2.address: "intermediary", w.meter.address: "meter",
                     w.meter_oil.address: "meter", w.user.address: "user", w.user2.address: "user"}
    assert all(e["public_key"] and e["name"] for e in body["items"])


def test_certificates(client: httpx.Client, ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    a = w.allocated_asset(ledger_node, 2)
    cert = w.issue([a])
    post_tx(client, cert)
    items = read(client, w, w.user, "/v1/certificates").json()["items"]
    assert len(items) == 1 and items[0]["id"] == cert.tx_id and items[0]["wh"] == 10_000
    assert "assets" not in items[0] and items[0]["revoked"] is None
    assert read(client, w, w.user2, "/v1/certificates", owner=w.user2.address).json() == {"items": []}
    assert_error(client.get("/v1/certificates", headers=w.read_headers(w.user, "/v1/certificates", {})), 400,
                 "bad_request", "query.owner")


@pytest.mark.parametrize("path", ["/v1/nope", "/", "/v2/status", "/v1/txs/a/b"])
def test_unknown_route_is_json_404(client: httpx.Client, path: str) -> None:
    assert_error(client.get(path), 404, "not_found", "Not Found")


def test_wrong_method_is_json_405(client: httpx.Client) -> None:
    assert_error(client.delete("/v1/status"), 405, "method_not_allowed", "Method Not Allowed")
    assert_error(client.get("/v1/txs"), 405, "method_not_allowed")


def test_commit_timeout_is_504_and_the_transaction_stays_queued(tmp_path: Any, ledger_world: LedgerWorld) -> None:
    node = ledger_world.open_node(tmp_path / "idle", start=False)  # no producer: nothing ever commits
    try:
        with httpx.Client(transport=SyncASGITransport(create_app(node)), base_url="http://node") as http:
            tx = ledger_world.generate(slot(2), 1)
            body = assert_error(post_tx(http, tx, timeout="0.2"), 504, "commit_timeout",
                                f"transaction {tx.tx_id} was accepted but not committed within 0.2 s")
            assert body["error"] == "commit_timeout"
            late = ledger_world.generate(slot(3), 1)
            batch = http.post("/v1/txs/batch", params={"wait": "true", "timeout": "0.2"},
                              json={"txs": [late.encode().hex()]}).json()["results"]
            assert batch == [{"tx_id": late.tx_id, "code": "commit_timeout", "status": 504,
                              "message": "not committed in time"}]
            assert http.get("/v1/status").json()["queued"] == 2
    finally:
        node.close()


def test_openapi_documents_every_node_route(ledger_node: Node) -> None:
    schema = create_app(ledger_node).openapi()
    paths = set(schema["paths"])
    assert {"/v1/status", "/v1/txs", "/v1/txs/batch", "/v1/txs/{tx_id}", "/v1/blocks/{height}", "/v1/state/{key}",
            "/v1/assets", "/v1/certificates", "/v1/registry", "/v1/events"} <= paths
    assert "prove" in str(schema["paths"]["/v1/state/{key}"])


def test_openapi_names_every_refusal_a_client_can_meet(ledger_node: Node) -> None:
    """Every code a rule or admission can answer with is explained in the submit routes' description."""
    sources = "\n".join(p.read_text() for p in Path(ledger.__file__).parent.rglob("*.py"))
    codes = set(re.findall(r'Rejected\(\s*"([a-z_]+)"', sources)) | {"already_issued"}
    assert len(codes) > 20
    schema = create_app(ledger_node).openapi()
    for route in ("/v1/txs", "/v1/txs/batch"):
        described = schema["paths"][route]["post"]["description"]
        assert sorted(c for c in codes if f"``{c}``" not in described) == [], route


def test_a_blocks_transactions_are_read_in_bulk_by_validators_and_intermediaries_only(
        client: httpx.Client, ledger_world: LedgerWorld, ledger_node: Node) -> None:
    w = ledger_world
    asset = w.new_asset(ledger_node, 1)
    height = ledger_node.head.height
    path = f"/v1/blocks/{height}/txs"
    found = client.get(path, headers=w.read_headers(w.validator, path, {}))
    assert found.status_code == 200, found.text
    raws = [bytes.fromhex(t) for t in found.json()["txs"]]
    assert merkle_root(raws) == bytes.fromhex(client.get(f"/v1/blocks/{height}").json()["header"]["tx_root"])
    assert len(raws) == 1 and client.get(f"/v1/state/asset/{asset}").status_code == 200  # the reading that made it
    assert client.get(path, headers=w.read_headers(w.intermediary, path, {})).json()["txs"] == found.json()["txs"]
    assert_error(client.get(path, headers=w.read_headers(w.user, path, {})), 403, "forbidden",
                 "read in bulk by validators and intermediaries only")
    assert_error(client.get(path), 401, "unsigned_read")
    missing = f"/v1/blocks/{height + 5}/txs"
    assert_error(client.get(missing, headers=w.read_headers(w.validator, missing, {})), 404, "not_found",
                 f"no block at height {height + 5}")
