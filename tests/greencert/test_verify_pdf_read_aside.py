"""``greencert verify`` reads a PDF in its child while the trust list is loaded and the node asked (issue 16):
the report is the one a reading in turn gives — the read step first, then the trust list's steps and notes —
and a PDF without a payload stops there."""

from __future__ import annotations

from pathlib import Path

from greencert.demo import Demo
from greencert.servers import free_port
from greencert.verify import GENUINE, UNCHECKED, verify
from tests.helpers.hostile_files import pdf_of_size


def names(report: object) -> list[str]:
    return [f"{s.name}:{s.ok}" for s in report.steps]  # type: ignore[attr-defined]


def test_without_a_trust_list_the_read_comes_first(issued: tuple[str, Path], tmp_path: Path) -> None:
    report = verify(str(issued[1]), node_url=None, offline=True, trust_cache=tmp_path / "none.json")
    assert report.exit_code == UNCHECKED
    assert names(report) == ["read:True", "trust:None"]


def test_an_unreachable_node_is_named_after_the_read(issued: tuple[str, Path], demo: Demo, tmp_path: Path) -> None:
    cache = tmp_path / "trust.json"
    assert verify(issued[0], node_url=demo.node_url, offline=False, trust_cache=cache).exit_code == GENUINE
    report = verify(str(issued[1]), node_url=f"http://127.0.0.1:{free_port()}", offline=False, trust_cache=cache)
    assert names(report)[0] == "read:True"
    assert report.exit_code == GENUINE and report.source == "bundle"  # the PDF's audit bundle stood in
    assert any(n.startswith("ledger node http://127.0.0.1") for n in report.notes)


def test_a_pdf_without_a_payload_asks_nothing_more(demo: Demo, tmp_path: Path) -> None:
    blank = pdf_of_size(tmp_path / "blank.pdf", 595, 842)
    report = verify(str(blank), node_url=demo.node_url, offline=False, trust_cache=tmp_path / "trust.json")
    assert names(report) == ["read:False"] and report.notes == []
