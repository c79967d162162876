"""What rendering keeps between and within certificates (issue 16: a PDF without waiting): the QR symbol encoded
once per text, paragraphs wrapped once per page, binary Flate streams; the certificate reads back the same."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from printing import CertificateDocument, InstitutionFormat, read_certificate_pdf, render_certificate_pdf
from printing.qr import make_qr
from tests.printing.support import fixture_payload


def test_the_qr_symbol_is_encoded_once_per_text() -> None:
    text = fixture_payload(seed=16)
    assert make_qr(text) is make_qr(text)
    assert make_qr(fixture_payload(seed=17)).matrix != make_qr(text).matrix


def test_streams_are_binary_flate_and_the_certificate_reads_back(
    tmp_path: Path, make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat],
    payload: str,
) -> None:
    pdf = render_certificate_pdf(make_document(), formats["jp-green-council"])
    assert b"/ASCII85Decode" not in pdf
    assert b"/FlateDecode" in pdf
    path = tmp_path / "cert.pdf"
    path.write_bytes(pdf)
    printed = read_certificate_pdf(path)
    assert payload in printed.payloads


def test_two_certificates_rendered_in_turn_keep_their_own_texts(
    make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat],
) -> None:
    fmt = formats["jp-green-council"]
    first = render_certificate_pdf(make_document(owner="Consumer Ca"), fmt)
    second = render_certificate_pdf(make_document(owner="Consumer Cb"), fmt)
    again = render_certificate_pdf(make_document(owner="Consumer Ca"), fmt)
    assert first == again
    assert first != second
