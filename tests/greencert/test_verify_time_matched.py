"""``greencert verify`` online proves the time-matched Wh a certificate states (claim ``tm``, issue 15) from the
ledger's asset records: proven, disproven (a payload signed with the issuer's own key stating another figure),
or, when the node cannot prove the records, a note that the figure is the issuer's statement."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from backend_client import CertificateReader, NodeClient
from greencert.demo import Demo
from greencert.verify import GENUINE, NOT_GENUINE, Report, Trust, check_time_matched, render, verify
from ledger_lite import encode_payload, peek_payload
from ledger_lite.audit import audit


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


def test_offline_there_is_no_time_matched_step(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    cache = tmp_path / "trust.json"
    verify(issued[0], node_url=demo.node_url, offline=False, trust_cache=cache)
    report = verify(str(issued[1]), node_url=None, offline=True, trust_cache=cache)
    assert report.exit_code == GENUINE and "time_matched" not in steps(report)


class WithoutAssets:
    """A node that answers the certificate but proves none of its assets (as an older node or a pruned state)."""

    def __init__(self, reader: CertificateReader) -> None:
        self.reader = reader

    def tx(self, tx_id: str) -> dict[str, Any]:
        return self.reader.tx(tx_id)

    def block(self, height: int) -> dict[str, Any]:
        return self.reader.block(height)

    def proven_value(self, key: str) -> dict[str, Any]:
        if key.startswith("asset/"):
            raise LookupError(f"no proof of {key}")
        return self.reader.proven_value(key)


def test_records_the_node_cannot_prove_leave_a_note(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    cache = tmp_path / "trust.json"
    verify(issued[0], node_url=demo.node_url, offline=False, trust_cache=cache)
    trust = Trust.from_json(json.loads(cache.read_text()))
    with NodeClient(demo.node_url) as client:
        report = audit(issued[0], trust, node=CertificateReader(client))
        check_time_matched(report, WithoutAssets(CertificateReader(client)), trust)
    assert report.exit_code == GENUINE and "time_matched" not in steps(report)
    code, params = report.note_id(report.notes[-1])
    assert code == "note.time_matched_unproven" and params["stated_wh"] == peek_payload(issued[0]).claims.tm
    assert "no proof of asset/" in params["reason"]
