"""Every message id a verification step or note is given in the source is registered, always with the same
parameters (``ledger_lite.detail_ids``), so that a front end can word it in any language (issue #13)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ledger_lite.audit import Report
from ledger_lite.detail_ids import DETAIL_PARAMS, params_fit
from ledger_lite.trust_anchor import TrustError, decode_anchor

ROOT = Path(__file__).resolve().parents[2]
# Where ids are given: the light node, and the front ends that add steps of their own.
SOURCES = [*sorted((ROOT / "ledger_lite").glob("*.py")), ROOT / "greencert" / "verify.py",
           ROOT / "intermediary" / "web" / "verify_page.py", ROOT / "kiosk" / "core" / "auditor.py",
           ROOT / "kiosk" / "core" / "auditor_anchor.py"]
ID_KEYWORDS = ("code", "detail_code")


def ids_given(path: Path) -> list[tuple[str, tuple[str, ...] | None, int]]:
    """(id, its parameter names or None when they are not a dict literal, line) of each call naming an id."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        for name in ID_KEYWORDS:
            value = keywords.get(name)
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                params = keywords.get("params")
                names: tuple[str, ...] | None = None
                if isinstance(params, ast.Dict) and all(isinstance(k, ast.Constant) for k in params.keys):
                    names = tuple(sorted(str(k.value) for k in params.keys if isinstance(k, ast.Constant)))
                elif params is None and name == "detail_code":
                    names = ("reason",)  # TrustError's default parameters
                found.append((value.value, names, node.lineno))
    return found


ALL_GIVEN = [(path.relative_to(ROOT).as_posix(), *given) for path in SOURCES for given in ids_given(path)]


def test_the_walk_finds_the_ids_it_should() -> None:
    """The walk sees the source's ids (a walk that saw none would pass everything)."""
    seen = {code for _, code, _, _ in ALL_GIVEN}
    assert {"signature.invalid", "payload.other_chain", "record.mismatch", "read.ok", "trust.bad_anchor",
            "ledger.conflicting_headers", "note.offline_bundle"} <= seen
    assert len(ALL_GIVEN) > 40


@pytest.mark.parametrize(("where", "code", "names", "line"), ALL_GIVEN,
                         ids=[f"{w}:{line}:{c}" for w, c, _, line in ALL_GIVEN])
def test_each_id_given_is_registered_with_its_parameters(where: str, code: str, names: tuple[str, ...] | None,
                                                         line: int) -> None:
    assert code in DETAIL_PARAMS, f"{where}:{line}: id {code!r} is not in ledger_lite.detail_ids.DETAIL_PARAMS"
    assert names is not None, f"{where}:{line}: give the parameters of {code!r} as a dict literal (params={{...}})"
    assert names == tuple(sorted(DETAIL_PARAMS[code])), \
        f"{where}:{line}: {code!r} expects parameters {DETAIL_PARAMS[code]}, found {names}"


def test_every_registered_id_is_given_somewhere() -> None:
    """An id nobody gives is text nobody reads: a renamed id shows here."""
    given = {code for _, code, _, _ in ALL_GIVEN} | {"trust.unproven"}  # TrustError's default id
    assert set(DETAIL_PARAMS) - given == set()


def test_a_trust_error_carries_its_id_and_parameters() -> None:
    with pytest.raises(TrustError) as caught:
        decode_anchor("not an anchor")
    assert caught.value.detail_code == "trust.bad_anchor" and params_fit("trust.bad_anchor", caught.value.params)
    plain = TrustError("the node's answers do not prove the registry: x")
    assert plain.detail_code == "trust.unproven" and params_fit("trust.unproven", plain.params)


def test_a_report_keeps_the_id_of_each_step_and_note_and_its_english() -> None:
    report = Report()
    report.add("read", True, "QR code read from a.pdf", code="read.ok", params={"name": "a.pdf"})
    report.note("offline: ...", code="note.offline_signature_only", params={})
    report.note("a caller's own words")
    step = report.steps[0]
    assert (step.detail, step.code, step.params) == ("QR code read from a.pdf", "read.ok", {"name": "a.pdf"})
    assert report.note_id("offline: ...") == ("note.offline_signature_only", {})
    assert report.note_id("a caller's own words") == ("", {})
    assert report.to_json()["steps"][0]["code"] == "read.ok"
