"""``NodeClient`` against the real node app: in-process through an ASGI transport, and once over loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import cbor2
import pytest

from backend_client import AlreadyIssued, BadRequest, Conflict, Forbidden, NodeClient, NotFound, Unauthorized
from greencert.servers import BackgroundServer, free_port
from ledger.api import create_app
from ledger.node import Node
from ledger_lite import Transaction, canonical, decode_tx
from ledger_lite.light import verify_tx_in_block
from tests.helpers.ledger_world import LedgerWorld, SyncASGITransport, slot


@pytest.fixture
def client(ledger_node: Node) -> Iterator[NodeClient]:
    # Not `with NodeClient(...) as c`: HttpBase.__enter__ is annotated to return HttpBase, not the subclass.
    node_client = NodeClient("http://node", transport=SyncASGITransport(create_app(ledger_node)))
    yield node_client
    node_client.close()


def test_status(client: NodeClient, ledger_world: LedgerWorld) -> None:
    status = client.status()
    assert status["chain_id"] == "greencert-test" and status["height"] == 0
    assert status["validators"] == [ledger_world.validator.public.hex()]


def test_submit_waits_for_the_block(client: NodeClient, ledger_world: LedgerWorld) -> None:
    tx = ledger_world.generate(slot(2), 1_000)
    outcome = client.submit(tx)
    assert outcome == {"tx_id": tx.tx_id, "code": "ok", "status": 200, "height": 1, "index": 0,
                       "result": {"asset_id": tx.tx_id}}
    assert client.status()["height"] == 1


def test_submit_without_wait_is_accepted(client: NodeClient, ledger_world: LedgerWorld) -> None:
    tx = ledger_world.generate(slot(2), 1_000)
    assert client.submit(tx, wait=False) == {"tx_id": tx.tx_id, "code": "accepted"}


def test_rule_rejection_raises_with_the_code(client: NodeClient, ledger_world: LedgerWorld) -> None:
    with pytest.raises(BadRequest, match="422 over_capacity: expected 0 < Wh <= 26250") as caught:
        client.submit(ledger_world.generate(slot(2), 10**9))
    assert caught.value.status == 422 and caught.value.code == "over_capacity"


def test_already_issued_raises_with_the_certificate(client: NodeClient, ledger_world: LedgerWorld) -> None:
    w = ledger_world
    asset_id = client.submit(w.generate(slot(2), 1_000))["result"]["asset_id"]
    client.submit(w.allocate([(asset_id, 1_000)]))
    first = client.submit(w.issue([asset_id]))["result"]["certificate_id"]
    with pytest.raises(AlreadyIssued, match=f"409 already_issued: asset {asset_id} is already certified") as caught:
        client.submit(w.issue([asset_id], institution="irec"))
    assert caught.value.certificate_id == first


def test_admission_errors_map_to_client_errors(client: NodeClient, ledger_world: LedgerWorld) -> None:
    w = ledger_world
    tx = w.generate(slot(2), 1_000)
    client.submit(tx)
    with pytest.raises(Conflict, match="409 duplicate") as duplicate:
        client.submit(tx)
    assert type(duplicate.value) is Conflict
    with pytest.raises(Forbidden, match="403 unknown_signer"):
        client.submit(w.generate(slot(3), 1_000, meter=w.outsider))
    forged = decode_tx(canonical({**cbor2.loads(w.generate(slot(3), 5).encode()), "sig": b"\x01" * 64}))
    with pytest.raises(Unauthorized, match="401 bad_signature"):
        client.submit(forged)
    with pytest.raises(BadRequest, match="400 wrong_chain"):
        client.submit(w.sign(w.meter, "asset.generate", {}, chain="elsewhere"))


def test_batch(client: NodeClient, ledger_world: LedgerWorld) -> None:
    w = ledger_world
    txs = [w.generate(slot(1), 100), w.generate(slot(1), 200), w.generate(slot(2), 300)]
    results = client.submit_batch([*txs, txs[0]])
    assert [r["code"] for r in results] == ["ok", "overlap", "ok", "duplicate"]
    assert client.submit_batch([w.generate(slot(5), 1)], wait=False)[0]["code"] == "accepted"


def test_queries_and_light_verification(client: NodeClient, ledger_world: LedgerWorld) -> None:
    w = ledger_world
    asset_id = client.submit(w.generate(slot(2), 1_000))["result"]["asset_id"]
    client.submit(w.allocate([(asset_id, 1_000)]))
    cert: Transaction = w.issue([asset_id])
    outcome = client.submit(cert)
    tx_json = client.tx(cert.tx_id)
    block = client.block(outcome["height"])
    assert verify_tx_in_block(tx_json, block, [w.validator.public], "greencert-test") == cert
    assert client.value(f"cert/{cert.tx_id}")["value"]["wh"] == 1_000
    assert [a["id"] for a in client.assets(w.user.address, method="solar", trade=None, signer=w.user)] == [asset_id]
    assert client.assets(w.user.address, method="oil", signer=w.user) == []
    assert [c["id"] for c in client.certificates(w.user.address, signer=w.user)] == [cert.tx_id]


def test_lists_by_owner_are_signed_reads(client: NodeClient, ledger_world: LedgerWorld, ledger_node: Node) -> None:
    """Issue #12: ``assets``/``certificates`` sign with the client's key (or the call's); nothing else is signed."""
    w = ledger_world
    asset_id = w.allocated_asset(ledger_node, 2)
    with pytest.raises(Unauthorized) as unsigned:
        client.assets(w.user.address)
    assert unsigned.value.code == "unsigned_read"
    with pytest.raises(Forbidden) as other:
        client.assets(w.user.address, signer=w.user2)
    assert other.value.code == "forbidden"
    seen: list[dict[str, str]] = []
    app = create_app(ledger_node)

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append({k.decode(): v.decode() for k, v in scope["headers"]})
        await app(scope, receive, send)

    intermediary = NodeClient("http://node", transport=SyncASGITransport(recording), signer=w.intermediary)
    try:
        assert [a["id"] for a in intermediary.assets(w.user.address, valid_at=0, method="solar")] == [asset_id]
        assert intermediary.certificates(w.user.address) == []
        assert intermediary.status()["chain_id"] == "greencert-test"
    finally:
        intermediary.close()
    signed = ["x-gc-signature" in headers for headers in seen]
    assert signed == [False, True, True, False]  # the chain id asked once (status), then two signed reads
    assert {e["role"] for e in client.registry()} == {"validator", "intermediary", "meter", "user"}


def test_missing_things_raise_not_found(client: NodeClient) -> None:
    with pytest.raises(NotFound, match="404 not_found: no committed transaction"):
        client.tx("ab" * 32)
    with pytest.raises(NotFound, match="no block at height 5"):
        client.block(5)
    with pytest.raises(NotFound, match="no state value at 'cert/x'"):
        client.value("cert/x")


def test_over_loopback(ledger_node: Node, ledger_world: LedgerWorld) -> None:
    server = BackgroundServer(create_app(ledger_node), "127.0.0.1", free_port()).start()
    try:
        client = NodeClient(server.url, timeout=5)
        assert client.submit(ledger_world.generate(slot(2), 1_000))["code"] == "ok"
        assert client.status()["height"] == 1
        with pytest.raises(NotFound):
            client.block(9)
        client.close()
    finally:
        server.stop()
