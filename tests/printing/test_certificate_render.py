"""S212a: a certificate rendered from each shipped institution format, on A4 and Letter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ledger_lite.reference import short_reference
from printing import CertificateDocument, InstitutionFormat, RenderError, render_certificate_pdf
from printing.chart import bar_span, bin_profile, day_phase
from printing.document import format_amount_kwh, parse_amount_kwh
from printing.fonts import cjk_font_name
from tests.printing.support import fixture_payload, page_count, page_size_pts, pdffonts, pdftotext, words

PAPERS = {"A4": (595.3, 841.9), "Letter": (612.0, 792.0)}
APRIL_1_2024_JST = 1711897200


def _write(tmp_path: Path, pdf: bytes, name: str = "cert.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("institution", ["jp-green-council", "intl-rec-registry"])
def test_one_page_of_the_requested_size(
    tmp_path: Path,
    make_document: Callable[..., CertificateDocument],
    formats: dict[str, InstitutionFormat],
    paper: str,
    institution: str,
) -> None:
    pdf = render_certificate_pdf(make_document(institution_id=institution), formats[institution], paper=paper)
    path = _write(tmp_path, pdf)
    assert pdf.startswith(b"%PDF-")
    assert page_count(path) == 1
    assert page_size_pts(path) == pytest.approx(PAPERS[paper], abs=0.5)


def test_japanese_format_shows_every_field_in_jst(
    tmp_path: Path, make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat]
) -> None:
    doc = make_document()
    text = pdftotext(_write(tmp_path, render_certificate_pdf(doc, formats["jp-green-council"])))
    for expected in (
        "電力の発電方法証明書",
        "Certificate of Electricity Production Method",
        "一般社団法人 グリーン電力認証協議会",
        "1,234.567 kWh",
        "2024年4月1日 00:00 〜 2024年4月3日 00:00 (JST)",
        "太陽光",
        "Solar",
        "再生可能エネルギー",
        "Renewable",
        "Consumer Ca",
        "2024年4月4日 (JST)",
        doc.certificate_id,
        "greencert-demo",
        "4711",
        "1時間ごとの発電量 / Production per hour (kWh)",  # the chart's title: two days, one bar per hour
        "時刻は JST (UTC+9) / Times in JST (UTC+9)",
        "QRコードで真正性を確認できます",
    ):
        assert expected in text, f"{expected!r} missing from:\n{text}"
    assert "REPRINT" not in text


def test_english_format_shows_the_period_in_the_sites_zone_and_says_which(
    tmp_path: Path, make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat]
) -> None:
    # issue #10, item 13: the kiosk shows JST, so every layout prints JST (it printed UTC) and says so
    doc = make_document(institution_id="intl-rec-registry", production_method="lng", category="fossil")
    text = pdftotext(_write(tmp_path, render_certificate_pdf(doc, formats["intl-rec-registry"])))
    assert "1 Apr 2024 00:00 – 3 Apr 2024 00:00 (JST)" in text
    assert "Times in JST (UTC+9) / 時刻は JST (UTC+9)" in text
    assert "4 Apr 2024 (JST)" in text
    assert "(UTC)" not in text
    assert "International Renewable Energy Certificate Registry" in text
    assert "Production per hour / 1時間ごとの発電量 (kWh)" in text
    assert "Liquefied natural gas (LNG)" in text
    assert "化石燃料" in text
    assert "Fossil" in text


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_reprint_is_marked(
    tmp_path: Path,
    make_document: Callable[..., CertificateDocument],
    formats: dict[str, InstitutionFormat],
    paper: str,
) -> None:
    pdf = render_certificate_pdf(make_document(reprint=True), formats["jp-green-council"], paper=paper)
    assert "再発行 / REPRINT" in pdftotext(_write(tmp_path, pdf))


def test_same_document_gives_same_bytes(
    make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat]
) -> None:
    fmt = formats["jp-green-council"]
    assert render_certificate_pdf(make_document(), fmt) == render_certificate_pdf(make_document(), fmt)


def test_japanese_font_is_embedded(
    make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat]
) -> None:
    pdf = render_certificate_pdf(make_document(), formats["jp-green-council"])
    assert b"/FontFile2" in pdf  # an embedded TrueType program, not a viewer-dependent CID font


@pytest.mark.parametrize("profile", [(), tuple(range(96))])
@pytest.mark.parametrize("institution", ["jp-green-council", "intl-rec-registry"])
def test_every_font_in_the_pdf_is_embedded(
    tmp_path: Path,
    make_document: Callable[..., CertificateDocument],
    formats: dict[str, InstitutionFormat],
    institution: str,
    profile: tuple[int, ...],
) -> None:
    # issue #10, item 14: Helvetica (the page's initial font, the chart) and Courier (the id) were not embedded
    doc = make_document(institution_id=institution, profile_wh=profile, reprint=True)
    fonts = pdffonts(_write(tmp_path, render_certificate_pdf(doc, formats[institution])))
    assert fonts, "pdffonts listed no font"
    assert [name for name, embedded in fonts if not embedded] == [], fonts


@pytest.mark.parametrize("institution", ["jp-green-council", "intl-rec-registry"])
def test_the_short_reference_is_printed_above_the_certificate_id(
    tmp_path: Path,
    make_document: Callable[..., CertificateDocument],
    formats: dict[str, InstitutionFormat],
    institution: str,
) -> None:
    doc = make_document(institution_id=institution)
    path = _write(tmp_path, render_certificate_pdf(doc, formats[institution]))
    reference = short_reference(doc.certificate_id)
    found = {w.text: w for w in words(path)}
    assert reference in found, f"{reference} not printed"
    id_word = next(w for w in words(path) if doc.certificate_id[:32] in w.text)
    ref = found[reference]
    assert 0 < id_word.y_min - ref.y_max < 20, "right above the full id"
    assert ref.y_max - ref.y_min > 1.3 * (id_word.y_max - id_word.y_min), "larger than the id"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"certificate_id": "abc"}, "certificate_id: expected 64 hexadecimal characters, found 'abc'"),
        ({"production_method": "steam"}, "production_method: expected one of solar, .*found 'steam'"),
        (
            {"category": "fossil"},
            "category: expected 'renewable' for production method 'solar', found 'fossil'",
        ),
        ({"amount_wh": 0}, "amount_wh: expected an integer >= 1, found 0"),
        ({"period_end": 1711897200}, "period_end: expected an integer >= 1711897201"),
        ({"owner": " "}, "owner: expected a non-empty string"),
        ({"profile_wh": (1, -2)}, r"profile_wh\[1\]: expected an integer >= 0, found -2"),
        ({"time_zone": "Mars/Olympus"}, "time_zone: expected an IANA time zone such as 'Asia/Tokyo', found 'Mars"),
        ({"institution_id": "intl-rec-registry"}, "expected the format of 'intl-rec-registry', found 'jp-"),
        ({"payload": fixture_payload(1100)}, "version ≤ 20 at error correction Q or M, found version 2\\d at M"),
        ({"payload": fixture_payload(5000)}, "version ≤ 20 at error correction Q or M, found version > 40"),
    ],
)
def test_bad_documents_are_refused(
    make_document: Callable[..., CertificateDocument],
    formats: dict[str, InstitutionFormat],
    changes: dict[str, object],
    message: str,
) -> None:
    with pytest.raises(RenderError, match=message):
        render_certificate_pdf(make_document(**changes), formats["jp-green-council"])


def test_unknown_paper_is_refused(
    make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat]
) -> None:
    with pytest.raises(RenderError, match=r"paper: expected one of A4, Letter, found 'A3'"):
        render_certificate_pdf(make_document(), formats["jp-green-council"], paper="A3")


def test_missing_cjk_font_says_what_to_install(tmp_path: Path) -> None:
    not_a_font = tmp_path / "notes.ttf"
    not_a_font.write_text("not a font")
    with pytest.raises(RenderError, match=r"no Japanese TrueType font found.*fonts-ipaexfont-gothic") as info:
        cjk_font_name([tmp_path / "missing.ttf", not_a_font])
    assert "missing.ttf (missing)" in str(info.value)
    assert "notes.ttf (" in str(info.value)


@pytest.mark.parametrize(
    ("wh", "text"),
    [
        (0, "0.000 kWh"),
        (7, "0.007 kWh"),
        (1000, "1.000 kWh"),
        (1_234_567, "1,234.567 kWh"),
        (987_654_321_012, "987,654,321.012 kWh"),
    ],
)
def test_amount_is_printed_as_kwh_with_three_decimals_and_parses_back(wh: int, text: str) -> None:
    assert format_amount_kwh(wh) == text
    assert parse_amount_kwh(f"発電量\n{text}\n") == wh


def test_long_profiles_are_summed_into_round_spans_of_at_most_48_bars() -> None:
    month = tuple(range(1440))  # 30 days of half-hours from local midnight
    bars, per_bar = bin_profile(month)
    assert per_bar == 48
    assert len(bars) == 30
    assert sum(bars) == sum(month)
    assert bar_span(per_bar, "en") == "day"
    assert bar_span(per_bar, "ja") == "1日"
    assert bar_span(96, "en") == "2 days"
    assert bar_span(1, "ja") == "30分"
    assert bar_span(12, "en") == "6 h"
    assert bin_profile(tuple(range(96)))[1] == 2  # two days: one bar per hour
    assert bin_profile(tuple(range(48 * 90)))[1] == 96  # three months: one bar per two days


def test_bars_start_at_local_midnight() -> None:
    # 2024-03-31 15:00 UTC = 2024-04-01 00:00 JST: aligned in Tokyo, 30 half-hours into the day in UTC
    assert day_phase(APRIL_1_2024_JST, 540) == 0
    assert day_phase(APRIL_1_2024_JST, 0) == 30
    month = tuple([1] * 1440)
    bars, per_bar = bin_profile(month, phase=30)
    assert per_bar == 48
    assert bars[0] == 18  # 15:00-24:00 of the first day
    assert bars[1:-1] == [48] * 29
    assert bars[-1] == 30
    assert sum(bars) == 1440


def test_empty_profile_says_there_is_no_breakdown(
    tmp_path: Path, make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat]
) -> None:
    pdf = render_certificate_pdf(make_document(profile_wh=()), formats["jp-green-council"])
    assert "30分毎の内訳はありません / No half-hourly breakdown" in pdftotext(_write(tmp_path, pdf))


@pytest.mark.parametrize(("halves", "en", "ja"), [(96, "Production per hour", "1時間ごとの発電量"),
                                                  (1440, "Production per day", "1日ごとの発電量"),
                                                  (20, "Production per 30 min", "30分ごとの発電量")])
def test_the_charts_caption_says_what_one_bar_is(
    tmp_path: Path, make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat],
    halves: int, en: str, ja: str,
) -> None:
    # issue #10, item 13: it said "half-hourly" and "1 bar = 12 h" at once
    doc = make_document(profile_wh=tuple([100] * halves), period_end=APRIL_1_2024_JST + halves * 1800)
    text = pdftotext(_write(tmp_path, render_certificate_pdf(doc, formats["jp-green-council"])))
    assert f"{ja} / {en} (kWh)" in text
    assert "Half-hourly" not in text and "1本 =" not in text


def test_a_site_in_another_zone_prints_its_own_zone(
    tmp_path: Path, make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat]
) -> None:
    doc = make_document(time_zone="Europe/Berlin")  # 2024-03-31 17:00 CEST
    text = pdftotext(_write(tmp_path, render_certificate_pdf(doc, formats["jp-green-council"])))
    assert "2024年3月31日 17:00 〜 2024年4月2日 17:00 (CEST)" in text
    assert "時刻は CEST (UTC+2)" in text


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_long_owner_name_wraps_and_still_fits(
    tmp_path: Path,
    make_document: Callable[..., CertificateDocument],
    formats: dict[str, InstitutionFormat],
    paper: str,
) -> None:
    owner = (
        "株式会社グリーンエネルギー需要家サービス 東日本第二事業本部 再生可能エネルギー調達推進部 調達第一課"
    )
    pdf = render_certificate_pdf(
        make_document(owner=owner, reprint=True), formats["jp-green-council"], paper=paper
    )
    path = _write(tmp_path, pdf)
    assert page_count(path) == 1
    assert "調達第一課" in pdftotext(path)


def test_owner_name_too_long_for_the_page_is_refused(
    make_document: Callable[..., CertificateDocument], formats: dict[str, InstitutionFormat]
) -> None:
    with pytest.raises(
        RenderError,
        match=r"layout: expected \d+ pt between header and footer for the blocks \(.*fields \d+.*found -?\d+ pt",
    ):
        render_certificate_pdf(
            make_document(owner="Consumer " * 300), formats["jp-green-council"], paper="Letter"
        )


@pytest.mark.parametrize("profile", [(), (0, 0, 0), (5,)])
def test_small_or_empty_profiles_render(
    make_document: Callable[..., CertificateDocument],
    formats: dict[str, InstitutionFormat],
    profile: tuple[int, ...],
) -> None:
    pdf = render_certificate_pdf(make_document(profile_wh=profile), formats["jp-green-council"])
    assert pdf.startswith(b"%PDF-")
