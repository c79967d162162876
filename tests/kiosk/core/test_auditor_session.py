"""The kiosk's auditor keeps one ledger client for its session (issue 17): every check, by every ``Auditor`` the
verify flow makes, reads through ``kiosk.core.auditor.SESSION``: one connection kept alive to a real node on a
loopback port, one request per check."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from backend_client import CertificateReader, NodeClient
from greencert.servers import BackgroundServer, free_port
from kiosk.core.auditor import SESSION, Auditor, NodeSession, TrustAnswer, TrustCache
from ledger.node import Node
from tests.helpers.issued_certificate import IssuedCertificate, issue_certificate
from tests.helpers.ledger_world import LedgerWorld
from tests.helpers.recording_node import Recorder, recording_node_app


class Made:
    """A client factory that remembers what it made."""

    def __init__(self) -> None:
        self.clients: list[NodeClient] = []

    def __call__(self, urls: Sequence[str]) -> NodeClient:
        client = NodeClient(list(urls))
        self.clients.append(client)
        return client


@pytest.fixture
def certificate(ledger_world: LedgerWorld, ledger_node: Node) -> IssuedCertificate:
    return issue_certificate(ledger_world, ledger_node)


@pytest.fixture
def served(ledger_node: Node) -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()
    server = BackgroundServer(recording_node_app(ledger_node, recorder), "127.0.0.1", free_port()).start()
    yield server.url, recorder
    server.stop()


def test_one_client_per_list_of_urls_for_the_session() -> None:
    made = Made()
    session = NodeSession(made)
    first = session.open(["http://127.0.0.1:1"])
    first.close()  # a check's reader: the client stays
    second = session.open(["http://127.0.0.1:1"])
    assert isinstance(first, CertificateReader) and isinstance(second, CertificateReader)
    assert first.client is second.client is made.clients[0] and len(made.clients) == 1
    other = session.open(["http://127.0.0.1:2", "http://127.0.0.1:3"])
    assert isinstance(other, CertificateReader) and other.client is made.clients[1]
    session.close()
    with pytest.raises(RuntimeError):  # httpx: a closed client sends nothing
        made.clients[0].status()


def test_the_oldest_client_is_closed_past_the_kept_number() -> None:
    made = Made()
    session = NodeSession(made)
    for port in range(1, NodeSession.KEPT + 2):
        session.open([f"http://127.0.0.1:{port}"])
    assert len(made.clients) == NodeSession.KEPT + 1
    with pytest.raises(RuntimeError):
        made.clients[0].status()
    session.open(["http://127.0.0.1:2"])  # still kept: not made again
    assert len(made.clients) == NodeSession.KEPT + 1
    session.close()


def test_an_auditor_reads_through_the_session_by_default(tmp_path: Path) -> None:
    assert Auditor(TrustCache(tmp_path / "trust.json")).open_node == SESSION.open


def test_checks_by_several_auditors_share_one_connection(tmp_path: Path, certificate: IssuedCertificate,
                                                         served: tuple[str, Recorder]) -> None:
    url, recorder = served
    session = NodeSession()
    answer = TrustAnswer(certificate.trust, (url,))
    for _ in range(3):  # the verify flow makes an Auditor per check
        auditor = Auditor(TrustCache(tmp_path / "trust.json"), lambda: answer, open_node=session.open)
        outcome = auditor.check_scan(certificate.payload)
        assert outcome.verdict == "genuine", outcome.report.to_json()
        assert outcome.source == "node" and outcome.trust_from == "online"
    session.close()
    assert recorder.paths == [f"/v1/certificates/{certificate.certificate_id}/audit"] * 3
    assert len(recorder.ports) == 1
