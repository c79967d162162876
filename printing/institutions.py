"""Institution formats: the certificate type table of seed Fig. 11B, one JSON file per institution.

S212a: the generation unit looks up the format of the institution named in the request and writes the
transaction's contents into it.  A format is wording, language, a logo file and layout choices (block and
field order, QR side, chart, logo position, frame); adding an institution is adding
``resources/institutions/<id>.json`` and its logo (``resources/institutions/README.md`` lists the fields).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import MISSING, dataclass, field, fields
from importlib.resources import files
from importlib.resources.abc import Traversable
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from printing.errors import FormatError, RenderError

if TYPE_CHECKING:  # Pillow is imported when a logo is read: naming an institution (printing.facts) never loads it
    from PIL import Image

LANGUAGES = ("ja", "en")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
# Kana and kanji: a "_ja" wording has some, an "_en" one none (nor CJK punctuation or full-width forms).
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_CJK_ONLY = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uffef]")
# Fields of earlier versions: times are now printed in the site's zone (CertificateDocument.time_zone).
_RETIRED = {"timezone_label", "utc_offset_minutes"}

# The rows of the field table (keys of words.LABELS); every certificate shows all of them (issue 4).
FIELD_KEYS = ("amount", "period", "method", "category", "owner", "issued", "issuer", "certificate_id", "anchor")
# The blocks between the header (+ reprint mark) and the footer; "qr" is the QR with the chart beside it.
BLOCK_KEYS = ("statement", "fields", "qr")
LOGO_FORMATS = ("PNG", "JPEG")
LOGO_MIN_PIXELS = 64
LOGO_MAX_PIXELS = 4096
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_HEIGHT_MM = (8.0, 30.0)
EMBED_MAX_PIXELS = 1024  # ≥ 430 dpi at the widest a logo is printed (60 mm)


@dataclass(frozen=True)
class Layout:
    """Layout choices of a format (the ``"layout"`` object of the JSON file); every key is optional."""

    blocks: tuple[str, ...] = BLOCK_KEYS  # order from top to bottom, each of BLOCK_KEYS once
    fields: tuple[str, ...] = FIELD_KEYS  # order of the field table, each of FIELD_KEYS once
    qr_position: str = "left"  # "left" | "right": the QR's side, the chart takes the other
    chart: bool = True  # the half-hourly chart beside the QR
    logo_position: str = "left"  # "left" | "center" | "right" in the header
    logo_height_mm: float = 18.0
    frame: str = "double"  # "double" | "single" | "none"


@dataclass(frozen=True)
class Logo:
    """The institution's logo: a PNG or JPEG file next to the format file (``"logo"``).

    ``pixels`` is what the renderer embeds, prepared once when the format is loaded: a PNG flattened onto
    the white paper (no transparency mask to write into every PDF), as raw RGB of ``pixels_size``, scaled
    down to at most ``EMBED_MAX_PIXELS`` on its long side.  Empty for a JPEG, which is embedded as it is.
    """

    file: str  # as written in the format file, relative to its directory
    data: bytes = field(repr=False)
    width_px: int
    height_px: int
    pixels: bytes = field(default=b"", repr=False)
    pixels_size: tuple[int, int] = (0, 0)

    @property
    def aspect(self) -> float:
        """Width / height."""
        return self.width_px / self.height_px


@dataclass(frozen=True)
class InstitutionFormat:
    """How one issuing institution's certificate looks."""

    institution_id: str  # = the file name without ".json"
    name_ja: str
    name_en: str
    title_ja: str  # e.g. 「電力の発電方法証明書」
    title_en: str  # e.g. "Certificate of Electricity Production Method"
    language: str  # primary language: "ja" or "en" (times are in the site's zone: CertificateDocument.time_zone)
    statement_ja: str
    statement_en: str
    accent_color: str = "#1b5e20"  # "#rrggbb" of the frame and headings
    signatory_ja: str = ""
    signatory_en: str = ""
    verify_url: str = ""  # printed under the QR when set
    # The QR carries a link to this intermediary's public /verify page (e.g. "https://green.example.jp") instead of
    # the bare payload, when the link still fits QR version 20 (printing.qr.qr_text); "" keeps the bare payload.
    qr_link_base: str = ""
    logo: Logo | None = None  # required in format files; None only for formats built in code
    layout: Layout = Layout()

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
_OBJECT_FIELDS = {"logo", "layout"}  # parsed by _logo() and _layout()
_REQUIRED = [name for name, f in _FIELDS.items() if f.default is MISSING] + ["logo"]
_WORDING = ("name", "title", "statement", "signatory")  # each as "<word>_ja" and "<word>_en"


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
            fmt = load_institution(entry, base=root)
            formats[fmt.institution_id] = fmt  # ids equal unique file names, so no clash
    return formats


