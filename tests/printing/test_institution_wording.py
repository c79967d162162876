"""``printing.institutions.load_wording``: an institution's names for a verifier's facts without its logo (issue 16:
no Pillow, no logo decoded), every other field checked as ``load_institution`` does, and only ids that can be a
format's file name looked up (the id comes from a payload that may be hostile)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from printing import FormatError, InstitutionFormat
from printing.institutions import load_wording

ROOT = Path(__file__).resolve().parents[2]


def test_the_wording_is_the_loaded_format_s_without_its_logo(formats: dict[str, InstitutionFormat]) -> None:
    for institution_id, full in formats.items():
        wording = load_wording(institution_id)
        assert wording is not None and wording.logo is None
        assert (wording.name_ja, wording.name_en, wording.title_en, wording.layout) == \
            (full.name_ja, full.name_en, full.title_en, full.layout)


@pytest.mark.parametrize("institution_id", ["", "no-such-institution", "../institutions/jp-green-council",
                                            "JP-GREEN-COUNCIL", "jp-green-council.json", "/etc/passwd", "-x",
                                            "jp-green-council\n"])
def test_an_id_that_names_no_format_is_none(institution_id: str) -> None:
    assert load_wording(institution_id) is None


def test_a_broken_format_is_a_format_error_without_reading_its_logo(tmp_path: Path) -> None:
    fields = {"institution_id": "test-registry", "name_ja": "試験登録機関", "name_en": "Test Registry",
              "title_ja": "証明書", "title_en": "Certificate", "language": "en", "statement_ja": "証明します。",
              "statement_en": "We certify.", "logo": "logos/none.png"}
    (tmp_path / "test-registry.json").write_text(json.dumps(fields), encoding="utf-8")
    wording = load_wording("test-registry", tmp_path)  # the logo file is not there: not looked at
    assert wording is not None and wording.name_en == "Test Registry" and wording.logo is None
    (tmp_path / "test-registry.json").write_text(json.dumps({**fields, "language": "fr"}), encoding="utf-8")
    with pytest.raises(FormatError, match="field 'language': expected 'ja' or 'en', found 'fr'"):
        load_wording("test-registry", tmp_path)


def test_the_facts_load_no_pillow() -> None:
    """``greencert verify`` names the institution without Pillow (~10 ms to import) or the logos (~20 ms)."""
    script = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
              "from printing.facts import certificate_facts\nfrom ledger_lite import Claims\n"
              "facts = certificate_facts(Claims(cid='ab' * 32, chain='c', h=1, own='Consumer Ca', m='solar', "
              "wh=1000, ps=1711897200, pe=1711899000, inst='jp-green-council', iat=1711899000))\n"
              "print(facts['institution']); print('PIL' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    institution, loaded = done.stdout.strip().splitlines()
    assert institution.startswith("jp-green-council (Green Power Certification Council of Japan / ")
    assert loaded == "False"
