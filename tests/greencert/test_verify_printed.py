"""``greencert verify`` and the paper (issue #10, items 11 and 15): the printed short reference is checked on a
PDF; of a photo only the QR is read, and the report says so and lists the verified facts to read against the
paper; a demo started with --data-dir is found, and without a node the message says how to name one."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest

from greencert.cli import main
from greencert.demo import Demo
from greencert.verify import GENUINE, NOT_GENUINE, UNCHECKED, Report, check_printed, render, verify
from ledger_lite import peek_payload
from ledger_lite.reference import short_reference


def test_the_printed_reference_is_compared_on_a_pdf(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    report = verify(str(issued[1]), node_url=demo.node_url, offline=False, trust_cache=tmp_path / "t.json")
    printed = next(s for s in report.steps if s.name == "printed")
    assert report.exit_code == GENUINE and printed.ok is True
    assert "amount, certificate id and reference" in printed.detail and report.printed_compared


def test_a_printed_reference_of_another_certificate_is_not_genuine(issued: tuple[str, Path]) -> None:
    claims = peek_payload(issued[0]).claims
    other = "0" * 64 if not claims.cid.startswith("000000000000") else "f" * 64
    report = Report()
    check_printed(claims, {"kind": "pdf", "amount_wh": claims.wh, "certificate_id": claims.cid,
                           "short_reference": short_reference(other)}, report)
    assert [(s.name, s.ok) for s in report.steps] == [("printed", False)]
    assert report.exit_code == NOT_GENUINE and short_reference(claims.cid) in report.steps[0].detail


def test_a_photo_says_its_text_was_not_compared_and_lists_the_verified_facts(
    issued: tuple[str, Path], demo: Demo, tmp_path: Path
) -> None:
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(issued[1]), str(tmp_path / "photo")],
                   check=True)
    report = verify(str(tmp_path / "photo.png"), node_url=demo.node_url, offline=False,
                    trust_cache=tmp_path / "t.json")
    claims = peek_payload(issued[0]).claims
    assert report.exit_code == GENUINE and not report.printed_compared
    assert any("was not compared" in note for note in report.notes)
    # issue 15: a certificate issued now states its time-matched part too
    assert set(report.facts) == {"amount", "period", "method", "owner", "institution", "reference", "time_matched"}
    assert report.facts["reference"] == short_reference(claims.cid)
    assert "(JST)" in report.facts["period"] and "JST (UTC+9)" in report.facts["period"]
    text = render(report)
    assert "verified facts" in text and short_reference(claims.cid) in text and "Consumer Ca" in text
    assert text.index("verified facts") < text.index("was not compared") < text.index("verdict: GENUINE")
    assert json.loads(json.dumps(report.to_json()))["printed_compared"] is False


def test_verify_finds_a_demo_started_with_data_dir(issued: tuple[str, Path], demo: Demo, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "elsewhere"))  # no default demo
    code = main(["verify", str(issued[1]), "--data-dir", str(demo.data_dir), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == GENUINE and out["verdict"] == "genuine", out
    assert (demo.data_dir / "verify-trust.json").exists()


def test_without_a_node_the_message_says_how_to_pass_one(issued: tuple[str, Path], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", str(issued[1]), "--data-dir", str(tmp_path / "no-demo")])
    err = capsys.readouterr().err
    assert code == UNCHECKED and "--node URL" in err and "--data-dir DIR" in err
    report = verify(issued[0], node_url="http://127.0.0.1:1", offline=False, trust_cache=tmp_path / "none.json")
    assert report.exit_code == UNCHECKED
    assert any("--node URL" in s.detail for s in report.steps)


def test_facts_of_a_bad_claim_stay_printable(issued: tuple[str, Path]) -> None:
    from greencert.verify import facts_of

    claims = dataclasses.replace(peek_payload(issued[0]).claims, own="x" * 500, inst="nowhere")
    facts = facts_of(claims)
    assert len(facts["owner"]) <= 80 and facts["institution"] == "nowhere"