def load_wording(institution_id: str, directory: Path | Traversable | None = None) -> InstitutionFormat | None:
    """The format of ``institution_id`` in ``directory`` (default: the shipped ones) with every field checked but
    its logo not read (``logo`` is ``None``), or ``None`` when no format has that id. What a verifier names the
    institution with (``printing.facts``): decoding and flattening every format's logo with Pillow cost
    ``greencert verify`` ~20–35 ms for two names (issue 16). The id comes from a payload that may be hostile:
    only an id that can be a format's file name (``[a-z0-9][a-z0-9-]*``) is looked up."""
    if not isinstance(institution_id, str) or not _ID.fullmatch(institution_id):
        return None
    root = default_directory() if directory is None else directory
    entry = root.joinpath(f"{institution_id}.json")
    if not entry.is_file():
        return None
    return load_institution(entry, base=root, logo=False)


def load_institution(path: Path | Traversable, *, base: Path | Traversable | None = None,
                     logo: bool = True) -> InstitutionFormat:
    """One institution format file; :class:`FormatError` names the file and the field.

    The logo is looked up relative to ``base`` (default: the directory of ``path``); ``logo=False`` leaves it
    unread (``InstitutionFormat.logo`` is ``None``: a format for its wording, never for rendering).
    """
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
    if base is None:
        parent = getattr(path, "parent", None)
        if parent is None:
            raise FormatError(f"{path}: cannot tell which directory its logo is in; pass base=")
        base = parent
    return _build(path, base, data, with_logo=logo)


def _build(path: Path | Traversable, base: Path | Traversable, data: dict[str, Any], *,
           with_logo: bool = True) -> InstitutionFormat:
    retired = sorted(set(data) & _RETIRED)
    if retired:
        raise FormatError(f"{path}: field {retired[0]!r} is no longer part of a format: every time is printed in "
                          "the site's time zone (CertificateDocument.time_zone); remove the field")
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise FormatError(f"{path}: field {unknown[0]!r} is unknown; expected only {', '.join(_FIELDS)}")
    for name in _REQUIRED:
        if name not in data:
            raise FormatError(f"{path}: field {name!r} is missing")
    for name, value in data.items():
        if name in _OBJECT_FIELDS:
            continue
        if not isinstance(value, str) or (name in _REQUIRED and not value.strip()):
            raise FormatError(f"{path}: field {name!r}: expected a non-empty string, found {value!r}")
    values = {name: value for name, value in data.items() if name not in _OBJECT_FIELDS}
    fmt = InstitutionFormat(
        **values, logo=_logo(path, base, data["logo"]) if with_logo else None,
        layout=_layout(path, data.get("layout", {})),
    )
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
    _check_languages(path, fmt)
    if not _COLOR.fullmatch(fmt.accent_color):
        raise FormatError(f"{path}: field 'accent_color': expected '#rrggbb', found {fmt.accent_color!r}")
    if fmt.qr_link_base:
        from printing.qr import verify_link

        try:
            verify_link("GC1:", fmt.qr_link_base)
        except RenderError as exc:
            raise FormatError(f"{path}: field 'qr_link_base': {exc}") from None


def _check_languages(path: Path | Traversable, fmt: InstitutionFormat) -> None:
    """Both wordings are real (issue #10, 8a): a "_ja" field has kana or kanji, an "_en" field none, so a screen
    or a page in English never shows Japanese in their place."""
    for word in _WORDING:
        ja, en = getattr(fmt, f"{word}_ja"), getattr(fmt, f"{word}_en")
        if ja and not _JAPANESE.search(ja):
            raise FormatError(f"{path}: field '{word}_ja': expected Japanese text (kana or kanji), found {ja[:60]!r}")
        found = _CJK_ONLY.search(en)
        if found:
            raise FormatError(f"{path}: field '{word}_en': expected English text, found Japanese "
                              f"{found.group()!r} in {en[:60]!r}")
        if bool(ja) != bool(en):
            missing = f"{word}_en" if ja else f"{word}_ja"
            raise FormatError(f"{path}: field {missing!r}: expected the wording in both languages, found only the "
                              f"other one")


