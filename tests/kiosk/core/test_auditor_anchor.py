"""The auditor's own trust anchor in the kiosk's Qt-free core (issue #13, ``kiosk.core.auditor_anchor``): online the
trust list comes from the anchor through a real node on a loopback port (the kiosk's list is never used, only its
node URLs); offline, only what the anchor proves: a PDF's audit bundle against its validators, the issuer keys
unknown and said so."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from greencert.servers import BackgroundServer, free_port
from kiosk.core.auditor import Auditor, NodeSession, TrustAnswer, TrustCache
from kiosk.core.auditor_anchor import LoadedAnchor, load_anchor, looks_like_anchor, short_chain
from ledger.api import create_app as create_node_app
from ledger.node import Node
from ledger_lite import SigningKey
from ledger_lite.trust_anchor import TrustError
from tests.helpers.issued_certificate import IssuedCertificate, issue_certificate
from tests.helpers.ledger_world import LedgerWorld
from tests.kiosk.verify_world import VerifyWorld, tampered


def steps(outcome) -> list[tuple[str, bool | None, str]]:
    return [(s.name, s.ok, s.code) for s in outcome.report.steps]


@pytest.fixture
def certificate(ledger_world: LedgerWorld, ledger_node: Node) -> IssuedCertificate:
    return issue_certificate(ledger_world, ledger_node)


@pytest.fixture
def node_url(ledger_node: Node) -> Iterator[str]:
    server = BackgroundServer(create_node_app(ledger_node), "127.0.0.1", free_port()).start()
    yield server.url
    server.stop()


def test_online_the_anchor_alone_is_trusted_not_the_kiosks_list(tmp_path: Path, ledger_world: LedgerWorld,
                                                                certificate: IssuedCertificate, node_url: str) -> None:
    """The kiosk's trust source names the node, but its list is a lie (no issuers, a stranger as validator): a
    check with the anchor does not care, the same check without it cannot trust the payload."""
    lying = replace(certificate.trust, issuers={}, validators=[SigningKey.derive("test/stranger").public])
    session = NodeSession()
    auditor = Auditor(TrustCache(tmp_path / "trust.json"), lambda: TrustAnswer(lying, (node_url,)),
                      open_node=session.open, open_client=session.client)
    assert auditor.check_scan(certificate.payload).verdict == "not genuine", "the kiosk's lying list alone"
    anchor = load_anchor(encode(ledger_world))
    for _ in range(2):  # one anchor, several checks: the headers checked are kept for the session
        auditor.anchor = anchor
        outcome = auditor.check_scan(certificate.payload)
        assert outcome.verdict == "genuine", outcome.report.to_json()
        assert outcome.source == "node" and outcome.trust_from == "anchor"
        assert ("trust", True, "trust.anchor") in steps(outcome)
    assert anchor.trust.headers, "the final headers checked are remembered in memory for fork detection"
    session.close()


def test_offline_a_pdf_proves_what_the_anchor_can_and_says_the_issuer_is_unknown(tmp_path: Path,
                                                                                  verify_world: VerifyWorld) -> None:
    auditor = verify_world.offline(tmp_path / "trust.json", cached=False)()
    auditor.anchor = load_anchor(verify_world.anchor())
    outcome = auditor.check_file(verify_world.pdf)
    assert steps(outcome) == [("read", True, "read.ok"), ("trust", True, "trust.anchor_offline"),
                              ("signature", None, "signature.anchor_offline"), ("inclusion", True, "inclusion.ok"),
                              ("record", True, "record.ok_issuance"), ("revocation", True, "revocation.ok")]
    assert outcome.verdict == "could not check", "an unchecked signature decides nothing"
    assert outcome.source == "bundle" and outcome.trust_from == "anchor" and outcome.bundle_height is not None
    assert "issuer keys" in outcome.report.steps[1].detail
    assert not (tmp_path / "trust.json").exists()


def test_offline_a_bundle_under_other_validators_fails_inclusion(tmp_path: Path, verify_world: VerifyWorld) -> None:
    auditor = verify_world.offline(tmp_path / "trust.json", cached=False)()
    auditor.anchor = load_anchor(verify_world.anchor(validators=[SigningKey.derive("test/someone-else").public]))
    outcome = auditor.check_file(verify_world.pdf)
    assert outcome.verdict == "not genuine" and outcome.failed_step() == "inclusion"
    assert ("inclusion", False, "inclusion.no_quorum") in steps(outcome)


def test_a_node_that_does_not_answer_falls_back_to_what_the_anchor_proves(tmp_path: Path,
                                                                          verify_world: VerifyWorld) -> None:
    auditor = verify_world.node_down(tmp_path / "trust.json")()
    auditor.anchor = load_anchor(verify_world.anchor())
    scanned = auditor.check_scan(verify_world.payload)
    assert steps(scanned) == [("read", True, "read.scanned"), ("trust", True, "trust.anchor_offline"),
                              ("signature", None, "signature.anchor_offline")]
    assert scanned.verdict == "could not check" and scanned.trust_from == "anchor"
    assert "127.0.0.1:9" in scanned.report.steps[1].params["reason"]
    assert auditor.check_file(verify_world.pdf).source == "bundle"


def test_offline_a_payload_of_another_chain_or_a_broken_one_fails_as_such(tmp_path: Path,
                                                                         verify_world: VerifyWorld) -> None:
    auditor = verify_world.offline(tmp_path / "trust.json", cached=False)()
    auditor.anchor = load_anchor(verify_world.anchor(chain_id="greencert-another-area"))
    outcome = auditor.check_scan(verify_world.payload)
    assert outcome.verdict == "not genuine" and ("payload", False, "payload.other_chain") in steps(outcome)
    auditor.anchor = load_anchor(verify_world.anchor())
    broken = auditor.check_scan(verify_world.payload[:-6])
    assert broken.verdict == "not genuine" and broken.failed_step() == "payload"
    forged = auditor.check_scan(tampered(verify_world.payload))  # unsigned claims: never "genuine" offline
    assert forged.verdict == "could not check"


def test_an_anchor_is_recognised_and_a_malformed_one_refused() -> None:
    assert looks_like_anchor(" gct1:abc") and not looks_like_anchor("GC1:abc")
    with pytest.raises(TrustError, match="expected a trust anchor"):
        load_anchor("GCT1:%%%")
    assert short_chain("a" * 40) == "a" * 15 + "…" and short_chain("greencert-test") == "greencert-test"


def encode(world: LedgerWorld) -> str:
    from ledger_lite.trust_anchor import encode_anchor

    return encode_anchor(world.chain_id, [world.validator.public])


def test_loaded_anchor_counts_its_validators(ledger_world: LedgerWorld) -> None:
    anchor = load_anchor(encode(ledger_world))
    assert isinstance(anchor, LoadedAnchor) and anchor.validator_count == 1
    assert anchor.chain_id == ledger_world.chain_id
