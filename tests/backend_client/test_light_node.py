"""``LightNode`` (issue 16): a light node's reads over the standard library, against the real node app on a
loopback port — the answers ``NodeClient`` gets, the same errors, failover, an older node without the audit
route, and a verification that never loads httpx."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_client import CertificateReader, LightNode, NodeClient, NotFound, ProtocolError, TrustReader, Unreachable
from backend_client.lean_gets import Answer
from backend_client.light_node import error_of
from greencert.servers import BackgroundServer, free_port
from ledger.node import Node
from ledger_lite.audit import audit
from ledger_lite.trust_anchor import refresh
from ledger_lite.verification import Trust
from tests.helpers.issued_certificate import IssuedCertificate, issue_certificate
from tests.helpers.ledger_world import LedgerWorld
from tests.helpers.recording_node import Recorder, recording_node_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def issued(ledger_world: LedgerWorld, ledger_node: Node) -> IssuedCertificate:
    return issue_certificate(ledger_world, ledger_node)


def serve(node: Node, recorder: Recorder, **options: bool) -> BackgroundServer:
    return BackgroundServer(recording_node_app(node, recorder, **options), "127.0.0.1", 0).start()


@pytest.fixture
def server(ledger_node: Node, issued: IssuedCertificate) -> Iterator[tuple[BackgroundServer, Recorder]]:
    recorder = Recorder()
    running = serve(ledger_node, recorder)
    try:
        yield running, recorder
    finally:
        running.stop()


def test_the_answers_are_node_client_s(server: tuple[BackgroundServer, Recorder],
                                       issued: IssuedCertificate) -> None:
    url = server[0].url
    cid = issued.certificate_id
    with LightNode(url) as light, NodeClient(url) as full:
        assert light.status()["chain_id"] == full.status()["chain_id"]
        assert light.validator_sets() == full.validator_sets()
        assert light.registry() == full.registry()
        assert light.proven_registry() == full.proven_registry()
        assert light.tx(cid) == full.tx(cid)
        assert light.block(1) == full.block(1)
        assert light.proven_value(f"cert/{cid}") == full.proven_value(f"cert/{cid}")
        assert light.certificate_audit(cid) == full.certificate_audit(cid)


def test_a_verification_over_it_is_genuine_in_one_connection(server: tuple[BackgroundServer, Recorder],
                                                             issued: IssuedCertificate) -> None:
    running, recorder = server
    with LightNode(running.url) as light:
        trust, _ = refresh(Trust(issued.trust.chain_id, {}, list(issued.trust.validators), {}), TrustReader(light))
        report = audit(issued.payload, trust, node=CertificateReader(light))
    assert report.verdict == "genuine"
    assert f"/v1/certificates/{issued.certificate_id}/audit" in recorder.paths
    assert len(recorder.ports) == 1  # keep-alive


def test_errors_are_mapped_as_node_client_maps_them(server: tuple[BackgroundServer, Recorder]) -> None:
    with LightNode(server[0].url) as light:
        with pytest.raises(NotFound) as found:
            light.certificate_audit("0" * 64)
        assert found.value.code == "unknown_certificate"
        with pytest.raises(NotFound, match="no block at height 999"):
            light.block(999)
    assert isinstance(error_of(Answer(500, [], b"<html>oops</html>")), ProtocolError)


def test_an_older_node_is_asked_the_single_questions(ledger_node: Node, issued: IssuedCertificate) -> None:
    recorder = Recorder()
    running = serve(ledger_node, recorder, audit_route=False)
    try:
        with LightNode(running.url) as light:
            assert light.certificate_audit(issued.certificate_id) is None
            assert light.certificate_audit(issued.certificate_id) is None
            report = audit(issued.payload, issued.trust, node=CertificateReader(light))
    finally:
        running.stop()
    assert report.verdict == "genuine"
    assert sum(p.endswith("/audit") for p in recorder.paths) == 1  # not asked for the route again


def test_a_node_nobody_listens_on_hands_over_to_the_next(server: tuple[BackgroundServer, Recorder]) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with LightNode(f"{dead},{server[0].url}") as light:
        assert light.status()["height"] >= 1
        assert light.base_url == server[0].url
    with LightNode(dead) as alone, pytest.raises(Unreachable, match="cannot reach"):
        alone.status()
    with LightNode([dead, f"http://127.0.0.1:{free_port()}"]) as both, pytest.raises(Unreachable) as none:
        both.status()
    assert len(none.value.failures) == 2


def test_greencert_verify_s_reads_never_load_httpx() -> None:
    script = ("import sys; import greencert.verify; from backend_client import LightNode, TrustReader, "
              "CertificateReader, ClientError; import backend_client.light_node; "
              "print('httpx' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True,
                          cwd=ROOT)
    assert done.stdout.strip() == "False"
