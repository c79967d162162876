"""Institution formats: the certificate type table of seed Fig. 11B, one JSON file per institution.

S212a: the generation unit looks up the format of the institution named in the request and writes the
transaction's contents into it.  Adding an institution is adding ``resources/institutions/<id>.json``.
"""

from __future__ import annotations

import json
import re
from dataclasses import MISSING, dataclass, fields
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from printing.errors import FormatError

LANGUAGES = ("ja", "en")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class InstitutionFormat:
    """How one issuing institution's certificate looks."""

    institution_id: str  # = the file name without ".json"
    name_ja: str
    name_en: str
    title_ja: str  # e.g. 「電力の発電方法証明書」
    title_en: str  # e.g. "Certificate of Electricity Production Method"
    language: str  # primary language: "ja" (dates in JST) or "en" (dates in UTC)
    statement_ja: str
    statement_en: str
    timezone_label: str  # printed next to every date, e.g. "JST"
    utc_offset_minutes: int  # fixed offset of that zone (JST = 540, UTC = 0)
    accent_color: str = "#1b5e20"  # "#rrggbb" of the frame and headings
    signatory_ja: str = ""
    signatory_en: str = ""
    verify_url: str = ""  # printed under the QR when set

    def name(self, language: str) -> str:
        return self.name_ja if language == "ja" else self.name_en

    def title(self, language: str) -> str:
        return self.title_ja if language == "ja" else self.title_en

    def statement(self, language: str) -> str:
        return self.statement_ja if language == "ja" else self.statement_en

    def signatory(self, language: str) -> str:
        return self.signatory_ja if language == "ja" else self.signatory_en

    @property
    def other_language(self) -> str:
        return "en" if self.language == "ja" else "ja"


_FIELDS = {f.name: f for f in fields(InstitutionFormat)}
_REQUIRED = [name for name, f in _FIELDS.items() if f.default is MISSING]
_INT_FIELDS = {"utc_offset_minutes"}


def default_directory() -> Traversable:
    """``resources/institutions`` as shipped with the package."""
    return files("resources").joinpath("institutions")


def load_institutions(directory: Path | Traversable | None = None) -> dict[str, InstitutionFormat]:
    """All ``*.json`` formats in ``directory`` (default: the shipped ones), keyed by institution id."""
    root = default_directory() if directory is None else directory
    if not root.is_dir():
        raise FormatError(f"institution formats: expected a directory, found nothing at {root}")
    formats: dict[str, InstitutionFormat] = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json") and entry.is_file():
            fmt = load_institution(entry)
            formats[fmt.institution_id] = fmt  # ids equal unique file names, so no clash
    return formats


def load_institution(path: Path | Traversable) -> InstitutionFormat:
    """One institution format file; :class:`FormatError` names the file and the field."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise FormatError(f"{path}: expected UTF-8 text, found invalid byte at offset {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"{path}: expected JSON, found a syntax error at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    if not isinstance(data, dict):
        raise FormatError(f"{path}: expected a JSON object, found {type(data).__name__}")
    return _build(path, data)


def _build(path: Path | Traversable, data: dict[str, Any]) -> InstitutionFormat:
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise FormatError(f"{path}: field {unknown[0]!r} is unknown; expected only {', '.join(_FIELDS)}")
    for name in _REQUIRED:
        if name not in data:
            raise FormatError(f"{path}: field {name!r} is missing")
    for name, value in data.items():
        if name in _INT_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise FormatError(f"{path}: field {name!r}: expected an integer, found {value!r}")
        elif not isinstance(value, str) or (name in _REQUIRED and not value.strip()):
            raise FormatError(f"{path}: field {name!r}: expected a non-empty string, found {value!r}")
    fmt = InstitutionFormat(**data)
    _check_values(path, fmt)
    return fmt


def _check_values(path: Path | Traversable, fmt: InstitutionFormat) -> None:
    stem = path.name.removesuffix(".json")
    if not _ID.fullmatch(fmt.institution_id) or fmt.institution_id != stem:
        raise FormatError(
            f"{path}: field 'institution_id': expected {stem!r} (the file name, lower-case letters, "
            f"digits and '-'), found {fmt.institution_id!r}"
        )
    if fmt.language not in LANGUAGES:
        raise FormatError(f"{path}: field 'language': expected 'ja' or 'en', found {fmt.language!r}")
    if not -720 <= fmt.utc_offset_minutes <= 840:
        raise FormatError(
            f"{path}: field 'utc_offset_minutes': expected -720..840, found {fmt.utc_offset_minutes}"
        )
    if not _COLOR.fullmatch(fmt.accent_color):
        raise FormatError(f"{path}: field 'accent_color': expected '#rrggbb', found {fmt.accent_color!r}")
