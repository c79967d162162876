"""``greencert verify --lang ja`` (or a Japanese locale) prints the steps, their details and the verdict in
Japanese (issue #13); English stays as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from greencert.cli import main
from greencert.verify import language_of
from tests.helpers.verification_vectors import VECTORS

KEPT = json.loads(VECTORS.read_text())


def payload_of(name: str) -> str:
    return str(next(v for v in KEPT["vectors"] if v["name"] == name)["payload"])


@pytest.fixture
def trust_file(tmp_path: Path) -> Path:
    path = tmp_path / "trust.json"
    path.write_text(json.dumps(KEPT["trust"]))
    return path


def test_a_tampered_amount_in_japanese(trust_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", payload_of("tampered amount"), "--offline", "--trust", str(trust_file), "--lang", "ja"])
    out = capsys.readouterr().out
    assert code == 1
    assert "[FAIL] 発行者の署名: 署名が内容と一致しません。署名の後に内容" in out
    assert out.rstrip().endswith("判定: 本物ではありません") and "does not verify" not in out


def test_a_genuine_payload_in_japanese_words_its_facts_and_notes(trust_file: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", payload_of("genuine, signature only"), "--offline", "--trust", str(trust_file),
                 "--lang", "ja"])
    out = capsys.readouterr().out
    assert code == 0
    assert "[OK  ] 発行者の署名: 信頼リストにある発行者 " in out
    assert "発電量: 20.000 kWh" in out and "発電方法: 太陽光" in out
    assert "補足: オフライン: 信頼リストで署名を確認しました。" in out and out.rstrip().endswith("判定: 本物です")


def test_english_is_unchanged(trust_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", payload_of("a certificate of another chain"), "--offline", "--trust", str(trust_file),
                 "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 1
    assert "[FAIL] payload: expected a certificate of chain 'greencert-test', found 'another-chain'" in out
    assert out.rstrip().endswith("verdict: NOT GENUINE")


@pytest.mark.parametrize(("given", "environ", "expected"), [
    ("en", {"LANG": "ja_JP.UTF-8"}, "en"),
    (None, {"LANG": "ja_JP.UTF-8"}, "ja"),
    (None, {"LC_ALL": "C.UTF-8", "LANG": "ja_JP.UTF-8"}, "en"),
    (None, {"LC_MESSAGES": "ja_JP"}, "ja"),
    (None, {}, "en"),
])
def test_without_lang_the_locale_decides(given: str | None, environ: dict[str, str], expected: str) -> None:
    assert language_of(given, environ) == expected