def _logo(path: Path | Traversable, base: Path | Traversable, value: object) -> Logo:
    """The logo file named by field ``logo``: a PNG or JPEG inside the formats directory."""
    where = f"{path}: field 'logo'"
    if not isinstance(value, str) or not value.strip():
        raise FormatError(f"{where}: expected a file name such as 'logos/<id>.png', found {value!r}")
    parts = value.split("/")
    if value.startswith("/") or "\\" in value or any(part in ("", ".", "..") for part in parts):
        raise FormatError(
            f"{where}: expected a path relative to the format's directory without '..' "
            f"(e.g. 'logos/<id>.png'), found {value!r}"
        )
    entry = base
    for part in parts:
        entry = entry.joinpath(part)
    if not entry.is_file():
        raise FormatError(f"{where}: expected a PNG or JPEG image at {entry}, found nothing")
    data = entry.read_bytes()
    from PIL import Image, UnidentifiedImageError

    if len(data) > LOGO_MAX_BYTES:
        raise FormatError(
            f"{where}: expected at most {LOGO_MAX_BYTES // 1024} KiB at {entry}, found {len(data) // 1024} KiB"
        )
    try:
        with Image.open(BytesIO(data)) as image:
            kind = image.format
            image.verify()  # checksums (PNG) and structure
        with Image.open(BytesIO(data)) as image:
            image.load()  # a truncated file fails only when decoded
            width, height = image.size
            pixels, pixels_size = _flattened(image) if kind == "PNG" else (b"", (0, 0))
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as exc:
        raise FormatError(f"{where}: expected a PNG or JPEG image at {entry}, found {_image_error(exc)}") from exc
    if kind not in LOGO_FORMATS:
        raise FormatError(f"{where}: expected a PNG or JPEG image at {entry}, found a {kind} image")
    if min(width, height) < LOGO_MIN_PIXELS or max(width, height) > LOGO_MAX_PIXELS:
        raise FormatError(
            f"{where}: expected {LOGO_MIN_PIXELS}..{LOGO_MAX_PIXELS} pixels on each side at {entry}, "
            f"found {width}x{height}"
        )
    return Logo(file=value, data=data, width_px=width, height_px=height, pixels=pixels, pixels_size=pixels_size)


def _flattened(image: Image.Image) -> tuple[bytes, tuple[int, int]]:
    """RGB on white, at most EMBED_MAX_PIXELS on the long side."""
    from PIL import Image

    rgba = image.convert("RGBA")
    if max(rgba.size) > EMBED_MAX_PIXELS:
        scale = EMBED_MAX_PIXELS / max(rgba.size)
        size = (max(1, round(rgba.width * scale)), max(1, round(rgba.height * scale)))
        rgba = rgba.resize(size, Image.Resampling.LANCZOS)
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    paper.alpha_composite(rgba)
    rgb = paper.convert("RGB")
    return rgb.tobytes(), rgb.size


def _image_error(exc: BaseException) -> str:
    from PIL import UnidentifiedImageError

    if isinstance(exc, UnidentifiedImageError):
        return "a file that is not an image"
    return f"a damaged image ({exc})"


_LAYOUT_FIELDS = {f.name: f for f in fields(Layout)}
_CHOICES = {
    "qr_position": ("left", "right"),
    "logo_position": ("left", "center", "right"),
    "frame": ("double", "single", "none"),
}
_ORDERS = {"blocks": BLOCK_KEYS, "fields": FIELD_KEYS}


def _layout(path: Path | Traversable, value: object) -> Layout:
    if not isinstance(value, dict):
        raise FormatError(f"{path}: field 'layout': expected a JSON object, found {type(value).__name__}")
    unknown = sorted(set(value) - set(_LAYOUT_FIELDS))
    if unknown:
        raise FormatError(
            f"{path}: field 'layout.{unknown[0]}' is unknown; expected only {', '.join(_LAYOUT_FIELDS)}"
        )
    checked: dict[str, Any] = {}
    for name, item in value.items():
        where = f"{path}: field 'layout.{name}'"
        if name in _CHOICES:
            if item not in _CHOICES[name]:
                raise FormatError(f"{where}: expected one of {', '.join(_CHOICES[name])}, found {item!r}")
            checked[name] = item
        elif name in _ORDERS:
            checked[name] = _order(where, item, _ORDERS[name])
        elif name == "chart":
            if not isinstance(item, bool):
                raise FormatError(f"{where}: expected true or false, found {item!r}")
            checked[name] = item
        elif name == "logo_height_mm":
            low, high = LOGO_HEIGHT_MM
            number_ok = isinstance(item, int | float) and not isinstance(item, bool) and math.isfinite(item)
            if not number_ok or not low <= item <= high:
                raise FormatError(f"{where}: expected a number of millimetres {low:g}..{high:g}, found {item!r}")
            checked[name] = float(item)
    return Layout(**checked)


def _order(where: str, item: object, keys: tuple[str, ...]) -> tuple[str, ...]:
    """A permutation of ``keys``: every one exactly once."""
    if not isinstance(item, list) or not all(isinstance(key, str) for key in item):
        raise FormatError(f"{where}: expected a list of names out of {', '.join(keys)}, found {item!r}")
    unknown = [key for key in item if key not in keys]
    if unknown:
        raise FormatError(f"{where}: expected names out of {', '.join(keys)}, found unknown {unknown[0]!r}")
    doubled = [key for key in keys if item.count(key) > 1]
    if doubled:
        raise FormatError(f"{where}: expected each name once, found {doubled[0]!r} {item.count(doubled[0])} times")
    missing = [key for key in keys if key not in item]
    if missing:
        raise FormatError(f"{where}: expected every one of {', '.join(keys)}, found {missing[0]!r} missing")
    return tuple(item)
