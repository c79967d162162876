"""The embedded CJK TrueType font certificates are drawn with (shared/ENVIRONMENT.md, PDF and QR).

reportlab's built-in CID fonts and its standard fonts (Helvetica, Courier) are not embedded and look different
in every viewer, so one TrueType file is embedded for every text on the page, Latin, digits and the certificate
id included (issue #10, item 14): IPAexGothic first (Debian fonts-ipaexfont-gothic, installed by
scripts/bootstrap.sh), then whatever fontconfig offers for Japanese.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterable
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from printing.errors import RenderError

PREFERRED_FONT = Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
_TRUETYPE_SUFFIXES = (".ttf", ".otf", ".ttc")
_registered: dict[Path, str] = {}
_registering = threading.Lock()  # one registration, whichever thread renders first (the name is in the PDF)


def fontconfig_candidates() -> list[Path]:
    """Japanese-capable font files known to fontconfig, best match first (empty without fontconfig)."""
    if shutil.which("fc-match") is None:
        return []
    found: list[Path] = []
    commands = (["fc-match", "-f", "%{file}\n", ":lang=ja"], ["fc-list", ":lang=ja", "file"])
    for command in commands:
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        for line in result.stdout.splitlines():
            path = Path(line.strip().rstrip(":"))
            if path.suffix.lower() in _TRUETYPE_SUFFIXES and path not in found:
                found.append(path)
    return found


def find_cjk_font(candidates: Iterable[Path] | None = None) -> tuple[Path, TTFont]:
    """The first candidate reportlab can embed; :class:`RenderError` if there is none."""
    if candidates is None:
        candidates = [PREFERRED_FONT, *fontconfig_candidates()]
    tried: list[str] = []
    for path in candidates:
        if not path.is_file():
            tried.append(f"{path} (missing)")
            continue
        try:
            return path, TTFont(f"GreenCertCJK-{len(_registered)}", str(path))
        except (TTFError, OSError) as exc:  # e.g. CFF outlines in Noto CJK .ttc files
            tried.append(f"{path} ({exc})")
    raise RenderError(
        "no Japanese TrueType font found: expected IPAexGothic at "
        f"{PREFERRED_FONT} (Debian package fonts-ipaexfont-gothic) or a TrueType font for :lang=ja "
        f"from fontconfig; tried {'; '.join(tried) or 'nothing'}"
    )


def cjk_font_name(candidates: Iterable[Path] | None = None) -> str:
    """Register the CJK font with reportlab once and return its name."""
    if candidates is None and _registered:
        return next(iter(_registered.values()))
    with _registering:
        if candidates is None and _registered:
            return next(iter(_registered.values()))
        path, font = find_cjk_font(candidates)
        if path not in _registered:
            pdfmetrics.registerFont(font)
            _registered[path] = font.fontName
        return _registered[path]
