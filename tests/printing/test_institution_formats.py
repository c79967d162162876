"""Institution formats (seed Fig. 11B): shipped JSON files, and clear errors for malformed ones."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from printing import FormatError, load_institution, load_institutions
from printing.institutions import BLOCK_KEYS, FIELD_KEYS, Layout
from tests.printing.logos import draw_logo

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "institutions"
LOGO = "logos/test-registry.png"


def _valid(institution_id: str = "test-registry") -> dict[str, object]:
    data: dict[str, object] = json.loads((SHIPPED / "intl-rec-registry.json").read_text(encoding="utf-8"))
    data["institution_id"] = institution_id
    data["logo"] = LOGO
    return data


def _write(directory: Path, name: str, content: object) -> Path:
    path = directory / name
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def logo(tmp_path: Path) -> Path:
    """Every test directory has the logo the valid format names."""
    return draw_logo(tmp_path / LOGO)


def test_shipped_formats_are_one_japanese_and_one_english() -> None:
    formats = load_institutions()
    assert set(formats) == {"jp-green-council", "intl-rec-registry"}
    jp, intl = formats["jp-green-council"], formats["intl-rec-registry"]
    assert (jp.language, intl.language) == ("ja", "en")
    assert jp.title_ja == "電力の発電方法証明書"
    assert intl.title_en == "Certificate of Electricity Production Method"


def test_shipped_formats_have_their_own_logo_and_layout() -> None:
    formats = load_institutions()
    jp, intl = formats["jp-green-council"], formats["intl-rec-registry"]
    for fmt in (jp, intl):
        assert fmt.logo is not None
        assert fmt.logo.file == f"logos/{fmt.institution_id}.png"
        assert fmt.logo.data == (SHIPPED / fmt.logo.file).read_bytes()
        assert sorted(fmt.layout.blocks) == sorted(BLOCK_KEYS)
        assert sorted(fmt.layout.fields) == sorted(FIELD_KEYS)
        assert fmt.layout.chart
    assert (jp.layout.qr_position, intl.layout.qr_position) == ("left", "right")
    assert (jp.layout.logo_position, intl.layout.logo_position) == ("left", "center")
    assert intl.layout.blocks[0] == "fields"
    assert intl.layout.fields[0] == "certificate_id"


def test_adding_an_institution_is_adding_a_file(tmp_path: Path) -> None:
    _write(tmp_path, "test-registry.json", _valid())
    _write(tmp_path, "README.txt", "ignored")
    formats = load_institutions(tmp_path)
    assert list(formats) == ["test-registry"]
    assert formats["test-registry"].name_en == "International Renewable Energy Certificate Registry"


def test_optional_fields_have_defaults(tmp_path: Path) -> None:
    data = _valid()
    for name in ("accent_color", "signatory_ja", "signatory_en", "verify_url", "layout"):
        del data[name]
    fmt = load_institution(_write(tmp_path, "test-registry.json", data))
    assert fmt.accent_color == "#1b5e20"
    assert fmt.verify_url == ""
    assert fmt.layout == Layout()
    assert fmt.layout.blocks == BLOCK_KEYS
    assert fmt.layout.fields == FIELD_KEYS


def test_layout_keys_are_each_optional(tmp_path: Path) -> None:
    data = _valid()
    data["layout"] = {"qr_position": "right", "chart": False, "logo_height_mm": 12}
    fmt = load_institution(_write(tmp_path, "test-registry.json", data))
    assert fmt.layout == Layout(qr_position="right", chart=False, logo_height_mm=12.0)


def test_logo_is_read_relative_to_the_format_file(tmp_path: Path, logo: Path) -> None:
    fmt = load_institution(_write(tmp_path, "test-registry.json", _valid()))
    assert fmt.logo is not None
    assert fmt.logo.data == logo.read_bytes()
    assert (fmt.logo.width_px, fmt.logo.height_px) == (320, 160)
    assert fmt.logo.aspect == 2.0


def _with(**changes: object) -> dict[str, object]:
    data = _valid()
    for key, value in changes.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    return data


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"institution_id": ', r"test-registry.json: expected JSON, found a syntax error at line 1 column"),
        ("[1, 2]", r"test-registry.json: expected a JSON object, found list"),
        (_with(title_ja=None), r"test-registry.json: field 'title_ja' is missing"),
        (_with(title_en=42), r"test-registry.json: field 'title_en': expected a non-empty string, found 42"),
        (_with(name_ja=""), r"test-registry.json: field 'name_ja': expected a non-empty string, found ''"),
        (_with(titel_ja="x"), r"test-registry.json: field 'titel_ja' is unknown"),
        (_with(language="de"), r"test-registry.json: field 'language': expected 'ja' or 'en', found 'de'"),
        (_with(utc_offset_minutes=0), r"field 'utc_offset_minutes' is no longer part of a format: every time is "
                                      r"printed in the site's time zone"),
        (_with(timezone_label="UTC"), r"field 'timezone_label' is no longer part of a format"),
        # issue #10, 8a: both wordings real, so an English screen never shows Japanese in their place
        (_with(name_en="グリーン電力認証協議会"), r"field 'name_en': expected English text, found Japanese 'グ'"),
        (_with(title_en="Certificate 証明書"), r"field 'title_en': expected English text, found Japanese '証'"),
        (_with(name_ja="Test Registry"), r"field 'name_ja': expected Japanese text \(kana or kanji\), found 'Test"),
        (_with(statement_ja="Same as English."), r"field 'statement_ja': expected Japanese text"),
        (_with(signatory_en=None), r"field 'signatory_en': expected the wording in both languages, found only"),
        (_with(accent_color="green"), r"field 'accent_color': expected '#rrggbb', found 'green'"),
        (_with(institution_id="other"), r"field 'institution_id': expected 'test-registry' .*found 'other'"),
        (_with(logo=None), r"test-registry.json: field 'logo' is missing"),
        (_with(logo=42), r"test-registry.json: field 'logo': expected a file name such as 'logos/<id>.png', found 42"),
        (_with(logo="../logo.png"), r"field 'logo': expected a path relative to the format's directory without '..'"),
        (_with(logo="/etc/logo.png"), r"field 'logo': expected a path relative to the format's directory"),
        (_with(logo="logos/nope.png"), r"field 'logo': expected a PNG or JPEG image at .*nope.png, found nothing"),
        (_with(layout=[]), r"test-registry.json: field 'layout': expected a JSON object, found list"),
        (_with(layout={"qr_side": "left"}), r"field 'layout.qr_side' is unknown; expected only blocks, fields, "),
        (_with(layout={"qr_position": "top"}), r"field 'layout.qr_position': expected one of left, right, found 'top'"),
        (_with(layout={"logo_position": 1}), r"field 'layout.logo_position': expected one of left, center, right"),
        (_with(layout={"frame": "dotted"}), r"field 'layout.frame': expected one of double, single, none"),
        (_with(layout={"chart": "yes"}), r"field 'layout.chart': expected true or false, found 'yes'"),
        (_with(layout={"logo_height_mm": 100}), r"field 'layout.logo_height_mm': expected a number of milli.* 8..30"),
        (_with(layout={"logo_height_mm": True}), r"field 'layout.logo_height_mm': expected a number .*found True"),
        (_with(layout={"blocks": "fields"}), r"field 'layout.blocks': expected a list of names out of statement, "),
        (_with(layout={"blocks": ["fields", "qr"]}), r"field 'layout.blocks': expected every .*'statement' missing"),
        (
            _with(layout={"blocks": ["fields", "qr", "qr", "statement"]}),
            r"field 'layout.blocks': expected each name once, found 'qr' 2 times",
        ),
        (
            _with(layout={"fields": [*FIELD_KEYS, "signature"]}),
            r"field 'layout.fields': expected names out of amount, .*found unknown 'signature'",
        ),
        (
            _with(layout={"fields": [key for key in FIELD_KEYS if key != "owner"]}),
            r"field 'layout.fields': expected every one of .*found 'owner' missing",
        ),
    ],
)
def test_malformed_file_names_file_and_field(tmp_path: Path, content: object, message: str) -> None:
    _write(tmp_path, "test-registry.json", content)
    with pytest.raises(FormatError, match=message):
        load_institutions(tmp_path)


def _png_bytes(size: tuple[int, int] = (100, 100), image_format: str = "PNG") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (20, 120, 60)).save(buffer, format=image_format)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"not an image at all", r"found a file that is not an image"),
        (_png_bytes()[:-40], r"found a damaged image"),
        (_png_bytes()[:60] + bytes(40) + _png_bytes()[100:], r"found a damaged image"),
        (_png_bytes(image_format="GIF"), r"found a GIF image"),
        (_png_bytes((10, 10)), r"64..4096 pixels on each side at .*logos/test-registry.png, found 10x10"),
        (_png_bytes((5000, 80)), r"found 5000x80"),
    ],
    ids=["not-an-image", "truncated", "corrupted", "gif", "too-small", "too-large"],
)
def test_malformed_logo_names_file_and_field(tmp_path: Path, logo: Path, content: bytes, found: str) -> None:
    logo.write_bytes(content)
    _write(tmp_path, "test-registry.json", _valid())
    with pytest.raises(FormatError, match=r"test-registry.json: field 'logo': expected .*" + found):
        load_institutions(tmp_path)


def test_jpeg_logo_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "logos" / "test-registry.jpg").write_bytes(_png_bytes((200, 100), "JPEG"))
    fmt = load_institution(_write(tmp_path, "test-registry.json", _with(logo="logos/test-registry.jpg")))
    assert fmt.logo is not None
    assert (fmt.logo.width_px, fmt.logo.height_px) == (200, 100)


def test_non_utf8_file_is_a_format_error(tmp_path: Path) -> None:
    (tmp_path / "test-registry.json").write_bytes(b'{"name_ja": "\x93\xfa\x96\x7b"}')
    with pytest.raises(FormatError, match=r"test-registry.json: expected UTF-8 text"):
        load_institutions(tmp_path)


def test_missing_directory_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"expected a directory, found nothing at .*nowhere"):
        load_institutions(tmp_path / "nowhere")
