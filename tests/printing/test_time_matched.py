"""Issue 15: a certificate states how much of it is time-matched — on the paper in both languages and among the
facts verifiers show; a payload without the claim encodes and reads as before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from ledger_lite import Claims, SigningKey, encode_payload, peek_payload
from ledger_lite.errors import PayloadError
from printing import CertificateDocument, InstitutionFormat, RenderError, render_certificate_pdf
from printing.document import format_share
from printing.facts import FACT_NAMES, certificate_facts
from tests.printing.support import pdftotext, with_signed_payload

CLAIMS = Claims(cid="ab" * 32, chain="greencert-demo", h=7, own="Consumer Ca", m="solar", wh=4_000, ps=1_790_812_800,
                pe=1_790_812_800 + 4 * 1800, inst="jp-green-council", iat=1_790_900_000)
KEY = SigningKey.derive("test/time-matched")


@pytest.mark.parametrize("institution", ["jp-green-council", "intl-rec-registry"])
def test_the_paper_states_the_time_matched_part_in_both_languages(
        tmp_path: Path, make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat],
        institution: str) -> None:
    doc = with_signed_payload(make_document(institution_id=institution, time_matched_wh=617_283))
    path = tmp_path / "c.pdf"
    path.write_bytes(render_certificate_pdf(doc, formats[institution]))
    text = " ".join(pdftotext(path).split())
    assert "of which time-matched 617.283 kWh (49.9 %)" in text  # 617,283 / 1,234,567 = 49.99… %, rounded down
    assert "うち時間一致 617.283 kWh（49.9 %）" in text


def test_a_document_without_the_figure_prints_no_line(tmp_path: Path, make_document: Callable[..., CertificateDocument],
                                                      formats: dict[str, InstitutionFormat]) -> None:
    path = tmp_path / "c.pdf"
    path.write_bytes(render_certificate_pdf(with_signed_payload(make_document()), formats["jp-green-council"]))
    assert "time-matched" not in pdftotext(path)


def test_more_time_matched_than_the_amount_is_refused(make_document: Callable[..., CertificateDocument],
                                                      formats: dict[str, InstitutionFormat]) -> None:
    with pytest.raises(RenderError, match="time_matched_wh: expected at most the amount 1234567 Wh, found 1234568"):
        render_certificate_pdf(make_document(time_matched_wh=1_234_568), formats["jp-green-council"])


@pytest.mark.parametrize(("part", "whole", "text"), [(0, 10, "0.0 %"), (10, 10, "100.0 %"), (2, 3, "66.6 %"),
                                                     (5, 0, "0.0 %")])
def test_share_is_rounded_down_to_one_decimal(part: int, whole: int, text: str) -> None:
    assert format_share(part, whole) == text


def test_verifiers_show_the_figure_as_the_issuers_in_both_languages() -> None:
    with_tm = replace(CLAIMS, tm=3_000)
    en, ja = certificate_facts(with_tm), certificate_facts(with_tm, language="ja")
    assert en["time_matched"] == "3.000 kWh (75.0 %), signed by the issuer; not part of the ledger record check"
    assert ja["time_matched"].startswith("3.000 kWh（75.0 %）発行者の署名による値")
    assert tuple(certificate_facts(CLAIMS)) == FACT_NAMES  # no figure stated: no fact


def test_the_claim_round_trips_and_its_absence_changes_no_byte() -> None:
    assert peek_payload(encode_payload(replace(CLAIMS, tm=3_000), KEY)).claims.tm == 3_000
    assert "tm" not in CLAIMS.to_cbor()
    assert peek_payload(encode_payload(CLAIMS, KEY)).claims == CLAIMS
    with pytest.raises(PayloadError, match="expected claim 'tm' as a non-negative integer, found -1"):
        Claims.from_cbor({**CLAIMS.to_cbor(), "tm": -1})
