"""``CertificateReader`` (issue 17): one online verification from one request to the real node app (in-process
through an ASGI transport, and over loopback), a revocation seen by the next check, an older node without the
route asked the single questions, and one kept-alive connection for many checks."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from backend_client import CertificateReader, NodeClient, NotFound, ProtocolError
from greencert.servers import BackgroundServer, free_port
from ledger.node import Node
from ledger_lite import BlockHeader
from ledger_lite.audit import Report, audit, check_ledger
from ledger_lite.payload import decode_payload
from ledger_lite.trust_anchor import HeaderWatch
from tests.helpers.issued_certificate import IssuedCertificate, issue_certificate
from tests.helpers.ledger_world import LedgerWorld, SyncASGITransport
from tests.helpers.recording_node import Recorder, recording_node_app


@pytest.fixture
def certificate(ledger_world: LedgerWorld, ledger_node: Node) -> IssuedCertificate:
    return issue_certificate(ledger_world, ledger_node)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(ledger_node: Node, recorder: Recorder) -> Iterator[NodeClient]:
    node_client = NodeClient("http://node", transport=SyncASGITransport(recording_node_app(ledger_node, recorder)))
    yield node_client
    node_client.close()


def signer_of(certificate: IssuedCertificate) -> str:
    return certificate.trust.issuers[decode_payload(certificate.payload, certificate.trust.issuers).kid].address


def test_one_request_makes_a_genuine_check(client: NodeClient, certificate: IssuedCertificate,
                                           recorder: Recorder) -> None:
    reader = CertificateReader(client)
    report = audit(certificate.payload, certificate.trust, node=reader)
    assert report.verdict == "genuine", report.to_json()
    assert [s.name for s in report.steps] == ["signature", "inclusion", "record", "revocation"]
    assert recorder.paths == [f"/v1/certificates/{certificate.certificate_id}/audit"]
    assert reader.requests == 1


def test_the_next_check_sees_a_revocation(client: NodeClient, certificate: IssuedCertificate,
                                          ledger_world: LedgerWorld, ledger_node: Node) -> None:
    reader = CertificateReader(client)
    assert audit(certificate.payload, certificate.trust, node=reader).verdict == "genuine"
    ledger_world.commit(ledger_node, ledger_world.revoke(certificate.certificate_id, "meter misread"))
    report = audit(certificate.payload, certificate.trust, node=reader)
    assert report.verdict == "not genuine"
    assert report.steps[-1].name == "revocation" and "meter misread" in report.steps[-1].detail
    assert reader.requests == 2


def test_the_state_proof_is_served_once(client: NodeClient, certificate: IssuedCertificate,
                                        recorder: Recorder) -> None:
    reader = CertificateReader(client)
    key = f"cert/{certificate.certificate_id}"
    reader.tx(certificate.certificate_id)
    first = reader.proven_value(key)
    again = reader.proven_value(key)  # a second ask is the node's, as of now
    assert first["key"] == again["key"] == key
    assert recorder.paths[1:] == [f"/v1/state/{key}"] and reader.requests == 2


def test_a_block_the_answer_lacks_is_asked_of_the_node(client: NodeClient, certificate: IssuedCertificate,
                                                       recorder: Recorder) -> None:
    reader = CertificateReader(client)
    tx = reader.tx(certificate.certificate_id)
    assert reader.block(tx["height"])["header"]["height"] == tx["height"]
    assert reader.block(0)["header"]["height"] == 0
    assert recorder.paths[1:] == ["/v1/blocks/0"]


@pytest.mark.parametrize("status", [404, 405])
def test_an_older_node_is_asked_the_single_questions(ledger_node: Node, certificate: IssuedCertificate,
                                                     recorder: Recorder, status: int) -> None:
    app = recording_node_app(ledger_node, recorder, audit_route=False, missing_status=status)
    old = NodeClient("http://old", transport=SyncASGITransport(app))
    reader = CertificateReader(old)
    assert audit(certificate.payload, certificate.trust, node=reader).verdict == "genuine"
    cid = certificate.certificate_id
    assert recorder.paths[0] == f"/v1/certificates/{cid}/audit"
    assert recorder.paths[1:] == [f"/v1/txs/{cid}", "/v1/blocks/5", f"/v1/state/cert/{cid}", "/v1/blocks/6"]
    assert reader.requests == 5
    recorder.paths.clear()
    assert audit(certificate.payload, certificate.trust, node=CertificateReader(old)).verdict == "genuine"
    assert not any(p.endswith("/audit") for p in recorder.paths)  # remembered: not asked again
    assert len(recorder.paths) == 4
    old.close()


def test_an_unknown_certificate_is_no_issuance(client: NodeClient, certificate: IssuedCertificate) -> None:
    unknown = "0" * 64
    with pytest.raises(NotFound, match="404 unknown_certificate"):
        CertificateReader(client).tx(unknown)
    claims = decode_payload(certificate.payload, certificate.trust.issuers).claims
    report = Report()
    check_ledger(type(claims)(**{**claims.__dict__, "cid": unknown}), CertificateReader(client), certificate.trust,
                 report)
    assert [(s.name, s.ok) for s in report.steps] == [("ledger", False)]
    assert report.steps[0].detail == f"the ledger has no issuance {unknown}"


def test_an_answer_without_its_parts_is_a_protocol_error(certificate: IssuedCertificate) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"certificate_id": certificate.certificate_id, "tx": {}, "block": []})

    broken = NodeClient("http://node", transport=httpx.MockTransport(handler))
    with pytest.raises(ProtocolError, match="expected a certificate's audit answer with the objects tx, block, "
                                            "state, head, found block, state, head missing or of the wrong type"):
        CertificateReader(broken).tx(certificate.certificate_id)
    broken.close()


def test_a_reader_closes_its_client_only_when_it_owns_it(ledger_node: Node, recorder: Recorder) -> None:
    shared = NodeClient("http://node", transport=SyncASGITransport(recording_node_app(ledger_node, recorder)))
    CertificateReader(shared).close()
    assert shared.status()["height"] == 0  # still open
    CertificateReader(shared, owns_client=True).close()
    with pytest.raises(RuntimeError):
        shared.status()


def test_over_loopback_many_checks_share_one_connection(ledger_node: Node, certificate: IssuedCertificate,
                                                        recorder: Recorder) -> None:
    server = BackgroundServer(recording_node_app(ledger_node, recorder), "127.0.0.1", free_port()).start()
    try:
        client = NodeClient(server.url)
        for _ in range(5):
            assert audit(certificate.payload, certificate.trust, node=CertificateReader(client)).verdict == "genuine"
        client.close()
    finally:
        server.stop()
    assert len(recorder.paths) == 5 and all(p.endswith("/audit") for p in recorder.paths)
    assert len(recorder.ports) == 1  # keep-alive: one TCP connection for every check


def test_the_signer_is_the_issuer_on_record(client: NodeClient, certificate: IssuedCertificate) -> None:
    reader = CertificateReader(client)
    report = Report()
    claims = decode_payload(certificate.payload, certificate.trust.issuers).claims
    check_ledger(claims, reader, certificate.trust, report, signer=signer_of(certificate))
    assert [s.ok for s in report.steps] == [True, True, True]
    other = Report()
    check_ledger(claims, CertificateReader(client), certificate.trust, other, signer="gc1" + "0" * 40)
    assert other.steps[1].name == "record" and other.steps[1].ok is False and "issuer" in other.steps[1].detail


def test_failover_reaches_an_older_node_and_remembers_it_lacks_the_route(ledger_node: Node,
                                                                          certificate: IssuedCertificate,
                                                                          recorder: Recorder) -> None:
    old = SyncASGITransport(recording_node_app(ledger_node, recorder, audit_route=False))

    def fleet(request: httpx.Request) -> httpx.Response:
        if request.url.host == "down.test":
            raise httpx.ConnectError("connection refused", request=request)
        return old.handle_request(request)

    client = NodeClient(["http://down.test", "http://old.test"], transport=httpx.MockTransport(fleet))
    for _ in range(2):
        report = audit(certificate.payload, certificate.trust, node=CertificateReader(client))
        assert report.verdict == "genuine", report.to_json()
    assert client.base_url == "http://old.test"
    assert sum(p.endswith("/audit") for p in recorder.paths) == 1 and len(recorder.paths) == 1 + 4 + 4
    client.close()


def test_under_the_light_nodes_header_watch_the_checked_headers_are_kept(client: NodeClient,
                                                                        certificate: IssuedCertificate,
                                                                        recorder: Recorder,
                                                                        ledger_node: Node) -> None:
    trust = certificate.trust
    reader = CertificateReader(client)
    report = audit(certificate.payload, trust, node=HeaderWatch(reader, trust))
    assert report.verdict == "genuine" and reader.requests == 1 and len(recorder.paths) == 1
    tx_height = ledger_node.tx(certificate.certificate_id)["height"]
    assert set(trust.headers) == {tx_height, ledger_node.head.height}
    expected = BlockHeader.from_json(ledger_node.block(tx_height)["header"]).hash().hex()
    assert trust.headers[tx_height] == expected
