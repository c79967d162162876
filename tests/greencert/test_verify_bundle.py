"""Fully offline, from the paper (issue #13): a certificate PDF carries an audit bundle, so ``greencert verify
--offline`` proves its ledger inclusion and finality with the trust list alone; a damaged, foreign or
under-signed bundle fails at the step it breaks."""

from __future__ import annotations

import copy
import json
import zlib
from pathlib import Path
from typing import Any

import pytest

from greencert.demo import Demo
from greencert.verify import GENUINE, NOT_GENUINE, UNCHECKED, Trust, anchor_file, verify
from ledger_lite import canonical, decode
from ledger_lite.audit import AuditBundle, Report, audit
from printing.reading import read_bundle


@pytest.fixture(scope="module")
def trust_cache(issued: tuple[str, Path], demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A trust list fetched once online, as an auditor would before going offline."""
    cache = tmp_path_factory.mktemp("trust") / "trust.json"
    assert verify(issued[0], node_url=demo.node_url, offline=False, trust_cache=cache).exit_code == GENUINE
    return cache


@pytest.fixture(scope="module")
def bundle(issued: tuple[str, Path]) -> AuditBundle:
    data = read_bundle(issued[1])
    assert data is not None, "the intermediary's PDF carries no audit bundle"
    return AuditBundle.decode(data)


def steps(report: Report) -> list[str]:
    return [f"{s.name}:{s.ok}" for s in report.steps]


def test_offline_the_pdf_proves_inclusion_finality_and_record(issued: tuple[str, Path], trust_cache: Path) -> None:
    report = verify(str(issued[1]), node_url=None, offline=True, trust_cache=trust_cache)
    assert report.exit_code == GENUINE, report
    assert steps(report) == ["read:True", "signature:True", "printed:True", "inclusion:True", "record:True",
                             "revocation:True", "time_matched:True"]
    assert report.source == "bundle"
    assert any("a revocation after that needs the network" in n for n in report.notes)


def test_an_unreachable_node_falls_back_to_the_papers_proofs(issued: tuple[str, Path], trust_cache: Path) -> None:
    report = verify(str(issued[1]), node_url="http://127.0.0.1:9", offline=False, trust_cache=trust_cache)
    assert report.exit_code == GENUINE and report.source == "bundle", report
    assert any("unreachable" in n and "audit bundle was checked instead" in n for n in report.notes)


def test_the_payload_alone_offline_checks_only_the_signature(issued: tuple[str, Path], trust_cache: Path) -> None:
    report = verify(issued[0], node_url=None, offline=True, trust_cache=trust_cache)
    assert steps(report) == ["signature:True"] and report.source == "none"
    assert any("the ledger was not asked" in n for n in report.notes)


def _audit(issued: tuple[str, Path], trust_cache: Path, bundle: AuditBundle, *, seen: bool = False) -> Report:
    """The bundle checked by a light node that has (``seen``) or has not verified the bundle's headers before."""
    trust = Trust.from_json(json.loads(trust_cache.read_text()))
    if not seen:
        trust.headers.clear()
    return audit(issued[0], trust, bundle=bundle)


def _with(bundle: AuditBundle, part: str, change: Any) -> AuditBundle:
    parts = {name: copy.deepcopy(getattr(bundle, name)) for name in ("tx", "block", "state", "head")}
    change(parts[part])
    return AuditBundle(bundle.certificate_id, **parts)


def test_a_bundle_whose_header_too_few_validators_signed_fails_finality(issued: tuple[str, Path], trust_cache: Path,
                                                                         bundle: AuditBundle) -> None:
    def unsign(block: dict[str, Any]) -> None:
        block["commit"]["signatures"] = []

    report = _audit(issued, trust_cache, _with(bundle, "block", unsign))
    assert report.exit_code == NOT_GENUINE
    failed = next(s for s in report.steps if s.ok is False)
    assert failed.name == "inclusion" and "valid validator signatures, expected at least 1" in failed.detail


def test_a_header_this_light_node_verified_before_is_not_verified_again(issued: tuple[str, Path],
                                                                        trust_cache: Path,
                                                                        bundle: AuditBundle) -> None:
    """Trust.headers holds the headers it checked as final: their commit signatures are not checked twice (a warm
    online check verifies none), so a copy without signatures of a header already known proves nothing new."""
    def unsign(block: dict[str, Any]) -> None:
        block["commit"]["signatures"] = []

    trust = Trust.from_json(json.loads(trust_cache.read_text()))
    assert bundle.block["header"]["height"] in trust.headers, "the online check before kept the header"
    report = _audit(issued, trust_cache, _with(bundle, "block", unsign), seen=True)
    assert report.exit_code == GENUINE, report


def test_a_bundle_with_an_edited_record_fails_the_state_proof(issued: tuple[str, Path], trust_cache: Path,
                                                              bundle: AuditBundle) -> None:
    def edit(state: dict[str, Any]) -> None:  # the proven bytes (the JSON "value" beside them is never trusted)
        record = decode(bytes.fromhex(state["value_cbor"]))
        record["wh"] += 1_000
        state["value_cbor"] = canonical(record).hex()

    report = _audit(issued, trust_cache, _with(bundle, "state", edit))
    failed = next(s for s in report.steps if s.ok is False)
    assert failed.name == "record" and "does not verify" in failed.detail


def test_a_bundle_of_another_certificate_is_refused(issued: tuple[str, Path], trust_cache: Path,
                                                    bundle: AuditBundle) -> None:
    other = AuditBundle("0" * 64, bundle.tx, bundle.block, bundle.state, bundle.head)
    report = _audit(issued, trust_cache, other)
    failed = next(s for s in report.steps if s.ok is False)
    assert failed.name == "inclusion" and "of certificate " + "0" * 64 in failed.detail


@pytest.mark.parametrize(("data", "message"), [
    (b"not zlib", "do not inflate"),
    (zlib.compress(b"[1, 2]"), "expected an audit bundle of version 1"),
    (zlib.compress(b"{"), "expected JSON"),
    (zlib.compress(b"0" * 600_000), "at most"),  # a zlib bomb is cut at the limit, never inflated whole
    (zlib.compress(json.dumps({"v": 1, "certificate_id": "x"}).encode()), "parts missing"),
])
def test_a_damaged_bundle_is_named(data: bytes, message: str) -> None:
    with pytest.raises(Exception, match=message):
        AuditBundle.decode(data)


def test_the_demos_trust_anchor_pins_the_chain(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    anchor = (demo.data_dir / "trust-anchor.txt").read_text().strip()
    assert anchor.startswith("GCT1:")
    report = verify(str(issued[1]), node_url=demo.node_url, offline=False, trust_cache=tmp_path / "t.json",
                    anchor=anchor)
    assert report.exit_code == GENUINE and report.source == "node", report
    assert not any("first use" in n for n in report.notes)
    trust = Trust.from_json(json.loads((tmp_path / "t.json").read_text()))
    assert trust.height > 0 and trust.headers  # brought up to date, with the headers it checked


def test_the_same_anchor_offline_takes_the_list_brought_up_to_date_from_it(issued: tuple[str, Path], demo: Demo,
                                                                            tmp_path: Path) -> None:
    """An anchor names the validators only; the issuers' keys are learnt online. Checked once online with it, the
    cache is kept with the anchor beside it, and the same anchor offline (or with the node gone) takes that cache:
    genuine from the paper's proofs, where the anchor alone could not check the issuer's signature."""
    anchor = (demo.data_dir / "trust-anchor.txt").read_text().strip()
    cache = tmp_path / "t.json"
    alone = verify(str(issued[1]), node_url="http://127.0.0.1:9", offline=False, trust_cache=cache, anchor=anchor)
    # what the anchor proves from the paper, the issuer's signature left unchecked: "could not check"
    assert alone.exit_code == UNCHECKED and alone.source == "bundle", alone
    assert steps(alone) == ["read:True", "trust:True", "signature:None", "inclusion:True", "record:True",
                            "revocation:True"]
    assert any("no trust list was brought up to date from this anchor" in n for n in alone.notes), alone
    assert steps(verify(str(issued[1]), node_url=None, offline=True, trust_cache=cache, anchor=anchor)) == \
        steps(alone)
    assert verify(str(issued[1]), node_url=demo.node_url, offline=False, trust_cache=cache,
                  anchor=anchor).exit_code == GENUINE
    assert anchor_file(cache).read_text().strip() == anchor
    for node_url, offline in (("http://127.0.0.1:9", False), (None, True)):
        report = verify(str(issued[1]), node_url=node_url, offline=offline, trust_cache=cache, anchor=anchor)
        assert report.exit_code == GENUINE and report.source == "bundle", report
        assert "signature:True" in steps(report)
    anchor_file(cache).write_text("GCT1:SOMEONE-ELSES\n")  # a list brought up to date from another anchor
    report = verify(str(issued[1]), node_url="http://127.0.0.1:9", offline=False, trust_cache=cache, anchor=anchor)
    assert report.exit_code == UNCHECKED and "signature:None" in steps(report)


def test_a_first_use_leaves_no_anchor_beside_its_list(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    cache = tmp_path / "t.json"
    anchor_file(cache).write_text("GCT1:LEFT-OVER\n")
    report = verify(str(issued[1]), node_url=demo.node_url, offline=False, trust_cache=cache)
    assert report.exit_code == GENUINE and any("first use" in n for n in report.notes)
    assert not anchor_file(cache).exists()


def test_a_qr_carrying_a_verify_link_is_read_as_its_payload(issued: tuple[str, Path], demo: Demo,
                                                           tmp_path: Path) -> None:
    """An institution format may print a link to the /verify page in the QR (qr_link_base): every verifier reads
    the payload out of the link, here from the rendered PDF."""
    import dataclasses as dc
    from urllib.parse import quote

    from intermediary.documents import document_of
    from intermediary.models import Certificate, Consumer
    from ledger_lite.audit import payload_text
    from printing import load_institutions, read_certificate_pdf, render_certificate_pdf
    from printing.qr import verify_link

    link = verify_link(issued[0], "https://green.example.jp")
    assert link.startswith("HTTPS://GREEN.EXAMPLE.JP/VERIFY/") and payload_text(link) == issued[0]
    assert payload_text(f"https://green.example.jp/verify?p={quote(issued[0], safe='')}&lang=ja") == issued[0]
    with demo.service.db() as db:
        cert = db.query(Certificate).first()
        assert cert is not None
        consumer = db.get(Consumer, cert.consumer_id)
        assert consumer is not None
        fmt = dc.replace(load_institutions()[cert.type_id], qr_link_base="https://green.example.jp")
        pdf = render_certificate_pdf(document_of(cert, consumer, reprint=False), fmt)
    path = tmp_path / "linked.pdf"
    path.write_bytes(pdf)
    assert read_certificate_pdf(path).payload.upper().startswith("HTTPS://GREEN.EXAMPLE.JP/VERIFY/")
    report = verify(str(path), node_url=demo.node_url, offline=False, trust_cache=tmp_path / "t.json")
    assert report.exit_code == GENUINE, report
