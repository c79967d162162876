"""Kiosk configuration, typed and validated once at start-up (no Qt here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kiosk.i18n import LANGUAGES, Language


def _default_save_dir() -> Path:
    return Path.home() / "GreenCert" / "certificates"


@dataclass(frozen=True)
class KioskConfig:
    """``printer`` None: save certificates as PDF in ``save_dir`` instead of printing (and say where)."""

    intermediary_url: str
    printer: str | None = None
    cups_server: str | None = None
    save_dir: Path = field(default_factory=_default_save_dir)
    language: Language = "ja"
    idle_timeout_s: float = 120.0
    fullscreen: bool = False
    timezone: str | None = None  # IANA zone for showing periods; None = the machine's local time

    def __post_init__(self) -> None:
        if not self.intermediary_url.startswith(("http://", "https://")):
            raise ValueError(f"intermediary_url must be an http(s) URL, got {self.intermediary_url!r}")
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {self.language!r}")
        if not self.idle_timeout_s > 0:
            raise ValueError(f"idle_timeout_s must be positive, got {self.idle_timeout_s}")
        if self.printer == "":
            raise ValueError("printer must be a queue name or None (save as PDF), got an empty string")
        object.__setattr__(self, "save_dir", Path(self.save_dir))
