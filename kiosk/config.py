"""Kiosk configuration, typed and validated once at start-up (no Qt here).

``KioskConfig`` is what the kiosk is started with (command line, ``greencert demo``). The values a member of
staff may change at the kiosk (mode, server URL, printer, paper size, language, idle timeout) start from it and
are then overridden by the operator's settings file, ``settings_path`` (see ``kiosk.settings``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kiosk.i18n import LANGUAGES, Language

Mode = Literal["list", "manual"]
MODES: tuple[Mode, ...] = ("list", "manual")  # S501–S520 (the default) | S201–S214 (the main embodiment)
PAPER_SIZES = ("A4", "A3", "B5", "Letter")  # CUPS ``media`` names
SETTINGS_FILE = "settings.json"


def _default_save_dir() -> Path:
    return Path.home() / "GreenCert" / "certificates"


@dataclass(frozen=True)
class KioskConfig:
    """``printer`` None: save certificates as PDF in ``save_dir`` instead of printing (and say where).

    ``config_dir`` holds the operator's settings file; None means a ``kiosk`` folder next to ``save_dir``
    (so a demo's data directory holds everything the demo's kiosk writes).
    """

    intermediary_url: str
    printer: str | None = None
    cups_server: str | None = None
    save_dir: Path = field(default_factory=_default_save_dir)
    language: Language = "ja"
    idle_timeout_s: float = 120.0
    fullscreen: bool = False
    timezone: str | None = None  # IANA zone for showing periods; None = the machine's local time
    mode: Mode = "list"
    paper_size: str = "A4"
    config_dir: Path | None = None
    on_screen_keyboard: bool = True  # our own keyboard for the text fields: the panel has no keys

    def __post_init__(self) -> None:
        if not self.intermediary_url.startswith(("http://", "https://")):
            raise ValueError(f"intermediary_url must be an http(s) URL, got {self.intermediary_url!r}")
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {self.language!r}")
        if not self.idle_timeout_s > 0:
            raise ValueError(f"idle_timeout_s must be positive, got {self.idle_timeout_s}")
        if self.printer == "":
            raise ValueError("printer must be a queue name or None (save as PDF), got an empty string")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if self.paper_size not in PAPER_SIZES:
            raise ValueError(f"paper_size must be one of {PAPER_SIZES}, got {self.paper_size!r}")
        object.__setattr__(self, "save_dir", Path(self.save_dir))
        if self.config_dir is not None:
            object.__setattr__(self, "config_dir", Path(self.config_dir))

    @property
    def settings_path(self) -> Path:
        """The operator's settings file: ``<config_dir>/settings.json``."""
        return (self.config_dir or self.save_dir.parent / "kiosk") / SETTINGS_FILE
