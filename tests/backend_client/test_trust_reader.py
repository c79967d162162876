"""``TrustReader`` (issue 17): the light node's trust-list refresh (``ledger_lite.trust_anchor.refresh``) over the
real node app gives the same trust list in four requests instead of four and two per registry entry, and asks an
older node (no ``prove`` on ``/v1/registry``) the single questions."""

from __future__ import annotations

import pytest

from backend_client import NodeClient, ProtocolError, TrustReader
from ledger.node import Node
from ledger_lite.trust_anchor import refresh
from ledger_lite.verification import Trust
from tests.helpers.issued_certificate import issue_certificate
from tests.helpers.ledger_world import LedgerWorld, SyncASGITransport
from tests.helpers.recording_node import Recorder, recording_node_app


def anchor(world: LedgerWorld) -> Trust:
    """What an auditor starts from: the chain and its validators, nothing else."""
    return Trust(world.chain_id, {}, [world.validator.public], {})


def same(a: Trust, b: Trust) -> bool:
    return (sorted(a.issuers) == sorted(b.issuers) and sorted(a.users) == sorted(b.users) and a.names == b.names
            and [v.raw for v in a.validators] == [v.raw for v in b.validators] and a.height == b.height)


def test_refresh_through_the_proven_registry(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    issue_certificate(ledger_world, ledger_node)
    recorder = Recorder()
    client = NodeClient("http://node", transport=SyncASGITransport(recording_node_app(ledger_node, recorder)))
    reader = TrustReader(client)
    fast, _ = refresh(anchor(ledger_world), reader)
    assert recorder.paths == ["/v1/status", "/v1/validator-sets", f"/v1/blocks/{ledger_node.head.height}",
                              "/v1/registry"] and reader.requests == 4
    recorder.paths.clear()
    slow, _ = refresh(anchor(ledger_world), client)
    entries = len(ledger_node.registry())
    assert entries >= 5 and len(recorder.paths) == 4 + entries
    assert same(fast, slow) and ledger_world.intermediary.public.kid in fast.issuers
    assert fast.names[ledger_world.user.address] == "Consumer Ca"
    client.close()


def test_an_older_node_is_asked_each_entry(ledger_world: LedgerWorld, ledger_node: Node) -> None:
    recorder = Recorder()
    app = recording_node_app(ledger_node, recorder, registry_proofs=False)
    client = NodeClient("http://old", transport=SyncASGITransport(app))
    reader = TrustReader(client)
    trust, _ = refresh(anchor(ledger_world), reader)
    entries = len(ledger_node.registry())
    assert recorder.paths.count("/v1/registry") == 2 and reader.requests == 5 + entries
    assert same(trust, refresh(anchor(ledger_world), client)[0])
    client.close()


def test_a_proven_registry_without_its_parts_is_a_protocol_error(ledger_world: LedgerWorld) -> None:
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"chain_id": ledger_world.chain_id, "items": [], "proofs": {}})

    client = NodeClient("http://node", transport=httpx.MockTransport(handler))
    with pytest.raises(ProtocolError, match="expected a proven registry with the lists items and proofs and the "
                                            "object head, found parts missing or of the wrong type"):
        TrustReader(client).registry()
    client.close()
