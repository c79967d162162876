"""``greencert verify`` proves the time-matched Wh a certificate states (claim ``tm``, issue 15) with the ledger's
certificate record, which the ``cert.issue`` rule wrote it into: proven online and offline (the PDF's audit
bundle proves the record), disproven (a payload signed with the issuer's own key stating another figure), or, for
a record from before the ledger recorded it, a note that the figure is the issuer's statement."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from greencert.demo import Demo
from greencert.verify import GENUINE, NOT_GENUINE, Report, render, verify
from ledger_lite import encode_payload, peek_payload
from ledger_lite.audit import check_time_matched


def steps(report: Report) -> dict[str, bool | None]:
    return {s.name: s.ok for s in report.steps}


def test_the_stated_figure_is_proven(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    stated = peek_payload(issued[0]).claims.tm
    assert isinstance(stated, int)
    report = verify(issued[0], node_url=demo.node_url, offline=False, trust_cache=tmp_path / "trust.json")
    assert report.exit_code == GENUINE and steps(report)["time_matched"] is True
    step = next(s for s in report.steps if s.name == "time_matched")
    assert step.code == "time_matched.proven" and step.params == {"stated_wh": stated}
    assert "時間一致" in render(report, "ja") and "time_matched" in render(report, "en")


def test_another_stated_figure_is_not_genuine(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    claims = peek_payload(issued[0]).claims
    assert claims.tm is not None
    other = claims.tm + 500 if claims.tm + 500 <= claims.wh else claims.tm - 500
    forged = encode_payload(dataclasses.replace(claims, tm=other), demo.world.intermediary)
    report = verify(forged, node_url=demo.node_url, offline=False, trust_cache=tmp_path / "trust.json")
    assert report.exit_code == NOT_GENUINE
    assert steps(report)["record"] is True and steps(report)["time_matched"] is False
    step = next(s for s in report.steps if s.name == "time_matched")
    assert step.params == {"stated_wh": other, "proven_wh": claims.tm}


def test_offline_the_audit_bundle_proves_it_too(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    cache = tmp_path / "trust.json"
    verify(issued[0], node_url=demo.node_url, offline=False, trust_cache=cache)
    report = verify(str(issued[1]), node_url=None, offline=True, trust_cache=cache)
    assert report.exit_code == GENUINE and steps(report)["time_matched"] is True


def test_a_record_from_before_leaves_a_note(issued: tuple[str, Path]) -> None:
    claims = peek_payload(issued[0]).claims
    report = Report()
    check_time_matched(dataclasses.replace(claims, tm=1_800), {"wh": 3_600}, report)
    assert "time_matched" not in steps(report)
    code, params = report.note_id(report.notes[-1])
    assert code == "note.time_matched_unproven" and params["stated_wh"] == 1_800
    assert "predates" in params["reason"]
