"""The verification's details in Japanese and English (issue #13): every registered id has both, worded as the
certificate's facts are, and the kept tampered vectors read as Japanese sentences."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from ledger_lite.audit import AuditBundle, Report, audit
from ledger_lite.detail_ids import DETAIL_PARAMS
from ledger_lite.verification import Step, Trust
from printing.step_texts import TEXTS, detail_text, note_text, step_text
from tests.helpers.verification_vectors import VECTORS

KEPT = json.loads(VECTORS.read_text())
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Sample parameters by name: what the source gives (text, integers, a list of differing fields).
SAMPLES: dict[str, Any] = {"count": 2, "limit": 4096, "found": "'GC2:abc'", "height": 12, "printed_wh": 1234567,
                           "signed_wh": 20000, "fields": [{"field": "amount", "ledger": 20000, "claimed": 30000}],
                           "against": "certificate"}


def sample(code: str) -> dict[str, Any]:
    return {name: SAMPLES.get(name, f"<{name}>") for name in DETAIL_PARAMS[code]}


def test_every_registered_id_has_japanese_and_english_and_nothing_else_is_there() -> None:
    assert set(TEXTS) == set(DETAIL_PARAMS)


@pytest.mark.parametrize("code", sorted(DETAIL_PARAMS))
def test_each_id_words_every_parameter_in_both_languages(code: str) -> None:
    params = sample(code)
    ja = detail_text(code, params, "ja", fallback="FALLBACK")
    en = detail_text(code, params, "en", fallback="FALLBACK")
    assert "FALLBACK" not in (ja, en) and "{" not in ja + en
    assert JAPANESE.search(ja), ja
    assert not JAPANESE.search(en), en
    # A template that drops a parameter is allowed only for the English-only technical reason.
    for name, value in params.items():
        if isinstance(value, str) and name != "reason" and name != "against":
            assert value in ja and value in en, (code, name)


def test_amounts_heights_and_times_are_worded_as_the_facts_are() -> None:
    assert detail_text("printed.amount_differs", {"printed_wh": 1234567, "signed_wh": 20000}, "ja", fallback="") \
        == "印刷された発電量 1,234.567 kWh が、署名された発電量 20.000 kWh と異なります。"
    fields = [{"field": "amount", "ledger": 20000, "claimed": 30000},
              {"field": "start", "ledger": 1711897200, "claimed": 1711900800},
              {"field": "method", "ledger": "solar", "claimed": "wind"}]
    ja = detail_text("record.mismatch", {"against": "certificate", "fields": fields}, "ja", fallback="")
    assert ja == ("台帳の記録が証明書と異なります。発電量: 台帳 20.000 kWh、証明書 30.000 kWh。"
                  "期間の開始: 台帳 2024年4月1日 00:00、証明書 2024年4月1日 01:00。"
                  "発電方法: 台帳 太陽光、証明書 風力。")
    en = detail_text("record.mismatch", {"against": "issuance", "fields": fields[:1]}, "en", fallback="")
    assert en == "the ledger's record differs from the issuance: amount: ledger 20.000 kWh, issuance 30.000 kWh"
    assert detail_text("inclusion.ok", {"height": 123456, "chain": "area-1"}, "ja", fallback="").startswith(
        "発行取引はチェーン area-1 の確定したブロック 123,456 に")


def test_without_an_id_or_with_other_parameters_the_english_detail_is_shown() -> None:
    assert step_text(Step("read", True, "a caller's own words"), "ja") == "a caller's own words"
    odd = Step("read", True, "QR code read from x", code="read.ok", params={"file": "x"})
    assert step_text(odd, "ja") == "QR code read from x"
    assert step_text(Step("read", True, "?", code="read.newer_id", params={}), "ja") == "?"


@pytest.mark.parametrize("vector", [v for v in KEPT["vectors"] if "step" in v["expect"]],
                         ids=[v["name"] for v in KEPT["vectors"] if "step" in v["expect"]])
def test_each_tampered_vector_fails_in_japanese_words(vector: dict[str, Any]) -> None:
    trust = Trust.from_json(KEPT["trust"])
    bundle = AuditBundle.decode(base64.b64decode(vector["bundle"])) if vector.get("bundle") else None
    report = audit(vector["payload"], trust, bundle=bundle)
    failed = next(s for s in report.steps if s.ok is not True)
    ja = step_text(failed, "ja")
    assert failed.code and JAPANESE.search(ja) and ja != failed.detail, failed
    assert not re.search(r"\b(expected|found|does not)\b", ja), ja
    assert step_text(failed, "en") and not JAPANESE.search(step_text(failed, "en"))
    for note in report.notes:
        assert JAPANESE.search(note_text(*report.note_id(note), "ja", fallback=note)), note


def test_the_tampered_amount_says_the_content_changed_after_signing() -> None:
    vector = next(v for v in KEPT["vectors"] if v["name"] == "tampered amount")
    report = audit(vector["payload"], Trust.from_json(KEPT["trust"]))
    assert step_text(report.steps[0], "ja").startswith("署名が内容と一致しません。署名の後に内容")


def test_a_report_note_without_an_id_is_shown_as_it_came() -> None:
    report = Report()
    report.note("plain words")
    assert note_text(*report.note_id("plain words"), "ja", fallback="plain words") == "plain words"
