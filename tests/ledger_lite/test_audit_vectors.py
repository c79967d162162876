"""The verification procedure on the kept vectors (tests/assets/verification/vectors.json): each good one is
genuine, each tampered one fails at the step it breaks, with words that say so — never a traceback or a hang."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from ledger_lite.audit import AuditBundle, audit
from ledger_lite.verification import Trust
from tests.helpers.verification_vectors import VECTORS, build

KEPT = json.loads(VECTORS.read_text())


def test_the_kept_vectors_are_what_the_code_makes_today() -> None:
    """Made again from derived keys and a manual clock, they are byte for byte the kept file (a format change
    shows here first: run ``python -m tests.helpers.verification_vectors`` and review the difference)."""
    assert build() == KEPT


@pytest.mark.parametrize("vector", KEPT["vectors"], ids=[v["name"] for v in KEPT["vectors"]])
def test_each_vector_fails_where_it_is_broken(vector: dict[str, Any]) -> None:
    trust = Trust.from_json(KEPT["trust"])
    bundle = AuditBundle.decode(base64.b64decode(vector["bundle"])) if vector.get("bundle") else None
    report = audit(vector["payload"], trust, bundle=bundle)
    expect = vector["expect"]
    assert report.verdict == expect["verdict"], report
    if "step" in expect:
        failed = next(s for s in report.steps if s.ok is not True)
        assert failed.name == expect["step"], report
        assert expect["detail"] in failed.detail, failed
