"""Institution formats (seed Fig. 11B): shipped JSON files, and clear errors for malformed ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from printing import FormatError, load_institution, load_institutions

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "institutions"


def _valid(institution_id: str = "test-registry") -> dict[str, object]:
    data: dict[str, object] = json.loads((SHIPPED / "intl-rec-registry.json").read_text(encoding="utf-8"))
    data["institution_id"] = institution_id
    return data


def _write(directory: Path, name: str, content: object) -> Path:
    path = directory / name
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_formats_are_one_japanese_and_one_english() -> None:
    formats = load_institutions()
    assert set(formats) == {"jp-green-council", "intl-rec-registry"}
    jp, intl = formats["jp-green-council"], formats["intl-rec-registry"]
    assert (jp.language, jp.timezone_label, jp.utc_offset_minutes) == ("ja", "JST", 540)
    assert (intl.language, intl.timezone_label, intl.utc_offset_minutes) == ("en", "UTC", 0)
    assert jp.title_ja == "電力の発電方法証明書"
    assert intl.title_en == "Certificate of Electricity Production Method"


def test_adding_an_institution_is_adding_a_file(tmp_path: Path) -> None:
    _write(tmp_path, "test-registry.json", _valid())
    _write(tmp_path, "README.txt", "ignored")
    formats = load_institutions(tmp_path)
    assert list(formats) == ["test-registry"]
    assert formats["test-registry"].name_en == "International Renewable Energy Certificate Registry"


def test_optional_fields_have_defaults(tmp_path: Path) -> None:
    data = _valid()
    for name in ("accent_color", "signatory_ja", "signatory_en", "verify_url"):
        del data[name]
    fmt = load_institution(_write(tmp_path, "test-registry.json", data))
    assert fmt.accent_color == "#1b5e20"
    assert fmt.verify_url == ""


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
        (_with(utc_offset_minutes="540"), r"field 'utc_offset_minutes': expected an integer, found '540'"),
        (_with(utc_offset_minutes=5000), r"field 'utc_offset_minutes': expected -720..840, found 5000"),
        (_with(accent_color="green"), r"field 'accent_color': expected '#rrggbb', found 'green'"),
        (_with(institution_id="other"), r"field 'institution_id': expected 'test-registry' .*found 'other'"),
    ],
)
def test_malformed_file_names_file_and_field(tmp_path: Path, content: object, message: str) -> None:
    _write(tmp_path, "test-registry.json", content)
    with pytest.raises(FormatError, match=message):
        load_institutions(tmp_path)


def test_non_utf8_file_is_a_format_error(tmp_path: Path) -> None:
    (tmp_path / "test-registry.json").write_bytes(b'{"name_ja": "\x93\xfa\x96\x7b"}')
    with pytest.raises(FormatError, match=r"test-registry.json: expected UTF-8 text"):
        load_institutions(tmp_path)


def test_missing_directory_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"expected a directory, found nothing at .*nowhere"):
        load_institutions(tmp_path / "nowhere")
